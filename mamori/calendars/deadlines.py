"""Deadline arithmetic on top of the business calendars.

- ``add_calendar_days``: "45 calendar days from receipt" (CPRA); the day of receipt is day 0.
- ``add_months_gdpr``: GDPR Art. 12(3) months, counted as Reg. (EEC, Euratom) 1182/71 Art. 3 and
  EDPB Guidelines 01/2022 §5.3 describe: the period ends on the same date of the later month, or
  on that month's last day when it has no such date; an end on a Saturday, Sunday or public
  holiday moves to the next working day.
- ``effective_receipt_date``: when a request received at a given instant counts as received,
  given the contact's opening hours (a promise such as i-PRO's "after-hours requests are handled
  the next business day").
"""

from __future__ import annotations

import calendar as gregorian
import enum
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mamori.calendars._i18n import _
from mamori.calendars.business import BusinessCalendar, CalendarError, get_calendar, require_date


def add_calendar_days(received: date, days: int) -> date:
    """``days`` calendar days after ``received`` (which is not counted); no rolling."""
    start = require_date(received, "received")
    if days < 0:
        raise CalendarError(_("The number of days must not be negative."))
    return start + timedelta(days=days)


def add_months_gdpr(received: date, months: int, *, calendar: BusinessCalendar | str) -> date:
    """The end of a GDPR period of ``months`` months starting with a request ``received`` that day.

    ``calendar`` is the member state's calendar (a ``BusinessCalendar`` or its id). Only
    Saturdays, Sundays and public holidays roll the end forward: company closures do not (see
    ``BusinessCalendar.is_public_working_day``).
    """
    start = require_date(received, "received")
    if months < 0:
        raise CalendarError(_("The number of months must not be negative."))
    working = get_calendar(calendar) if isinstance(calendar, str) else calendar
    year, month_index = divmod(start.month - 1 + months, 12)
    year += start.year
    month = month_index + 1
    end = date(year, month, min(start.day, gregorian.monthrange(year, month)[1]))
    while not working.is_public_working_day(end):
        end += timedelta(days=1)
    return end


class AfterHours(enum.StrEnum):
    """What a request received outside opening hours counts as."""

    # Outside hours or on a closed day: received on the next business day (the clock starts then).
    NEXT_BUSINESS_DAY = "next_business_day"
    # The local date of arrival, whatever the hour: the legal default when nothing is promised.
    DATE_RECEIVED = "date_received"


@dataclass(frozen=True)
class OpeningHours:
    """When a contact point (a customer centre, a privacy mailbox) is open.

    ``opens`` and ``closes`` are local wall-clock times in ``time_zone`` on the business days of
    ``calendar``; the contact is open from ``opens`` (inclusive) to ``closes`` (exclusive), so a
    request arriving at 18:00 sharp at a centre open 9:00-18:00 is after hours. Overnight
    opening (closing after midnight) is not supported.
    """

    opens: time
    closes: time
    time_zone: ZoneInfo
    calendar: BusinessCalendar
    after_hours: AfterHours = field(default=AfterHours.NEXT_BUSINESS_DAY)
    # Which days the contact opens (the map's `hours.days`): "business_days" of the calendar,
    # "weekdays" (Monday to Friday, holidays included) or "every_day".
    days: str = "business_days"

    def __post_init__(self) -> None:
        if isinstance(self.time_zone, str):
            object.__setattr__(self, "time_zone", _zone(self.time_zone))
        if not isinstance(self.after_hours, AfterHours):
            object.__setattr__(self, "after_hours", _after_hours(self.after_hours))
        if self.opens.tzinfo is not None or self.closes.tzinfo is not None:
            raise CalendarError(_("Opening hours are local times; give the time zone separately."))
        if not self.opens < self.closes:
            raise CalendarError(_("Opening hours must close after they open, on the same day."))
        if self.days not in ("business_days", "weekdays", "every_day"):
            raise CalendarError(_("Opening days must be business_days, weekdays or every_day."))

    @classmethod
    def from_settings(
        cls,
        *,
        opens: str,
        closes: str,
        time_zone: str,
        calendar: BusinessCalendar | str,
        after_hours: str = AfterHours.NEXT_BUSINESS_DAY.value,
        days: str = "business_days",
    ) -> OpeningHours:
        """Build from plain strings, as stored in a policy or the console ("09:00", "Asia/Tokyo")."""
        try:
            opens_at, closes_at = time.fromisoformat(opens), time.fromisoformat(closes)
        except ValueError as exc:
            raise CalendarError(_("Opening hours must be times such as 09:00.")) from exc
        return cls(
            opens=opens_at,
            closes=closes_at,
            time_zone=_zone(time_zone),
            calendar=get_calendar(calendar) if isinstance(calendar, str) else calendar,
            after_hours=_after_hours(after_hours),
            days=days,
        )

    def is_open_day(self, day: date) -> bool:
        if self.days == "every_day":
            return True
        if self.days == "weekdays":
            return day.weekday() < 5
        return self.calendar.is_business_day(day)

    def next_open_day(self, day: date) -> date:
        if self.days == "business_days":
            return self.calendar.next_business_day(day)
        following = day + timedelta(days=1)
        while not self.is_open_day(following):
            following += timedelta(days=1)
        return following

    def is_open_at(self, moment: datetime) -> bool:
        local = _aware(moment).astimezone(self.time_zone)
        return self.is_open_day(local.date()) and self.opens <= local.time() < self.closes


def effective_receipt_date(received_at: datetime, hours: OpeningHours) -> date:
    """The date a request received at ``received_at`` counts as received, in the contact's zone.

    With ``after_hours=next_business_day``: during opening hours, or before opening on a business
    day (it is read that same morning), the receipt date is that local date; after closing
    time, or any time on a day the contact is closed, it is the next day it opens (the map's
    opening days: business days of the calendar, weekdays or every day). Deadlines then count
    from this date with the day of receipt not counted.
    """
    local = _aware(received_at).astimezone(hours.time_zone)
    local_date = local.date()
    if hours.after_hours is AfterHours.DATE_RECEIVED:
        return local_date
    if hours.is_open_day(local_date) and local.time() < hours.closes:
        return local_date
    return hours.next_open_day(local_date)


def _aware(moment: datetime) -> datetime:
    if not isinstance(moment, datetime):
        raise TypeError(f"expected a datetime, not {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        # A naive time could be UTC or local; guessing would shift receipts across midnight.
        raise ValueError("received_at must be timezone-aware")
    return moment


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise CalendarError(_("Unknown time zone %(zone)r.") % {"zone": name}) from exc


def _after_hours(value: str) -> AfterHours:
    try:
        return AfterHours(value)
    except ValueError as exc:
        raise CalendarError(
            _("Unknown after-hours rule %(rule)r; use one of: %(valid)s.")
            % {"rule": value, "valid": ", ".join(rule.value for rule in AfterHours)}
        ) from exc
