"""Helpers shared by the rights services: the error type, audit entries, the map and calendar."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from django.utils import timezone

from mamori.audit.services import Actor, record
from mamori.catalog.in_force import map_of_version
from mamori.catalog.mapfile import PrivacyMap
from mamori.core import crypto
from mamori.core.errors import DomainError
from mamori.rights.models import ClosureDay, RequestFile, RightsRequest
from mamori.rights.rules import RequestRule, rule_for

REQUESTER = Actor.system("requester")
SYSTEM = Actor.system("rights")


class RightsError(DomainError):
    code = "rights_error"


def audit(actor: Actor, action: str, request: RightsRequest, **details: Any) -> None:
    """One audit entry per transition; details carry ids and states, never personal data."""
    record(
        actor,
        f"request.{action}",
        target_type="rights.request",
        target_id=str(request.pk),
        details={
            "reference": request.reference,
            "organisation": request.organisation,
            "right": request.right,
            "status": request.status,
            **details,
        },
    )


def store_file(request: RightsRequest, kind: str, filename: str, content_type: str, data: bytes) -> RequestFile:
    """Files are encrypted before they reach the database; the clear bytes are never stored."""
    return RequestFile.objects.create(
        request=request,
        kind=kind,
        filename=filename[:200] or "file",
        content_type=content_type[:100],
        size=len(data),
        encrypted=crypto.encrypt(data),
        uploaded_at=timezone.now(),
    )


def status_token_hash(token: str) -> str:
    """How a status token is stored: keyed, so a database dump cannot be replayed as links."""
    return crypto.keyed_identifier_hash("status_token", token)


def verification_code_hash(request_id: int, code: str) -> str:
    return crypto.keyed_identifier_hash("verification_code", f"{request_id}:{code}")


def new_token() -> str:
    return secrets.token_urlsafe(32)


def new_reference() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud on the phone
    while True:
        reference = "R-" + "".join(secrets.choice(alphabet) for _ in range(8))
        if not RightsRequest.objects.filter(reference=reference).exists():
            return reference


def map_of(request: RightsRequest) -> PrivacyMap:
    """The map a request was received under (its rule must not change under it)."""
    return map_of_version(request.organisation, request.map_version)


def rule_of(request: RightsRequest) -> RequestRule:
    return rule_for(map_of(request), request.jurisdiction, request.right)


def closures_for(organisation: str, calendar_id: str, privacy_map: PrivacyMap) -> dict[date, str]:
    """Company closures count on the calendar of the company's home country only.

    A closure of the Tokyo office does not close a California or French calendar; those count
    the law's business days.
    """
    if not calendar_id.startswith(privacy_map.organisation.country) and calendar_id != privacy_map.organisation.country:
        return {}
    return dict(ClosureDay.objects.filter(organisation=organisation).values_list("day", "name"))
