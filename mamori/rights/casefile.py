"""What the console's request page shows: the request's timeline with its clock, and the actions
that fit its state (an action the service would refuse is not offered). Read-only."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from mamori.rights import labels
from mamori.rights.models import RequestPause, RequestStatus, RightsRequest
from mamori.rights.rules import RequestRule
from mamori.rights.services.workflow import WORK_RIGHTS


@dataclass(frozen=True)
class Event:
    at: datetime
    what: str
    detail: str = ""
    state: str = "done"  # done (happened), due (a deadline ahead), late (a deadline missed)
    requester_time: str = ""  # the moment in the requester's zone, where it differs from the company's
    requester_zone: str = ""


def _deadline(at: datetime, what: str, now: datetime, *, met: bool = False) -> Event:
    return Event(at, what, state="done" if met else ("late" if at < now else "due"))


def timeline(
    found: RightsRequest, pauses: Iterable[RequestPause], now: datetime, *, zone: str, requester_zone: str | None = None
) -> list[Event]:
    """What happened and what is due, oldest first: deadlines still ahead come last."""
    # After closing hours a request counts from the next business day: the clock starts then.
    received = f"{labels.channel(found.channel)} · " + _("the clock counts from %(date)s") % {"date": found.received_on}
    local = ""
    if requester_zone and requester_zone != zone:
        local = found.received_at.astimezone(ZoneInfo(requester_zone)).strftime("%Y-%m-%d %H:%M")
    events = [
        Event(found.received_at, _("Received"), received, requester_time=local, requester_zone=requester_zone or "")
    ]
    if found.email_verified_at:
        events.append(Event(found.email_verified_at, _("E-mail address confirmed")))
    if found.identity_verified_at:
        events.append(
            Event(found.identity_verified_at, _("Identity verified"), labels.identity_method(found.identity_method))
        )
    if found.acknowledged_at:
        events.append(Event(found.acknowledged_at, _("Receipt acknowledged"), labels.channel(found.acknowledged_via)))
    elif found.acknowledge_by and found.is_open:
        events.append(_deadline(found.acknowledge_by, _("Acknowledge receipt by"), now))
    for pause in pauses:
        events.append(Event(pause.started_at, _("Clock paused"), pause.reason))
        if pause.ended_at:
            events.append(Event(pause.ended_at, _("Clock resumed")))
    if found.extended_at:
        events.append(Event(found.extended_at, _("Deadline extended"), found.extension_reason))
    if found.is_open:
        if found.status in (RequestStatus.RECEIVED, RequestStatus.VERIFYING):
            events.append(_deadline(found.verify_by, _("Identity to be verified by"), now))
        events.append(_deadline(found.due_at, _("Answer due"), now))
        if found.extend_limit_at and not found.extended_at:
            events.append(_deadline(found.extend_limit_at, _("Latest due date with an extension"), now))
    elif found.closed_at:
        events.append(Event(found.closed_at, _("Closed"), str(found.get_status_display())))
    return sorted(events, key=lambda event: event.at)


@dataclass(frozen=True)
class Actions:
    """Which actions the request page offers (each matches a check in the workflow service)."""

    assign: bool = False
    acknowledge: bool = False
    review_identity: bool = False
    plan: bool = False
    start: bool = False
    execute: bool = False
    complete: bool = False
    extend: bool = False
    pause: bool = False
    resume: bool = False
    deny: bool = False

    @property
    def any(self) -> bool:
        return any(self.__dict__.values())


def actions(found: RightsRequest, rule: RequestRule, *, can_work: bool, has_handler: bool, work: Any) -> Actions:
    """``work`` is the fulfilment outcome (None before a run exists)."""
    if not can_work or not found.is_open:
        return Actions()
    verified = found.status in (RequestStatus.VERIFIED, RequestStatus.IN_PROGRESS)
    # Executed once: the engine's run left "planned", or another handler recorded its outcome.
    not_executed = (work is None and not found.outcome_status) or (work is not None and work.status == "planned")
    work_done = found.right not in WORK_RIGHTS or (work is not None and work.status == "completed")
    return Actions(
        assign=True,
        acknowledge=found.acknowledged_at is None,
        review_identity=found.status == RequestStatus.VERIFYING,
        plan=verified and has_handler and found.plan is None,
        start=found.status == RequestStatus.VERIFIED,
        execute=verified and has_handler and found.plan is not None and not_executed,
        complete=verified and work_done and not found.is_paused,
        extend=bool(found.extend_limit_at) and not found.extended_at,
        pause=rule.pausable and not found.is_paused,
        resume=rule.pausable and found.is_paused,
        deny=True,
    )
