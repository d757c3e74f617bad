"""The console's view of the request queue: the filter form, the day's workload and the rows.

Read-only (services stay the only writers). The dashboard's counts and the queue's filters share the
same definitions here, so a number on the dashboard is exactly what its link lists.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

from django import forms
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from mamori.catalog.in_force import NoMapApplied, map_in_force
from mamori.core.spreadsheet import spreadsheet_safe
from mamori.rights.clocks import local_date
from mamori.rights.forms import jurisdiction_label
from mamori.rights.models import RequestStatus, RightsRequest
from mamori.rights.models.requests import OPEN_STATUSES
from mamori.rights.rules import RIGHT_LABELS

WEEK = timedelta(days=7)
SOON_DAYS = 3  # days left at which a request is flagged (as the reminder e-mail, records.SOON)
PAGE_SIZE = 50
EXPORT_LIMIT = 10_000  # a CSV of the whole register, not an unbounded one

# Short names for the queue's columns: the long RIGHT_LABELS speak to the requester.
RIGHT_SHORT = {
    "access": _("Access"),
    "portability": _("Portability"),
    "rectification": _("Rectification"),
    "addition": _("Addition"),
    "erasure": _("Erasure"),
    "restriction": _("Restriction"),
    "objection": _("Objection"),
    "withdraw_consent": _("Consent withdrawal"),
    "cease_third_party_provision": _("Stop third-party provision"),
    "provision_records": _("Provision records"),
    "opt_out_sale_sharing": _("Opt-out of sale/sharing"),
    "limit_sensitive": _("Limit sensitive data"),
    "usage_report": _("Usage report"),
}

DUE_CHOICES = [("", _("Any time")), ("overdue", _("Overdue")), ("week", _("Due within 7 days"))]
STATUS_BADGES = {
    RequestStatus.RECEIVED: "badge-info",
    RequestStatus.VERIFYING: "badge-warn",
    RequestStatus.VERIFIED: "badge-info",
    RequestStatus.IN_PROGRESS: "badge-info",
    RequestStatus.COMPLETED: "badge-ok",
    RequestStatus.DENIED: "badge-muted",
    RequestStatus.CLOSED_UNVERIFIED: "badge-muted",
}


def right_short(code: str) -> str:
    return str(RIGHT_SHORT.get(code) or RIGHT_LABELS.get(code) or code)


class QueueFilter(forms.Form):
    """The queue's one filter form (GET): every field narrows the list, none is required."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    due = forms.ChoiceField(label=_("Due"), required=False, choices=DUE_CHOICES)
    right = forms.ChoiceField(label=_("Right"), required=False)
    jurisdiction = forms.ChoiceField(label=_("Jurisdiction"), required=False)
    organisation = forms.ChoiceField(label=_("Organisation"), required=False)
    review = forms.BooleanField(label=_("Identity to review"), required=False)
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)

    def __init__(self, *args: Any, organisations: Iterable[str], jurisdictions: Iterable[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        any_choice = [("", _("Any"))]
        cast(forms.ChoiceField, self.fields["status"]).choices = [
            ("", _("Open")),
            ("all", _("All")),
            *RequestStatus.choices,
        ]
        cast(forms.ChoiceField, self.fields["right"]).choices = any_choice + [
            (code, right_short(code)) for code in RIGHT_LABELS
        ]
        cast(forms.ChoiceField, self.fields["jurisdiction"]).choices = any_choice + [
            (code, jurisdiction_label(code)) for code in jurisdictions
        ]
        cast(forms.ChoiceField, self.fields["organisation"]).choices = any_choice + [(o, o) for o in organisations]

    def apply(self, requests: QuerySet[RightsRequest], user: Any, now: datetime) -> QuerySet[RightsRequest]:
        """The requests the form asks for; an invalid form (a tampered URL) lists the open ones."""
        data = self.cleaned_data if self.is_valid() else {}
        status = data.get("status") or ""
        if status == "":
            requests = requests.filter(status__in=OPEN_STATUSES)
        elif status != "all":
            requests = requests.filter(status=status)
        if data.get("due") == "overdue":
            requests = requests.filter(status__in=OPEN_STATUSES, due_at__lt=now)
        elif data.get("due") == "week":
            requests = requests.filter(status__in=OPEN_STATUSES, due_at__gte=now, due_at__lt=now + WEEK)
        for name in ("right", "jurisdiction", "organisation"):
            if data.get(name):
                requests = requests.filter(**{name: data[name]})
        if data.get("review"):
            requests = requests.filter(IDENTITY_REVIEW)
        if data.get("mine"):
            requests = requests.filter(assignee=user)
        return requests


# Waiting for a person to look at identity documents (the automatic check could not decide).
IDENTITY_REVIEW = Q(status=RequestStatus.VERIFYING, needs_staff_review=True)


@dataclass(frozen=True)
class Workload:
    by_status: list[tuple[str, str, int]]  # (status, label, count) for each open status
    overdue: int
    due_this_week: int
    identity_review: int

    @property
    def open_total(self) -> int:
        return sum(count for _status, _label, count in self.by_status)


def workload(requests: QuerySet[RightsRequest], now: datetime) -> Workload:
    """The day's work in one query: open requests per state, overdue, due within a week, to review."""
    open_q = Q(status__in=OPEN_STATUSES)
    counts = requests.aggregate(
        overdue=Count("pk", filter=open_q & Q(due_at__lt=now)),
        week=Count("pk", filter=open_q & Q(due_at__gte=now, due_at__lt=now + WEEK)),
        review=Count("pk", filter=IDENTITY_REVIEW),
        **{f"s_{status.value}": Count("pk", filter=Q(status=status)) for status in OPEN_STATUSES},
    )
    return Workload(
        by_status=[(status.value, str(status.label), counts[f"s_{status.value}"]) for status in OPEN_STATUSES],
        overdue=counts["overdue"],
        due_this_week=counts["week"],
        identity_review=counts["review"],
    )


class Zones:
    """The organisation's time zone, looked up once per organisation (not once per row)."""

    def __init__(self, known: dict[str, str] | None = None) -> None:
        self._zones: dict[str, str] = dict(known or {})

    def __call__(self, organisation: str) -> str:
        if organisation not in self._zones:
            try:
                self._zones[organisation] = map_in_force(organisation)[1].organisation.time_zone
            except NoMapApplied:
                self._zones[organisation] = "UTC"
        return self._zones[organisation]


@dataclass(frozen=True)
class QueueRow:
    req: RightsRequest
    due_on: date
    days_left: int | None  # None once closed
    right_label: str
    jurisdiction_label: str

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0

    @property
    def days_overdue(self) -> int:
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0

    @property
    def soon(self) -> bool:
        return self.days_left is not None and 0 <= self.days_left <= SOON_DAYS

    @property
    def status_badge(self) -> str:
        return STATUS_BADGES.get(cast(RequestStatus, self.req.status), "badge-muted")

    @property
    def needs_review(self) -> bool:
        return self.req.status == RequestStatus.VERIFYING and self.req.needs_staff_review


def queue_rows(requests: Iterable[RightsRequest], now: datetime, zones: Zones | None = None) -> list[QueueRow]:
    """Rows with the days left counted in calendar days of the organisation's zone (what the deadline is)."""
    zone_of = zones or Zones()
    rows = []
    for found in requests:
        zone = zone_of(found.organisation)
        due_on = local_date(found.due_at, zone)
        rows.append(
            QueueRow(
                req=found,
                due_on=due_on,
                days_left=(due_on - local_date(now, zone)).days if found.is_open else None,
                right_label=right_short(found.right),
                jurisdiction_label=jurisdiction_label(found.jurisdiction),
            )
        )
    return rows


CSV_HEADER = [
    _("Reference"),
    _("Requester"),
    _("Organisation"),
    _("Right"),
    _("Jurisdiction"),
    _("Status"),
    _("Received"),
    _("Due"),
    _("Days left"),
    _("Assignee"),
]


def csv_rows(rows: Iterable[QueueRow]) -> Iterable[list[str]]:
    yield [str(label) for label in CSV_HEADER]
    for row in rows:
        found = row.req
        yield [
            spreadsheet_safe(value)
            for value in (
                found.reference,
                found.requester_name,
                found.organisation,
                row.right_label,
                found.jurisdiction,
                found.get_status_display(),
                found.received_on.isoformat(),
                row.due_on.isoformat(),
                "" if row.days_left is None else row.days_left,
                found.assignee.get_username() if found.assignee else "",
            )
        ]
