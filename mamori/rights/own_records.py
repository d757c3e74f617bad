"""What mamori itself holds about a requester, beyond the company's systems.

An access request's package includes it (earlier requests, newsletter subscriptions, consent
records linked to the person, sale/sharing opt-outs); an erasure removes or de-identifies what no
law requires to keep, and the plan says what is kept and why. Identities are matched by keyed hash
only: mamori never stores them in clear to look them up.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from django.db import models
from django.utils import timezone

from mamori.core import crypto
from mamori.rights.models import RightsRequest
from mamori.rights.models.requests import with_email


def _subject_hashes(request: RightsRequest, identities: dict[str, str]) -> set[str]:
    """How the consent ledger names a logged-in person: keyed hash of the site's own user id, which
    companies pass as the e-mail address or the customer number."""
    values = {value.strip() for value in identities.values() if value and value.strip()}
    values |= {value.lower() for value in values if "@" in value}
    return {crypto.consent_identifier_hash("subject", f"{request.organisation}:{value}") for value in values}


def _email_hash(request: RightsRequest) -> str:
    return crypto.consent_email_hash(request.requester_email) if request.requester_email else ""


def _queries(request: RightsRequest, identities: dict[str, str]) -> dict[str, models.QuerySet[Any]]:
    from mamori.consent.models import ConsentEvent, SaleOptOut, Subscription

    address = _email_hash(request)
    return {
        "requests": with_email(
            RightsRequest.objects.filter(organisation=request.organisation), request.requester_email
        ).exclude(pk=request.pk),
        "subscriptions": Subscription.objects.filter(organisation=request.organisation, email_hash=address)
        if address
        else Subscription.objects.none(),
        "consent_records": ConsentEvent.objects.filter(
            organisation=request.organisation, subject_hash__in=_subject_hashes(request, identities)
        ),
        "sale_opt_outs": SaleOptOut.objects.filter(organisation=request.organisation, email_hash=address)
        if address
        else SaleOptOut.objects.none(),
    }


def _day(moment: Any) -> str | None:
    return moment.isoformat() if moment else None


def held_about(request: RightsRequest, identities: dict[str, str]) -> dict[str, Any]:
    """The requester's records in mamori, as given to them (no hashes, no other person's data)."""
    found = _queries(request, identities)
    return {
        "earlier_requests": [
            {
                "reference": r.reference,
                "right": r.right,
                "status": r.status,
                "received_at": _day(r.received_at),
                "closed_at": _day(r.closed_at),
            }
            for r in found["requests"].order_by("received_at")
        ],
        "subscriptions": [
            {
                "list": s.topic,
                "status": s.status,
                "requested_at": _day(s.requested_at),
                "confirmed_at": _day(s.confirmed_at),
                "withdrawn_at": _day(s.withdrawn_at),
            }
            for s in found["subscriptions"].order_by("topic")
        ],
        "consent_records": [
            {
                "site": e.site,
                "recorded_at": _day(e.recorded_at),
                "choices": e.choices,
                "method": e.method,
                "notice_version": e.notice_version,
                "language": e.language,
            }
            for e in found["consent_records"].order_by("recorded_at")
        ],
        "sale_opt_outs": [{"at": _day(o.at), "gpc": o.gpc} for o in found["sale_opt_outs"].order_by("at")],
    }


def add_to_package(path: Path, request: RightsRequest, identities: dict[str, str]) -> None:
    """Append ``mamori-records.json`` to the package the engine wrote."""
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "mamori-records.json", json.dumps(held_about(request, identities), ensure_ascii=False, indent=2)
        )


def erasure_plan(request: RightsRequest, identities: dict[str, str]) -> dict[str, Any]:
    """What an erasure does to mamori's own records (shown with the plan, in counts)."""
    found = _queries(request, identities)
    return {
        "subscriptions": found["subscriptions"].filter(email_encrypted__isnull=False).count(),
        "requests": found["requests"].count(),
        "consent_records": found["consent_records"].count(),
        "sale_opt_outs": found["sale_opt_outs"].count(),
    }


def forget(request: RightsRequest, identities: dict[str, str]) -> dict[str, int]:
    """Erasure of mamori's own records: subscription addresses go (the keyed hash stays so no more
    mail is sent) and the lists are withdrawn; earlier requests' contact details go once closed,
    the request record itself staying for the records period the law asks (CPRA §7101); consent
    records and opt-outs are keyed hashes already and stay as proof (GDPR Art. 7(1))."""
    from mamori.consent.models import SubscriptionStatus

    found = _queries(request, identities)
    now = timezone.now()
    subscriptions = found["subscriptions"].exclude(email_encrypted__isnull=True, status=SubscriptionStatus.WITHDRAWN)
    withdrawn = subscriptions.update(email_encrypted=None, status=SubscriptionStatus.WITHDRAWN, withdrawn_at=now)
    cleared = 0
    for earlier in found["requests"].exclude(closed_at__isnull=True):
        earlier.requester_name, earlier.requester_email, earlier.phone, earlier.postal_address = "", "", "", ""
        earlier.save(update_fields=["requester_name", "requester_email", "phone", "postal_address"])
        cleared += 1
    return {"subscriptions": withdrawn, "requests_de_identified": cleared}
