"""REST endpoints for incidents: /api/v1/incidents (scopes incidents:read / incidents:write).

A monitoring system opens an incident the moment it sees a breach (the clocks start at the
`aware_at` it sends). The token needs the scope, and its owner a role that may see incidents.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import StrictBool, StrictInt, StrictStr, field_validator

from mamori.api.auth import scoped, token_actor, token_of
from mamori.incidents.access import access_incident, access_incidents, can_edit
from mamori.incidents.models import Incident
from mamori.incidents.models import Status as IncidentStatus
from mamori.incidents.services import IncidentInput, deadlines_of, evaluation_of, open_incident

router = Router(tags=["incidents"])


class ScopeIn(Schema):
    systems: list[StrictStr] = Field(default=[], max_length=100)
    tables: list[StrictStr] = Field(default=[], max_length=200)
    categories: list[StrictStr] = Field(default=[], max_length=200)


class IncidentIn(Schema):
    organisation: str = Field(max_length=64)
    title: str = Field(max_length=200)
    aware_at: datetime
    occurred_at: datetime | None = None
    kind: str = Field(max_length=32)
    cause: str = Field(max_length=32)
    possibly_malicious: StrictBool | None = None
    encrypted: StrictBool = False
    key_compromised: StrictBool = False
    people_estimated: StrictInt | None = Field(default=None, ge=0, le=10**9)
    scope: ScopeIn = ScopeIn()

    @field_validator("scope", mode="before")
    @classmethod
    def _scope_is_an_object(cls, value: Any) -> Any:
        # ninja's schemas read attributes off any object: a string would pass as an empty scope.
        if not isinstance(value, dict | ScopeIn):
            raise ValueError("scope must be an object with systems, tables and categories")
        return value


class FindingOut(Schema):
    law: str
    in_scope: bool
    report_authority: bool
    notify_people: bool
    ag_sample: bool
    reasons: list[str]
    overridden: bool


class DeadlineOut(Schema):
    key: str
    law: str
    due_at: datetime
    earliest_at: datetime | None
    done_at: datetime | None
    source: str


class IncidentOut(Schema):
    id: int
    reference: str
    organisation: str
    title: str
    status: str
    kind: str
    cause: str
    aware_at: datetime
    occurred_at: datetime | None
    possibly_malicious: bool
    encrypted: bool
    people: int
    counts: dict[str, int]
    scope: dict[str, Any]
    evaluation: list[FindingOut]
    deadlines: list[DeadlineOut]


def _out(incident: Incident) -> dict[str, Any]:
    findings = evaluation_of(incident)
    return {
        "id": incident.pk,
        "reference": incident.reference,
        "organisation": incident.organisation,
        "title": incident.title,
        "status": incident.status,
        "kind": incident.kind,
        "cause": incident.cause,
        "aware_at": incident.aware_at,
        "occurred_at": incident.occurred_at,
        "possibly_malicious": incident.possibly_malicious,
        "encrypted": incident.encrypted,
        "people": incident.people(),
        "counts": incident.counts or {},
        "scope": incident.scope,
        "evaluation": [finding.as_dict() for finding in findings],
        "deadlines": [
            {
                "key": d.key,
                "law": d.law,
                "due_at": d.due_at,
                "earliest_at": d.earliest_at,
                "done_at": d.done_at,
                "source": d.source,
            }
            for d in deadlines_of(incident, findings)
        ],
    }


@router.get(
    "",
    response=list[IncidentOut],
    auth=scoped("incidents:read"),
    summary="Incidents, newest awareness first (filters: status)",
)
def list_incidents(request: HttpRequest, status: str = "", limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    found = access_incidents(token_of(request).owner)
    if status and status not in IncidentStatus.values:
        raise HttpError(400, f"status must be one of {', '.join(IncidentStatus.values)}.")
    if status:
        found = found.filter(status=status)
    limit, offset = max(1, min(limit, 200)), max(offset, 0)
    return [_out(incident) for incident in found[offset : offset + limit]]


@router.get(
    "/{incident_id}",
    response=IncidentOut,
    auth=scoped("incidents:read"),
    summary="One incident with its evaluation and deadlines",
)
def get_incident(request: HttpRequest, incident_id: int) -> dict[str, Any]:
    return _out(access_incident(token_of(request).owner, incident_id))


@router.post(
    "",
    response={201: IncidentOut},
    auth=scoped("incidents:write"),
    summary="Open an incident (the clocks start at aware_at)",
)
def create_incident(request: HttpRequest, body: IncidentIn) -> Status[dict[str, Any]]:
    if not can_edit(token_of(request).owner):
        raise HttpError(403, "The token's owner may not open incidents.")
    actor = token_actor(request)
    incident = open_incident(
        IncidentInput(
            organisation=body.organisation,
            title=body.title,
            aware_at=body.aware_at,
            occurred_at=body.occurred_at,
            kind=body.kind,
            cause=body.cause,
            possibly_malicious=body.possibly_malicious,
            encrypted=body.encrypted,
            key_compromised=body.key_compromised,
            people_estimated=body.people_estimated,
            scope=body.scope.dict(),
        ),
        actor,
    )
    return Status(201, _out(incident))
