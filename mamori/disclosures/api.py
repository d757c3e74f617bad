"""/api/v1/records: the company's systems report provisions and receipts in batches.

`POST /api/v1/records/provisions` and `POST /api/v1/records/receipts` (scope records:write) take
`{"organisation": ..., "records": [...]}`; each record names its recipient (or source/provider),
its people and a client key (docs/records.md). The body is parsed here rather than by the schema
layer so that every problem is reported with the index of its record and person, and so that a
body too large, not JSON, or with NUL characters is a 4xx problem, never a 500.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router

from mamori.api.auth import scoped, token_actor, token_of
from mamori.api.problems import problem
from mamori.disclosures.access import REGISTER_WRITERS
from mamori.disclosures.models import Direction
from mamori.disclosures.services import DisclosureError, record_batch

router = Router(tags=["records"])

_RECORD_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["organisation", "records"],
    "properties": {
        "organisation": {"type": "string"},
        "records": {
            "type": "array",
            "maxItems": 1000,
            "items": {
                "type": "object",
                "required": ["client_key", "people"],
                "properties": {
                    "client_key": {"type": "string"},
                    "recipient": {"type": "string"},
                    "source": {"type": "string"},
                    "basis": {"type": "string", "enum": ["consent", "opt_out"]},
                    "provider": {"type": "object"},
                    "categories": {"type": "array", "items": {"type": "string"}},
                    "items": {"type": "string"},
                    "transferred_on": {"type": "string", "format": "date"},
                    "made_from": {"type": "string", "enum": ["single", "bulk", "contract_document"]},
                    "ppc_publication": {"type": "string"},
                    "consent_document": {"type": "string"},
                    "people": {"type": "array", "maxItems": 10000, "items": {"type": "object"}},
                },
            },
        },
    },
}
_OPENAPI = {"requestBody": {"required": True, "content": {"application/json": {"schema": _RECORD_SCHEMA}}}}


def _no_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" not in value
    if isinstance(value, dict):
        return all(_no_nul(key) and _no_nul(inner) for key, inner in value.items())
    if isinstance(value, list):
        return all(_no_nul(inner) for inner in value)
    return True


def _receive(request: HttpRequest, direction: str) -> HttpResponse:
    token = token_of(request)
    if not token.owner.has_role(*REGISTER_WRITERS):
        return problem(403, _("Forbidden"), _("The token's owner may not write the register."), code="http_403")
    try:
        body = request.body
    except RequestDataTooBig:
        return problem(413, _("Request too large"), _("Send fewer people per call."), code="too_large")
    try:
        sent = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return problem(400, _("Invalid request"), _("The body must be a JSON object."), code="bad_json")
    if (
        not isinstance(sent, dict)
        or not isinstance(sent.get("organisation"), str)
        or not isinstance(sent.get("records"), list)
    ):
        return problem(422, _("Invalid request"), _('Send {"organisation": ..., "records": [...]}.'), code="wrong_type")
    if not _no_nul(sent):
        # Checked over the whole body first: a NUL would otherwise reach the database (and PostgreSQL
        # refuses it in text), or hide inside a key no later check looks at.
        return problem(422, _("Invalid request"), _("Text must not contain NUL characters."), code="nul")
    actor = token_actor(request)
    try:
        result = record_batch(sent["organisation"], direction, sent["records"], actor)
    except DisclosureError as exc:
        status = 409 if exc.code == "key_conflict" else 404 if exc.code == "no_map" else 422
        return problem(
            status, _("Records refused"), exc.message, code=exc.code, errors=[error.as_dict() for error in exc.errors]
        )
    answer = {
        "records": [
            {
                "index": item.index,
                "id": item.record.pk,
                "client_key": item.record.client_key,
                "status": "created" if item.created else "unchanged",
                "people": item.record.people_count,
                "kept_until": item.record.dispose_after.isoformat(),
            }
            for item in result.stored
        ]
    }
    return HttpResponse(json.dumps(answer), status=201 if result.created else 200, content_type="application/json")


@router.post(
    "/provisions",
    auth=scoped("records:write"),
    openapi_extra=_OPENAPI,
    summary="Record provisions to third parties (a batch)",
)
def provisions(request: HttpRequest) -> HttpResponse:
    return _receive(request, Direction.PROVISION)


@router.post(
    "/receipts",
    auth=scoped("records:write"),
    openapi_extra=_OPENAPI,
    summary="Record receipts from third parties (a batch)",
)
def receipts(request: HttpRequest) -> HttpResponse:
    return _receive(request, Direction.RECEIPT)
