"""Consent API, mounted at /api/v1/consent/.

`POST /events` is public (the banner posts to it from the company's sites); everything else needs
a token with `consent:read`.
"""

from __future__ import annotations

import json
import uuid
from typing import Any, Literal

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django_ratelimit.core import get_usage
from ninja import Router
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mamori.api.auth import require_scope
from mamori.api.problems import problem
from mamori.audit.services import Actor
from mamori.consent import services, siteconfig
from mamori.core.errors import DomainError

router = Router(tags=["consent"])
MAX_BODY = 8 * 1024


class EventIn(BaseModel):
    """What the banner posts. Sent as text/plain so browsers need no CORS preflight."""

    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID
    site: str = Field(min_length=1, max_length=100)
    device: uuid.UUID
    version: int = Field(ge=1)
    hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    lang: Literal["en", "ja"]
    choices: dict[str, bool] = Field(max_length=50)
    method: Literal["click", "gpc", "dnt", "expiry", "withdrawal", "opt_out"]
    gpc: bool = False
    subject: str | None = Field(default=None, max_length=300)
    tz: str | None = Field(default=None, max_length=40)


def _cors(request: HttpRequest, response: HttpResponse, site: str | None) -> HttpResponse:
    origin = request.headers.get("Origin")
    if not origin or not site:
        return response
    try:
        allowed = siteconfig.allowed_origins(siteconfig.site_config(site))
    except Exception:  # an unknown site gets no CORS grant; the error body says why
        return response
    if origin in allowed or origin == f"{request.scheme}://{request.get_host()}":
        response["Access-Control-Allow-Origin"] = origin
        response["Vary"] = "Origin"
    return response


def _client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or ""


def _region(request: HttpRequest, fallback: str | None) -> str:
    header = getattr(settings, "MAMORI_CONSENT_REGION_HEADER", "")
    if header and request.headers.get(header):
        return request.headers[header][:40]
    return (fallback or "")[:40]


@router.api_operation(["OPTIONS"], "/events", auth=None, include_in_schema=False)
def events_preflight(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(status=204)
    origin = request.headers.get("Origin", "")
    response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
    response["Access-Control-Allow-Headers"] = "Content-Type"
    response["Access-Control-Max-Age"] = "86400"
    if origin:  # the body (and so the site) is unknown here; POST responses are checked per site
        response["Access-Control-Allow-Origin"] = origin
        response["Vary"] = "Origin"
    return response


@router.post("/events", auth=None, summary="Record a consent choice (public; used by the banner)",
             openapi_extra={"requestBody": {"content": {"text/plain": {"schema": EventIn.model_json_schema()}}}})
def record_event(request: HttpRequest) -> HttpResponse:
    rate = getattr(settings, "MAMORI_CONSENT_RATE", "300/m")
    usage = get_usage(request, group="consent.events", key="ip", rate=rate, method="POST", increment=True)
    if usage and usage["should_limit"]:
        response = problem(429, "Too many requests", "Slow down and retry after the given seconds.",
                           code="rate_limited")
        response["Retry-After"] = str(max(1, int(usage["time_left"])))
        return response
    if len(request.body) > MAX_BODY:
        return problem(413, "Event too large", code="too_large")
    try:
        event = EventIn.model_validate(json.loads(request.body or b"null"))
    except (ValueError, ValidationError) as exc:
        errors = exc.errors() if isinstance(exc, ValidationError) else [{"loc": [], "msg": "not JSON"}]
        return problem(422, "Invalid consent event", "The event is not valid.", code="validation_error",
                       errors=[{"loc": [str(p) for p in e["loc"]], "message": e["msg"]} for e in errors])
    try:
        _, created = services.record_event(
            event_id=event.id, site=event.site, device_id=str(event.device), notice_version=event.version,
            text_hash=event.hash, language=event.lang, choices=event.choices, method=event.method,
            gpc=event.gpc or request.headers.get("Sec-GPC") == "1", subject_token=event.subject,
            ip=_client_ip(request), user_agent=request.headers.get("User-Agent", ""),
            region=_region(request, event.tz),
        )
    except DomainError as exc:
        status = 409 if exc.code.endswith("conflict") else 404 if exc.code == "site_unknown" else 400
        return _cors(request, problem(status, "Consent event refused", exc.message, code=exc.code), event.site)
    response = HttpResponse(json.dumps({"id": str(event.id), "recorded": created}),
                            status=201 if created else 200, content_type="application/json")
    return _cors(request, response, event.site)


@router.get("/state", summary="Current consent of a device or of a subject (scope consent:read)")
def state(request: HttpRequest, site: str, device: str | None = None, subject: str | None = None) -> dict[str, Any]:
    require_scope(request, "consent:read")
    return services.current_state(site, device_id=device, subject_id=subject)


@router.get("/proof", summary="Proof of consent for one subject, for an auditor or regulator (consent:read)")
def proof(request: HttpRequest, organisation: str, subject: str) -> dict[str, Any]:
    token = require_scope(request, "consent:read")
    return services.proof_of_consent(organisation, subject, Actor.for_user(token.owner))


class RecipientIn(BaseModel):
    organisation: str
    topic: str
    email: str = Field(max_length=320)


# POST rather than GET: e-mail addresses stay out of URLs and access logs.
@router.post("/unsubscribe-headers", summary="RFC 8058 List-Unsubscribe headers for one recipient (consent:read)")
def unsubscribe_headers(request: HttpRequest, recipient: RecipientIn) -> dict[str, str]:
    require_scope(request, "consent:read")
    return services.unsubscribe_headers(recipient.organisation, recipient.topic, recipient.email)


@router.post("/subscriptions/status", summary="May the company mail this address on this list? (consent:read)")
def subscription_status(request: HttpRequest, recipient: RecipientIn) -> dict[str, str]:
    require_scope(request, "consent:read")
    return {"status": services.subscription_status(recipient.organisation, recipient.topic, recipient.email)}
