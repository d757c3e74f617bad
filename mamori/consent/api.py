"""Consent API, mounted at /api/v1/consent/.

`POST /events` is public (the banner posts to it from the company's sites); everything else needs
a token with `consent:read`.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Router
from ninja.errors import HttpError
from pydantic import BaseModel, Field

from mamori.api.auth import scoped, token_actor, token_of
from mamori.consent import events, services
from mamori.consent.access import PROOF_READERS

router = Router(tags=["consent"])
Text = Annotated[str, Field(min_length=1, max_length=300)]


# mamori/urls.py routes the event endpoint to the plain view in mamori.consent.events ahead of this
# router, to keep the hot path lean. These operations document it in the OpenAPI schema and, should
# a request reach them (another URL layout), answer exactly as that view does.
@router.api_operation(["OPTIONS"], "/events", auth=None, include_in_schema=False)
def events_preflight(request: HttpRequest) -> HttpResponse:
    return events.consent_events(request)


@router.post(
    "/events",
    auth=None,
    summary="Record a consent choice (public; used by the banner)",
    openapi_extra={
        "requestBody": {"required": True, "content": {"text/plain": {"schema": events.EventIn.model_json_schema()}}},
        "responses": {
            201: {"description": "Recorded"},
            200: {"description": "Already recorded (same id)"},
            405: {"description": "Only POST and OPTIONS"},
        },
    },
)
def record_event(request: HttpRequest) -> HttpResponse:
    return events.consent_events(request)


@router.get(
    "/state",
    auth=scoped("consent:read"),
    summary="Current consent of a device or of a subject (scope consent:read)",
)
def state(request: HttpRequest, site: Text, device: Text | None = None, subject: Text | None = None) -> dict[str, Any]:
    return services.current_state(site, device_id=device, subject_id=subject)


@router.get(
    "/proof",
    auth=scoped("consent:read"),
    summary="Proof of consent for one subject, for an auditor or regulator (consent:read)",
)
def proof(request: HttpRequest, organisation: Text, subject: Text) -> dict[str, Any]:
    if not token_of(request).owner.has_role(*PROOF_READERS):  # as in the console: marketing sees state only
        raise HttpError(403, "The token's owner may not read proof of consent.")
    return services.proof_of_consent(organisation, subject, token_actor(request))


class RecipientIn(BaseModel):
    organisation: Text
    topic: Text
    email: str = Field(min_length=3, max_length=320)


# POST rather than GET: e-mail addresses stay out of URLs and access logs.
@router.post(
    "/unsubscribe-headers",
    auth=scoped("consent:read"),
    summary="RFC 8058 List-Unsubscribe headers for one recipient (consent:read)",
)
def unsubscribe_headers(request: HttpRequest, recipient: RecipientIn) -> dict[str, str]:
    return services.unsubscribe_headers(recipient.organisation, recipient.topic, recipient.email)


@router.post(
    "/subscriptions/status",
    auth=scoped("consent:read"),
    summary="May the company mail this address on this list? (consent:read)",
)
def subscription_status(request: HttpRequest, recipient: RecipientIn) -> dict[str, str]:
    return {"status": services.subscription_status(recipient.organisation, recipient.topic, recipient.email)}
