"""REST endpoints for rights requests: /api/v1/requests (scopes requests:read / requests:write).

The token needs the scope, and its owner a role that may see requests (marketing never does).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Path, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from mamori.api.auth import scoped, token_actor, token_of
from mamori.rights.access import access_request, access_request_intake, access_requests
from mamori.rights.models import Channel, RightsRequest
from mamori.rights.services.common import rule_of
from mamori.rights.services.intake import DATA_POINT_KINDS, Submission, submit_request
from mamori.rights.services.workflow import complete, deny, extend

router = Router(tags=["requests"])


# The same limits as the privacy center's form (rights.forms), so the API stores nothing a form would refuse.
Short = Annotated[str, Field(max_length=100)]
Required = Annotated[str, Field(min_length=1, max_length=100)]
DataPoint = Annotated[str, Field(max_length=200)]
MAX_OFFSET = 10**9  # far past any real list, far below the database's integer range
MAX_ID = 2**63 - 1
RequestId = Annotated[int, Path(ge=1, le=MAX_ID)]


class RequestIn(Schema):
    organisation: Required
    right: Required
    jurisdiction: Required
    requester_name: str = Field(min_length=1, max_length=200)
    requester_email: str = Field("", max_length=254)
    language: Short = "en"
    delivery: Short = "electronic"
    postal_address: str = Field("", max_length=500)
    data_points: dict[Short, DataPoint] = Field(default_factory=dict, max_length=20)
    message: str = Field("", max_length=4000)
    fields: dict[Short, Annotated[str, Field(max_length=4000)]] = Field(default_factory=dict, max_length=50)
    specific_pieces: bool = False
    declaration_signed: bool = False
    channel: Short = Channel.API
    received_at: datetime | None = None


class RequestOut(Schema):
    id: int
    reference: str
    organisation: str
    right: str
    jurisdiction: str
    law: str
    status: str
    channel: str
    delivery: str
    language: str
    received_at: datetime
    received_on: str
    acknowledge_by: datetime | None
    acknowledged_at: datetime | None
    due_at: datetime
    extend_limit_at: datetime | None
    extended_at: datetime | None
    verify_by: datetime
    closed_at: datetime | None
    denial_ground: str
    assignee: str | None


class Created(RequestOut):
    status_token: str  # the requester's private link; shown once


class ReasonIn(Schema):
    reason: str = Field(min_length=1, max_length=2000)


class DenyIn(Schema):
    ground: Required
    message: str = Field("", max_length=4000)


class CompleteIn(Schema):
    message: str = Field("", max_length=4000)


def _out(found: RightsRequest) -> dict[str, Any]:
    return {
        "id": found.pk,
        "reference": found.reference,
        "organisation": found.organisation,
        "right": found.right,
        "jurisdiction": found.jurisdiction,
        "law": found.law,
        "status": found.status,
        "channel": found.channel,
        "delivery": found.delivery,
        "language": found.language,
        "received_at": found.received_at,
        "received_on": found.received_on.isoformat(),
        "acknowledge_by": found.acknowledge_by,
        "acknowledged_at": found.acknowledged_at,
        "due_at": found.due_at,
        "extend_limit_at": found.extend_limit_at,
        "extended_at": found.extended_at,
        "verify_by": found.verify_by,
        "closed_at": found.closed_at,
        "denial_ground": found.denial_ground,
        "assignee": found.assignee.get_username() if found.assignee else None,
    }


@router.get(
    "",
    auth=scoped("requests:read"),
    response=list[RequestOut],
    summary="Requests, by due date (filters: organisation, status, right)",
)
def list_requests(
    request: HttpRequest,
    organisation: Short = "",
    status: Short = "",
    right: Short = "",
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> list[dict[str, Any]]:
    found = access_requests(token_of(request).owner).order_by("due_at", "pk")
    for name, value in (("organisation", organisation), ("status", status), ("right", right)):
        if value:
            found = found.filter(**{name: value})
    return [_out(row) for row in found[offset : offset + limit]]


@router.get("/{request_id}", auth=scoped("requests:read"), response=RequestOut, summary="One request")
def get_request(request: HttpRequest, request_id: RequestId) -> dict[str, Any]:
    return _out(access_request(token_of(request).owner, request_id))


@router.post(
    "",
    auth=scoped("requests:write"),
    response={201: Created},
    summary="Record a request (e.g. from the company's own site or mailbox)",
)
def create_request(request: HttpRequest, body: RequestIn) -> Status[dict[str, Any]]:
    access_request_intake(token_of(request).owner)
    actor = token_actor(request)
    unknown = set(body.data_points) - set(DATA_POINT_KINDS)
    if unknown:
        raise HttpError(400, f"Unknown data points: {', '.join(sorted(unknown))}.")
    created, token = submit_request(
        Submission(
            organisation=body.organisation,
            right=body.right,
            jurisdiction=body.jurisdiction,
            requester_name=body.requester_name,
            requester_email=body.requester_email,
            channel=body.channel,
            language=body.language,
            delivery=body.delivery,
            postal_address=body.postal_address,
            data_points=body.data_points,
            message=body.message,
            fields=body.fields,
            specific_pieces=body.specific_pieces,
            declaration_signed=body.declaration_signed,
            received_at=body.received_at,
        ),
        actor,
    )
    return Status(201, _out(created) | {"status_token": token})


@router.post(
    "/{request_id}/extend",
    auth=scoped("requests:write"),
    response=RequestOut,
    summary="Extend, with the reason told to the requester",
)
def extend_request(request: HttpRequest, request_id: RequestId, body: ReasonIn) -> dict[str, Any]:
    found = access_request(token_of(request).owner, request_id, write=True)
    return _out(extend(found, body.reason, token_actor(request)))


@router.post(
    "/{request_id}/deny",
    auth=scoped("requests:write"),
    response=RequestOut,
    summary="Deny on a ground the request's law allows",
)
def deny_request(request: HttpRequest, request_id: RequestId, body: DenyIn) -> dict[str, Any]:
    actor = token_actor(request)
    found = access_request(token_of(request).owner, request_id, write=True)
    if body.ground not in rule_of(found).refusal_grounds:
        raise HttpError(400, f"Allowed grounds: {', '.join(rule_of(found).refusal_grounds)}.")
    return _out(deny(found, body.ground, actor, message=body.message))


@router.post(
    "/{request_id}/complete",
    auth=scoped("requests:write"),
    response=RequestOut,
    summary="Complete a verified request",
)
def complete_request(request: HttpRequest, request_id: RequestId, body: CompleteIn) -> dict[str, Any]:
    found = access_request(token_of(request).owner, request_id, write=True)
    return _out(complete(found, token_actor(request), message=body.message))
