"""`POST /api/v1/consent/events`: the banner's event endpoint, as a plain Django view.

Every page view of every visitor of the company's sites can reach this endpoint, so it is kept
lean (see BENCHMARKS.md, Consent): it is routed ahead of the API's router, validates the body
with a pydantic model compiled once, then makes one round trip to the cache that both counts the
client against its rate and reads the pointer to the site's current config (core.ratelimited);
reads headers from META without building `request.headers`, and never touches the session or the
user, so their lazy objects are never loaded. Every request is counted, valid or not, before
anything else is answered, and a limited one is refused before any database work. The ledger
write is one `INSERT ... ON CONFLICT DO NOTHING` (services.ledger), shared with the events
arriving at the same moment on PostgreSQL. The API's router still documents the endpoint
(OpenAPI) and hands any request it receives to this view.

Nothing here logs: the body holds a device id and perhaps a subject token, and the address is
only used as a keyed hash.
"""

from __future__ import annotations

import json
import uuid
from typing import Any, Literal

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from django.views.decorators.csrf import csrf_exempt
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mamori.api.problems import problem
from mamori.consent import siteconfig
from mamori.consent.services.ledger import config_of, record_event
from mamori.core.crypto import consent_identifier_hash
from mamori.core.errors import DomainError
from mamori.core.ratelimited import retry_after, retry_after_reading

MAX_BODY = 8 * 1024
RATE_GROUP = "consent.events"
JSON = "application/json"


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


def _allow_origin(request: HttpRequest, response: HttpResponse, config: dict[str, Any] | None) -> HttpResponse:
    """CORS for the site's own origins and mamori's: the banner reads the answer from those pages only.
    An unknown site (no config) gets no CORS grant; the error body says why."""
    origin = request.META.get("HTTP_ORIGIN")
    if not origin or config is None:
        return response
    if origin in siteconfig.allowed_origins(config) or origin == f"{request.scheme}://{request.get_host()}":
        response["Access-Control-Allow-Origin"] = origin
        response["Vary"] = "Origin"
    return response


def _region(request: HttpRequest, fallback: str | None) -> str:
    header = getattr(settings, "MAMORI_CONSENT_REGION_HEADER", "")
    if header:
        value = request.META.get("HTTP_" + header.upper().replace("-", "_"))
        if value:
            return str(value)[:40]
    return (fallback or "")[:40]


def _preflight(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(status=204)
    origin = request.META.get("HTTP_ORIGIN", "")
    response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
    response["Access-Control-Allow-Headers"] = "Content-Type"
    response["Access-Control-Max-Age"] = "86400"
    if origin:  # the body (and so the site) is unknown here; POST responses are checked per site
        response["Access-Control-Allow-Origin"] = origin
        response["Vary"] = "Origin"
    return response


def _invalid(exc: ValidationError) -> HttpResponse:
    errors = []
    for error in exc.errors(include_url=False, include_input=False):  # never echo the input (personal data)
        message = "not JSON" if error["type"] == "json_invalid" else error["msg"]
        errors.append({"loc": [str(part) for part in error["loc"]], "message": message})
    return problem(422, "Invalid consent event", "The event is not valid.", code="validation_error", errors=errors)


@csrf_exempt  # a public, cookie-less endpoint: no session, no CSRF token to check
def consent_events(request: HttpRequest) -> HttpResponse:
    if request.method == "OPTIONS":
        return _preflight(request)
    if request.method != "POST":
        response = problem(405, "Method not allowed", code="http_405")
        response["Allow"] = "POST, OPTIONS"
        return response
    address = request.META.get("REMOTE_ADDR", "") or ""
    address_hash = consent_identifier_hash("ip", address) if address else ""
    try:
        body = request.body
    except RawPostDataException:
        # A form or multipart body the input guard already parsed cannot be read again. It is no
        # event: counted below like any other, then answered 422 as an empty body (not a 500 that
        # skipped the count, which let such requests past the limit).
        body = b""
    event: EventIn | None = None
    invalid: ValidationError | None = None
    if len(body) <= MAX_BODY:
        try:
            event = EventIn.model_validate_json(body or b"null")
        except ValidationError as exc:
            invalid = exc
    # Counted first, whatever the body: a refused request counts as much as an accepted one.
    rate = getattr(settings, "MAMORI_CONSENT_RATE", "300/m")
    if event is None:
        wait, pointer = retry_after(RATE_GROUP, address_hash, rate), None
    else:
        wait, pointer = retry_after_reading(RATE_GROUP, address_hash, rate, siteconfig.pointer_key(event.site))
    if wait:
        response = problem(
            429, "Too many requests", "Slow down and retry after the given seconds.", code="rate_limited"
        )
        response["Retry-After"] = str(wait)
        return response
    if event is None:
        return problem(413, "Event too large", code="too_large") if invalid is None else _invalid(invalid)
    config: dict[str, Any] | None = None
    try:
        config = config_of(event.site, pointer)
        created = record_event(
            event_id=event.id,
            site=event.site,
            device_id=str(event.device),
            notice_version=event.version,
            text_hash=event.hash,
            language=event.lang,
            choices=event.choices,
            method=event.method,
            gpc=event.gpc or request.META.get("HTTP_SEC_GPC") == "1",
            subject_token=event.subject,
            ip=address,
            ip_hash=address_hash,
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            region=_region(request, event.tz),
            config=config,
        )
    except DomainError as exc:
        status = (
            409
            if exc.code.endswith("conflict")
            else 404
            if exc.code == "site_unknown"
            else 422
            if exc.code == "event_time_invalid"
            else 400
        )
        return _allow_origin(request, problem(status, "Consent event refused", exc.message, code=exc.code), config)
    answer = json.dumps({"id": str(event.id), "recorded": created}).encode()
    return _allow_origin(request, HttpResponse(answer, status=201 if created else 200, content_type=JSON), config)
