"""mamori's own data under retention rules: what mamori keeps about people, and when it goes.

Each rule is code (reviewed like code, so no approval step): it counts what is due at a moment
and disposes of it through the domain's own service where one exists (request records, result
packages). Other domains register theirs with `register_internal_rule` (issue 15's provision
records plug in here), and every run of every rule gets a disposal certificate like a map rule's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class InternalRule:
    id: str
    name: Callable[[], str]  # lazy: shown in the language of the page or certificate
    period: Any  # a (lazy) text, described as in a map ("0 days after closing")
    table: str  # what the certificate names as the "system/table"
    count_due: Callable[[datetime], int]
    dispose: Callable[[datetime], int]  # returns the number disposed of


INTERNAL_RULES: dict[str, InternalRule] = {}


def register_internal_rule(rule: InternalRule) -> None:
    """Add (or replace, by id) a rule for mamori's own data; the daily sweep runs them all."""
    INTERNAL_RULES[rule.id] = rule


# -- the built-in rules


def _closed_request_files(now: datetime) -> object:
    from mamori.rights.models import RequestFile
    from mamori.rights.models.requests import CLOSED_STATUSES

    return RequestFile.objects.exclude(kind=RequestFile.Kind.RESULT).filter(request__status__in=CLOSED_STATUSES)


def _documents_due(now: datetime) -> int:
    return _closed_request_files(now).count()  # type: ignore[attr-defined]


def _documents_dispose(now: datetime) -> int:
    # Closing a request purges its documents; this catches any left by an interrupted close.
    deleted, _details = _closed_request_files(now).delete()  # type: ignore[attr-defined]
    return int(deleted)


def _records_due(now: datetime) -> int:
    from mamori.rights.models import RightsRequest

    return RightsRequest.objects.filter(purge_after__lt=now).count()


def _records_dispose(now: datetime) -> int:
    from mamori.rights.services.records import purge_expired_records

    return purge_expired_records(now)


def _packages_due(now: datetime) -> int:
    from mamori.rights.models import RequestFile

    return RequestFile.objects.filter(kind=RequestFile.Kind.RESULT, request__result_expires_at__lt=now).count()


def _packages_dispose(now: datetime) -> int:
    from mamori.rights.models import RequestFile
    from mamori.rights.services.records import expire_results

    due = _packages_due(now)
    expire_results(now)
    return due - RequestFile.objects.filter(kind=RequestFile.Kind.RESULT, request__result_expires_at__lt=now).count()


def _unsubscribed(now: datetime) -> object:
    from mamori.consent.models import Subscription, SubscriptionStatus

    # The keyed hash stays (the mail system asks mamori before sending); the address goes.
    return Subscription.objects.filter(
        status=SubscriptionStatus.WITHDRAWN, withdrawn_at__lt=now, email_encrypted__isnull=False
    )


def _unsubscribed_dispose(now: datetime) -> int:
    return int(_unsubscribed(now).update(email_encrypted=None))  # type: ignore[attr-defined]


def _sessions(now: datetime) -> object:
    from django.contrib.sessions.models import Session

    return Session.objects.filter(expire_date__lt=now)


def _sessions_dispose(now: datetime) -> int:
    deleted, _details = _sessions(now).delete()  # type: ignore[attr-defined]
    return int(deleted)


for _rule in (
    InternalRule(
        "request-records",
        lambda: str(_("Request records")),
        _("records period after closing (CP7)"),
        "rights.request",
        _records_due,
        _records_dispose,
    ),
    InternalRule(
        "identity-documents",
        lambda: str(_("Identity and agent documents")),
        _("0 days after closing"),
        "rights.requestfile",
        _documents_due,
        _documents_dispose,
    ),
    InternalRule(
        "access-packages",
        lambda: str(_("Access packages")),
        _("when the download link expires"),
        "rights.requestfile (result)",
        _packages_due,
        _packages_dispose,
    ),
    InternalRule(
        "unsubscribed-addresses",
        lambda: str(_("Unsubscribed e-mail addresses")),
        _("0 days after withdrawal"),
        "consent.subscription",
        lambda now: _unsubscribed(now).count(),  # type: ignore[attr-defined]
        _unsubscribed_dispose,
    ),
    InternalRule(
        "staff-sessions",
        lambda: str(_("Expired staff sessions")),
        _("when the session expires"),
        "django_session",
        lambda now: _sessions(now).count(),  # type: ignore[attr-defined]
        _sessions_dispose,
    ),
):
    register_internal_rule(_rule)
