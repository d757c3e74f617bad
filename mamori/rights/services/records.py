"""Request records (CPRA §7101): the sweeps that keep them only as long as promised, and metrics."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from mamori.accounts.models import Role, User
from mamori.audit.services import Actor, record
from mamori.rights.mail import send_reminder
from mamori.rights.models import RequestFile, RequestStatus, RightsRequest
from mamori.rights.models.requests import OPEN_STATUSES
from mamori.rights.services.common import audit
from mamori.rights.services.workflow import close_unverified

SOON = timedelta(days=3)  # "soon due": flagged in the console and reminded by e-mail


@dataclass(frozen=True)
class YearMetrics:
    organisation: str
    year: int
    received: int
    complied: int
    denied: int
    closed_unverified: int
    open: int
    median_days_to_respond: float | None

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


def year_metrics(organisation: str, year: int) -> YearMetrics:
    """Requests received in ``year`` (UTC): how many were complied with, denied, and how fast."""
    start, end = datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
    rows = list(
        RightsRequest.objects.filter(
            organisation=organisation, received_at__gte=start, received_at__lt=end
        ).values_list("status", "received_at", "closed_at")
    )
    answered = [
        (closed - received).total_seconds() / 86400
        for status, received, closed in rows
        if status in (RequestStatus.COMPLETED, RequestStatus.DENIED) and closed is not None
    ]
    count = dict.fromkeys(RequestStatus.values, 0)
    for status, _received, _closed in rows:
        count[status] += 1
    return YearMetrics(
        organisation=organisation,
        year=year,
        received=len(rows),
        complied=count[RequestStatus.COMPLETED],
        denied=count[RequestStatus.DENIED],
        closed_unverified=count[RequestStatus.CLOSED_UNVERIFIED],
        open=len(rows)
        - count[RequestStatus.COMPLETED]
        - count[RequestStatus.DENIED]
        - count[RequestStatus.CLOSED_UNVERIFIED],
        median_days_to_respond=round(statistics.median(answered), 1) if answered else None,
    )


def purge_expired_records(now: datetime | None = None) -> int:
    """Delete request records whose retention has ended (24 months for i-PRO, CP7)."""
    now = now or timezone.now()
    purged = 0
    for request_id in RightsRequest.objects.filter(purge_after__lt=now).values_list("pk", flat=True):
        with transaction.atomic():
            request = RightsRequest.objects.select_for_update().filter(pk=request_id, purge_after__lt=now).first()
            if request is None:
                continue
            record(
                Actor.system("rights"),
                "request.record_purged",
                target_type="rights.request",
                target_id=str(request.pk),
                details={"reference": request.reference, "organisation": request.organisation},
            )
            request.delete()
            purged += 1
    return purged


def expire_results(now: datetime | None = None) -> int:
    """Delete result packages whose download link has expired."""
    now = now or timezone.now()
    expired = 0
    expiring = RightsRequest.objects.filter(result_expires_at__lt=now, files__kind=RequestFile.Kind.RESULT)
    for request in expiring.distinct():
        with transaction.atomic():
            deleted, _ = RequestFile.objects.filter(request=request, kind=RequestFile.Kind.RESULT).delete()
            audit(Actor.system("rights"), "result_expired", request, files=deleted)
            expired += 1
    return expired


def close_unverifiable(now: datetime | None = None) -> int:
    """Close requests whose identity was not verified in time, with a notice (CP6)."""
    now = now or timezone.now()
    closed = 0
    for request in RightsRequest.objects.filter(status=RequestStatus.VERIFYING, verify_by__lt=now):
        close_unverified(request, Actor.system("rights"), reason="verification_timeout")
        closed += 1
    return closed


def due_soon_or_overdue(now: datetime | None = None) -> list[RightsRequest]:
    now = now or timezone.now()
    return list(
        RightsRequest.objects.filter(status__in=[s.value for s in _open()], due_at__lte=now + SOON).select_related(
            "assignee"
        )
    )


def send_reminders(now: datetime | None = None) -> int:
    """E-mail the assignee (or, if nobody is assigned, every privacy officer) once a day per request."""

    now = now or timezone.now()
    today = now.date()
    sent = 0
    for request in due_soon_or_overdue(now):
        if request.last_reminded_on == today or request.paused_since is not None:
            continue
        people = (
            [request.assignee]
            if request.assignee
            else list(User.objects.filter(role=Role.PRIVACY_OFFICER, is_active=True))
        )
        people = [person for person in people if person is not None and person.email]
        with transaction.atomic():
            updated = (
                RightsRequest.objects.filter(pk=request.pk)
                .filter(Q(last_reminded_on__isnull=True) | ~Q(last_reminded_on=today))
                .update(last_reminded_on=today)
            )
            if not updated:
                continue
            audit(Actor.system("rights"), "reminded", request, overdue=request.due_at < now, recipients=len(people))
        for person in people:
            send_reminder(request, person.email, person.language, overdue=request.due_at < now)
            sent += 1
    return sent


def _open() -> tuple[RequestStatus, ...]:
    return OPEN_STATUSES


def daily_sweep() -> dict[str, int]:
    """The daily housekeeping: close unverifiable requests, remind, expire results, purge records."""
    return {
        "closed_unverified": close_unverifiable(),
        "reminders": send_reminders(),
        "results_expired": expire_results(),
        "records_purged": purge_expired_records(),
    }


@task()
def sweep() -> dict[str, int]:
    """Job: the daily sweep, queued by the worker's schedule (`mamori requests sweep` runs it at once)."""
    return daily_sweep()


def record_queue_export(actor: Actor, rows: int, filters: dict[str, str]) -> None:
    """A CSV of the queue carries requesters' names out of mamori: who took how many rows is audited.

    ``filters`` are the cleaned filter form's values (codes, never an address)."""
    with transaction.atomic():
        record(
            actor,
            "request.queue_exported",
            target_type="rights.request",
            details={"rows": rows, "filters": filters},
        )
