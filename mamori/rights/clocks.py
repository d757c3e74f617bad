"""Deadlines of a request: from its rule, the moment it arrived, the contact's hours and the calendar.

Pure Python. Every clock of the rule (the law's and each commitment's) is turned into a date and
the earliest wins: that is what "the stricter value wins" means for dates counted in different
units. The day a request arrives is dated where the requester is (RULES.md "When a request
arrives..."): their jurisdiction's zone, and also the controller's reading (its zone and, where the
map gives them, its opening hours, NP14); each clock takes the earlier date the readings give.
The services store deadlines as the end of that day in the controller's zone, in UTC
(`end_of_day_utc`).
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

# The zone a requester's jurisdiction dates a day in. An EU member state with several zones is
# read in its capital's (mainland) zone.
_EUROPEAN_ZONES = {
    "AT": "Europe/Vienna",
    "BE": "Europe/Brussels",
    "BG": "Europe/Sofia",
    "CY": "Asia/Nicosia",
    "CZ": "Europe/Prague",
    "DE": "Europe/Berlin",
    "DK": "Europe/Copenhagen",
    "EE": "Europe/Tallinn",
    "ES": "Europe/Madrid",
    "FI": "Europe/Helsinki",
    "FR": "Europe/Paris",
    "GR": "Europe/Athens",
    "EL": "Europe/Athens",
    "HR": "Europe/Zagreb",
    "HU": "Europe/Budapest",
    "IE": "Europe/Dublin",
    "IT": "Europe/Rome",
    "LT": "Europe/Vilnius",
    "LU": "Europe/Luxembourg",
    "LV": "Europe/Riga",
    "MT": "Europe/Malta",
    "NL": "Europe/Amsterdam",
    "PL": "Europe/Warsaw",
    "PT": "Europe/Lisbon",
    "RO": "Europe/Bucharest",
    "SE": "Europe/Stockholm",
    "SI": "Europe/Ljubljana",
    "SK": "Europe/Bratislava",
    "IS": "Atlantic/Reykjavik",
    "LI": "Europe/Vaduz",
    "NO": "Europe/Oslo",
}
_ZONES = {"JP": "Asia/Tokyo", "US-CA": "America/Los_Angeles", "UK": "Europe/London", "CH": "Europe/Zurich"}


def requester_time_zone(jurisdiction: str) -> str | None:
    """The time zone a requester in ``jurisdiction`` lives in (None for a code with no single zone)."""
    if jurisdiction in _ZONES:
        return _ZONES[jurisdiction]
    prefix, _, state = jurisdiction.partition("-")
    if prefix in ("EU", "EEA"):
        return _EUROPEAN_ZONES.get(state)
    return None


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
            opens=hours.open,
            closes=hours.close,
            time_zone=privacy_map.organisation.time_zone,
            calendar=contact_calendar,
            after_hours=after,
            days=hours.days,
        )
    return None


def receipt_date(received_at: datetime, time_zone: str, hours: OpeningHours | None) -> date:
    if hours is not None:
        return effective_receipt_date(received_at, hours)
    return received_at.astimezone(ZoneInfo(time_zone)).date()


def request_calendar(rule: RequestRule, closures: Mapping[date, str] | None = None) -> BusinessCalendar:
    return get_calendar(rule.calendar_id, closures=closures or {}, observed_state_holidays=rule.observed_state_holidays)


def compute_deadlines(
    rule: RequestRule,
    received_at: datetime,
    *,
    time_zone: str,
    hours: OpeningHours | None = None,
    closures: Mapping[date, str] | None = None,
) -> Deadlines:
    """The deadlines of a request received at ``received_at``.

    Two readings of the receipt day: the controller's (``time_zone``, with its opening ``hours``)
    and, where it lives elsewhere, the requester's jurisdiction's local date. A clock takes the
    earlier date: a Californian's Monday 10:00 is already Tuesday in Tokyo, and counting from
    Tuesday would make every date a day late.
    """
    calendar = request_calendar(rule, closures)
    readings = [receipt_date(received_at, time_zone, hours)]
    requester_zone = requester_time_zone(rule.jurisdiction)
    if requester_zone is not None and requester_zone != time_zone:
        readings.append(received_at.astimezone(ZoneInfo(requester_zone)).date())
    each = [_deadlines_from(rule, day, calendar) for day in dict.fromkeys(readings)]
    respond_by = min(found.respond_by for found in each)
    extend_limit = _earliest(found.extend_limit for found in each)
    if extend_limit is not None and extend_limit <= respond_by:
        extend_limit = None  # a commitment tighter than the legal extension leaves nothing to extend
    return Deadlines(
        received_on=min(found.received_on for found in each),
        acknowledge_by=_earliest(found.acknowledge_by for found in each),
        respond_by=respond_by,
        extend_limit=extend_limit,
        verify_by=min(found.verify_by for found in each),
    )


def _deadlines_from(rule: RequestRule, received_on: date, calendar: BusinessCalendar) -> Deadlines:
    acknowledge_by = _earliest(_clock_date(clock, "acknowledge", received_on, calendar) for clock in rule.clocks)
    respond_by = _earliest(_clock_date(clock, "respond", received_on, calendar) for clock in rule.clocks)
    if respond_by is None:  # rules.rule_for always gives one; kept for safety with hand-made rules
        raise ValueError("a request rule needs a response clock")
    extend_limit = _earliest(_clock_date(clock, "extend_to", received_on, calendar) for clock in rule.clocks)
    verify_by = add_duration(received_on, verification_timeout(rule), calendar)
    return Deadlines(received_on, acknowledge_by, respond_by, extend_limit, verify_by)


def end_of_day_utc(day: date, time_zone: str) -> datetime:
    """The last moment of ``day`` in the controller's zone, in UTC (how deadlines are stored)."""
    local = datetime.combine(day + timedelta(days=1), time(0), tzinfo=ZoneInfo(time_zone)) - timedelta(microseconds=1)
    return local.astimezone(UTC)


def local_date(moment: datetime, time_zone: str) -> date:
    return moment.astimezone(ZoneInfo(time_zone)).date()
