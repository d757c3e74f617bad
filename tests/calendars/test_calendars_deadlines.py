"""Deadline helpers: calendar days, GDPR months, and opening hours (receipt after hours)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from mamori.calendars import (
    AfterHours,
    CalendarError,
    OpeningHours,
    add_calendar_days,
    add_months_gdpr,
    effective_receipt_date,
    get_calendar,
)

TOKYO = ZoneInfo("Asia/Tokyo")


def test_cpra_45_calendar_days_do_not_skip_weekends_or_holidays():
    # Received Fri 2026-12-25: day 45 is Sun 2027-02-08; calendar days do not roll.
    assert add_calendar_days(date(2026, 12, 25), 45) == date(2027, 2, 8)
    assert add_calendar_days(date(2026, 12, 25), 90) == date(2027, 3, 25)
    with pytest.raises(CalendarError):
        add_calendar_days(date(2026, 12, 25), -1)


@pytest.mark.parametrize(
    ("received", "months", "calendar", "expected", "why"),
    [
        (
            date(2026, 3, 5),
            1,
            "EU-FR",
            date(2026, 4, 7),
            "same date next month: Sun 04-05 -> Easter Monday 04-06 -> Tue 04-07",
        ),
        (date(2026, 2, 10), 1, "EU-FR", date(2026, 3, 10), "same date next month, a Tuesday"),
        (date(2025, 1, 31), 1, "EU-FR", date(2025, 2, 28), "no Feb 31: the month's last day (a Friday)"),
        (date(2028, 1, 31), 1, "EU-FR", date(2028, 2, 29), "leap year: Feb 29 (a Tuesday)"),
        (date(2026, 1, 31), 1, "EU-FR", date(2026, 3, 2), "Feb 28 2026 is a Saturday: rolls to Monday"),
        (date(2026, 4, 16), 1, "EU-FR", date(2026, 5, 18), "Sat 05-16 rolls to Monday 05-18"),
        (date(2026, 4, 14), 1, "EU-FR", date(2026, 5, 15), "Thu 05-14 is Ascension Day in France"),
        (date(2026, 6, 14), 1, "EU-FR", date(2026, 7, 15), "Tue 07-14 is France's national day"),
        (date(2026, 6, 14), 1, "EU-DE", date(2026, 7, 14), "but an ordinary Tuesday in Germany"),
        (
            date(2026, 3, 3),
            1,
            "EU-DE",
            date(2026, 4, 7),
            "Good Friday 04-03, the weekend, Easter Monday 04-06: Tuesday 04-07",
        ),
        (date(2026, 1, 31), 3, "EU-IE", date(2026, 4, 30), "extended period: 1 + 2 months, Apr 30"),
        (date(2026, 11, 30), 3, "UK", date(2027, 3, 1), "into the next year: Feb 28 2027 is a Sunday"),
    ],
)
def test_gdpr_month_counting(received, months, calendar, expected, why):
    assert add_months_gdpr(received, months, calendar=calendar) == expected, why


def test_gdpr_end_does_not_move_for_a_company_closure():
    # Reg. 1182/71 rolls only over Saturdays, Sundays and public holidays; a controller that
    # closes its office on the last day still owes the answer that day.
    france_with_closure = get_calendar("EU-FR", closures={date(2026, 3, 10): "Inventory"})
    assert add_months_gdpr(date(2026, 2, 10), 1, calendar=france_with_closure) == date(2026, 3, 10)
    assert not france_with_closure.is_business_day(date(2026, 3, 10))


def test_gdpr_months_refuse_bad_input():
    with pytest.raises(CalendarError):
        add_months_gdpr(date(2026, 2, 10), -1, calendar="EU-FR")
    with pytest.raises(CalendarError, match="Unknown calendar"):
        add_months_gdpr(date(2026, 2, 10), 1, calendar="EU-XX")


@pytest.fixture
def customer_centre() -> OpeningHours:
    # i-PRO NP14: customer centre on weekdays 9:00-18:00 (Japan); after-hours requests are
    # handled the next business day.
    return OpeningHours.from_settings(
        opens="09:00", closes="18:00", time_zone="Asia/Tokyo", calendar="JP", after_hours="next_business_day"
    )


@pytest.mark.parametrize(
    ("received_at", "expected", "why"),
    [
        (datetime(2026, 12, 4, 18, 30, tzinfo=TOKYO), date(2026, 12, 7), "Friday 18:30 JST: next Monday"),
        (datetime(2026, 12, 4, 17, 59, tzinfo=TOKYO), date(2026, 12, 4), "Friday 17:59: within hours"),
        (datetime(2026, 12, 4, 18, 0, tzinfo=TOKYO), date(2026, 12, 7), "18:00 sharp is after closing"),
        (datetime(2026, 12, 7, 7, 45, tzinfo=TOKYO), date(2026, 12, 7), "before opening: read that morning"),
        (datetime(2026, 12, 5, 10, 0, tzinfo=TOKYO), date(2026, 12, 7), "Saturday: Monday"),
        (datetime(2026, 12, 6, 23, 59, tzinfo=TOKYO), date(2026, 12, 7), "Sunday night: Monday"),
        (datetime(2026, 11, 23, 10, 0, tzinfo=TOKYO), date(2026, 11, 24), "Mon 11-23 Labor Thanksgiving Day: Tuesday"),
        (
            datetime(2026, 9, 18, 20, 0, tzinfo=TOKYO),
            date(2026, 9, 24),
            "Friday evening before Silver Week: 09-21, 09-22, 09-23 are holidays",
        ),
        (datetime(2026, 12, 28, 19, 0, tzinfo=TOKYO), date(2027, 1, 4), "evening before the year-end closure"),
        # The same rules apply to an instant given in UTC; only the local time in Tokyo matters.
        (datetime(2026, 12, 4, 9, 30, tzinfo=UTC), date(2026, 12, 7), "09:30 UTC = Friday 18:30 JST"),
        (datetime(2026, 12, 6, 23, 0, tzinfo=UTC), date(2026, 12, 7), "Sunday 23:00 UTC = Monday 08:00 JST"),
        (datetime(2026, 12, 3, 23, 30, tzinfo=UTC), date(2026, 12, 4), "Thursday 23:30 UTC = Friday 08:30 JST"),
    ],
)
def test_after_hours_receipt_counts_from_the_next_business_day(customer_centre, received_at, expected, why):
    assert effective_receipt_date(received_at, customer_centre) == expected, why


def test_after_hours_receipt_then_a_business_day_clock(customer_centre):
    # Received Fri 2026-12-04 18:30 JST -> received Mon 12-07, which is itself not counted:
    # 12-08..12-11 (4), 12-14..12-18 (9), Mon 12-21 (10).
    received = effective_receipt_date(datetime(2026, 12, 4, 18, 30, tzinfo=TOKYO), customer_centre)
    assert customer_centre.calendar.add_business_days(received, 10) == date(2026, 12, 21)


def test_opening_hours_in_california():
    la = ZoneInfo("America/Los_Angeles")
    hours = OpeningHours(opens=time(9), closes=time(17), time_zone=la, calendar=get_calendar("US-CA"))
    # Thu 2026-12-24 17:30 PST, Christmas Friday, then the weekend: Monday 12-28.
    assert effective_receipt_date(datetime(2026, 12, 24, 17, 30, tzinfo=la), hours) == date(2026, 12, 28)
    assert hours.is_open_at(datetime(2026, 12, 24, 16, 59, tzinfo=la))
    assert not hours.is_open_at(datetime(2026, 12, 25, 10, 0, tzinfo=la))


def test_date_received_rule_keeps_the_local_date_of_arrival():
    hours = OpeningHours.from_settings(
        opens="09:00", closes="18:00", time_zone="Asia/Tokyo", calendar="JP", after_hours="date_received"
    )
    assert hours.after_hours is AfterHours.DATE_RECEIVED
    assert effective_receipt_date(datetime(2026, 12, 5, 10, 0, tzinfo=TOKYO), hours) == date(2026, 12, 5)
    # ...in the contact's zone: 16:00 UTC on the 4th is already the 5th in Tokyo.
    assert effective_receipt_date(datetime(2026, 12, 4, 16, 0, tzinfo=UTC), hours) == date(2026, 12, 5)


def test_receipt_time_must_be_timezone_aware(customer_centre):
    with pytest.raises(ValueError, match="timezone-aware"):
        effective_receipt_date(datetime(2026, 12, 4, 18, 30), customer_centre)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"time_zone": "Asia/Nowhere"}, "Unknown time zone"),
        ({"opens": "18:00", "closes": "09:00"}, "close after they open"),
        ({"opens": "9am"}, "times such as 09:00"),
        ({"after_hours": "whenever"}, "next_business_day"),
        ({"calendar": "JPN"}, "Unknown calendar"),
    ],
)
def test_bad_opening_hours_settings_are_refused(settings, message):
    values = {"opens": "09:00", "closes": "18:00", "time_zone": "Asia/Tokyo", "calendar": "JP"} | settings
    with pytest.raises(CalendarError, match=message):
        OpeningHours.from_settings(**values)
