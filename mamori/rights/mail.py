"""E-mails to requesters in their language, and reminders to staff, through Django's mail layer.

Each message is a template pair `rights/email/<kind>.<language>.txt` whose first line is the
subject. The Japanese and English texts are written out (not machine-translated catalog strings)
because these letters carry legal meaning.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

from mamori.core import crypto
from mamori.rights.clocks import local_date
from mamori.rights.models import RightsRequest
from mamori.rights.rules import RIGHT_LABELS
from mamori.rights.services.common import map_of

REQUESTER_KINDS = ("receipt", "code", "acknowledgement", "extension", "completion", "denial", "closed_unverified")


def text_in(value: Any, language: str) -> str:
    """A map text ({en, ja} model or plain string) in ``language``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    for code in (language, "en", "ja"):
        text = getattr(value, code, None) if not isinstance(value, dict) else value.get(code)
        if text:
            return str(text)
    return str(value)


def status_url(request: RightsRequest, token: str) -> str:
    return f"{settings.BASE_URL}/privacy/{request.organisation}/requests/status/{token}/"


def render_mail(kind: str, language: str, context: dict[str, Any]) -> tuple[str, str]:
    language = language if language in ("en", "ja") else "en"
    with translation.override(language):
        text = render_to_string(f"rights/email/{kind}.{language}.txt", context)
    subject, _, body = text.partition("\n")
    return subject.strip(), body.lstrip("\n")


def request_context(request: RightsRequest, **extra: Any) -> dict[str, Any]:
    privacy_map = map_of(request)
    zone = privacy_map.organisation.time_zone
    language = request.language
    with translation.override(language):
        right_label = str(RIGHT_LABELS.get(request.right, request.right))
    details = crypto.decrypt_json(request.details_encrypted, {})
    return {
        "request": request,
        "reference": request.reference,
        "organisation_name": text_in(privacy_map.organisation.legal_name, language),
        "right_label": right_label,
        "received_on": request.received_on,
        "due_on": local_date(request.due_at, zone),
        "acknowledge_by": local_date(request.acknowledge_by, zone) if request.acknowledge_by else None,
        "time_zone": zone,
        "requester_name": request.requester_name,
        "has_message": bool(details.get("message")),
        **extra,
    }


def send_to_requester(request: RightsRequest, kind: str, **extra: Any) -> bool:
    """Send one letter to the requester (or their agent); False when there is no e-mail address."""
    if kind not in REQUESTER_KINDS:
        raise ValueError(f"unknown request e-mail {kind!r}")
    recipients = [address for address in (request.agent_email or request.requester_email,) if address]
    if not recipients:
        return False
    subject, body = render_mail(kind, request.language, request_context(request, **extra))
    EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, recipients).send()
    return True


def send_reminder(request: RightsRequest, address: str, language: str, *, overdue: bool) -> None:
    console_url = f"{settings.BASE_URL}/console/requests/{request.pk}/"
    context = request_context(request, overdue=overdue, console_url=console_url)
    subject, body = render_mail("reminder", language, context)
    EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [address]).send()
