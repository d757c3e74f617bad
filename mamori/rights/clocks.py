"""Deadlines of a request: from its rule, the moment it arrived, the contact's hours and the calendar.

Pure Python. Every clock of the rule (the law's and each commitment's) is turned into a date and
the earliest wins: that is what "the stricter value wins" means for dates counted in different
units. Dates are legal dates in the controller's time zone; the services store them as the end of
that day in UTC (`end_of_day_utc`).
"""

from __future__ import annotations

import calendar as gregorian
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from mamori.calendars import (
    BusinessCalendar,
    OpeningHours,
    add_calendar_days,
    add_months_gdpr,
    effective_receipt_date,
    get_calendar,
)
from mamori.catalog.mapfile import PrivacyMap
from mamori.catalog.mapfile.values import Duration
from mamori.rights.rules import LegalClock, RequestRule, verification_timeout


@dataclass(frozen=True)
class Deadlines:
    received_on: date  # the date the request counts as received (after-hours rule applied)
    acknowledge_by: date | None
    respond_by: date
    extend_limit: date | None  # the latest an extension may push the answer to
    verify_by: date


def add_duration(start: date, duration: Duration, calendar: BusinessCalendar, *, gdpr_months: bool = False) -> date:
    """``start`` plus ``duration``; the start day is never counted."""
    if duration.unit == "business_day":
        return calendar.add_business_days(start, duration.amount)
    if duration.unit == "day":
        return add_calendar_days(start, duration.amount)
    if duration.unit == "week":
        return add_calendar_days(start, 7 * duration.amount)
    months = duration.amount * (12 if duration.unit == "year" else 1)
    if duration.unit in ("month", "year"):
        if gdpr_months:
            return add_months_gdpr(start, months, calendar=calendar)
        return add_months(start, months)
    raise ValueError(f"a request clock cannot be {duration}")


def add_months(start: date, months: int) -> date:
    """Same date ``months`` later, or that month's last day (no rolling)."""
    year, month_index = divmod(start.month - 1 + months, 12)
    year += start.year
    month = month_index + 1
    return date(year, month, min(start.day, gregorian.monthrange(year, month)[1]))


def _earliest(dates: Iterable[date | None]) -> date | None:
    found = [day for day in dates if day is not None]
    return min(found) if found else None


def _clock_date(clock: LegalClock, attribute: str, start: date, calendar: BusinessCalendar) -> date | None:
    duration = getattr(clock, attribute)
    if duration is None:
        return None
    return add_duration(start, duration, calendar, gdpr_months=clock.gdpr_months)


def opening_hours(privacy_map: PrivacyMap, calendar: BusinessCalendar) -> OpeningHours | None:
    """The hours of the contact that handles privacy requests, if the map gives any (NP14).

    The contact's hours are counted on the request's calendar (with the company's closures)
    when the contact names the same calendar; otherwise on the contact's own.
    """
    for contact in privacy_map.organisation.contacts:
        if "privacy_requests" not in contact.handles or contact.hours is None:
            continue
        hours = contact.hours
        after = "next_business_day" if hours.after_hours == "next_business_day" else "date_received"
        same = hours.calendar == calendar.calendar_id
        contact_calendar: BusinessCalendar | str = calendar if same else hours.calendar
        return OpeningHours.from_settings(
            opens=hours.open, closes=hours.close, time_zone=privacy_map.organisation.time_zone,
            calendar=contact_calendar, after_hours=after,
        )  # fmt: skip
    return None


def receipt_date(received_at: datetime, time_zone: str, hours: OpeningHours | None) -> date:
    if hours is not None:
        return effective_receipt_date(received_at, hours)
    return received_at.astimezone(ZoneInfo(time_zone)).date()


def request_calendar(rule: RequestRule, closures: Mapping[date, str] | None = None) -> BusinessCalendar:
    return get_calendar(rule.calendar_id, closures=closures or {})


def compute_deadlines(
    rule: RequestRule,
    received_at: datetime,
    *,
    time_zone: str,
    hours: OpeningHours | None = None,
    closures: Mapping[date, str] | None = None,
) -> Deadlines:
    calendar = request_calendar(rule, closures)
    received_on = receipt_date(received_at, time_zone, hours)
    acknowledge_by = _earliest(_clock_date(clock, "acknowledge", received_on, calendar) for clock in rule.clocks)
    respond_by = _earliest(_clock_date(clock, "respond", received_on, calendar) for clock in rule.clocks)
    if respond_by is None:  # rules.rule_for always gives one; kept for safety with hand-made rules
        raise ValueError("a request rule needs a response clock")
    extend_limit = _earliest(_clock_date(clock, "extend_to", received_on, calendar) for clock in rule.clocks)
    if extend_limit is not None and extend_limit <= respond_by:
        extend_limit = None  # a commitment tighter than the legal extension leaves nothing to extend
    verify_by = add_duration(received_on, verification_timeout(rule), calendar)
    return Deadlines(received_on, acknowledge_by, respond_by, extend_limit, verify_by)


def end_of_day_utc(day: date, time_zone: str) -> datetime:
    """The last moment of ``day`` in the controller's zone, in UTC (how deadlines are stored)."""
    local = datetime.combine(day + timedelta(days=1), time(0), tzinfo=ZoneInfo(time_zone)) - timedelta(microseconds=1)
    return local.astimezone(UTC)


def local_date(moment: datetime, time_zone: str) -> date:
    return moment.astimezone(ZoneInfo(time_zone)).date()
