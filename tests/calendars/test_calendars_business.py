"""Business calendars: which days count, and how business days are added."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime, timedelta

import pytest

from mamori.calendars import (
    CALENDAR_IDS,
    MAX_BUSINESS_DAYS,
    CalendarError,
    UnknownCalendarError,
    get_calendar,
)
from mamori.core.errors import DomainError


def test_ipro_acknowledgement_of_a_request_received_on_friday_2026_12_25_on_the_jp_calendar():
    # i-PRO promises to confirm receipt "within 10 business days" (PROMISES.md CP4).
    # Received Fri 2026-12-25 (a Japanese business day, but the day of receipt is not counted).
    #   1: Mon 12-28 | Tue 12-29 .. Sun 01-03: year-end closure
    #   2: Mon 01-04, 3: Tue 01-05, 4: Wed 01-06, 5: Thu 01-07, 6: Fri 01-08
    #   Sat 01-09, Sun 01-10, Mon 2027-01-11 Coming of Age Day (成人の日)
    #   7: Tue 01-12, 8: Wed 01-13, 9: Thu 01-14, 10: Fri 2027-01-15
    assert get_calendar("JP").add_business_days(date(2026, 12, 25), 10) == date(2027, 1, 15)


def test_ipro_acknowledgement_of_a_request_received_on_friday_2026_12_25_on_the_us_ca_calendar():
    # The same request on the California calendar (CPRA: 10 business days to acknowledge).
    # Fri 2026-12-25 is Christmas Day; either way the day of receipt is not counted.
    #   1: Mon 12-28, 2: Tue 12-29, 3: Wed 12-30, 4: Thu 12-31
    #   Fri 2027-01-01 New Year's Day, Sat 01-02, Sun 01-03
    #   5: Mon 01-04, 6: Tue 01-05, 7: Wed 01-06, 8: Thu 01-07, 9: Fri 01-08
    #   10: Mon 2027-01-11 (Martin Luther King Jr. Day is the week after, 01-18)
    assert get_calendar("US-CA").add_business_days(date(2026, 12, 25), 10) == date(2027, 1, 11)


def test_the_day_of_receipt_is_never_counted():
    jp = get_calendar("JP")
    friday, saturday, monday = date(2026, 6, 5), date(2026, 6, 6), date(2026, 6, 8)
    assert jp.add_business_days(friday, 1) == monday
    assert jp.add_business_days(saturday, 1) == monday
    assert jp.add_business_days(monday, 1) == date(2026, 6, 9)
    assert jp.add_business_days(saturday, 0) == saturday


def test_next_business_day_is_strictly_after_the_given_day():
    jp = get_calendar("JP")
    assert jp.next_business_day(date(2026, 6, 8)) == date(2026, 6, 9)
    assert jp.next_business_day(date(2026, 12, 28)) == date(2027, 1, 4)
    assert jp.business_day_on_or_after(date(2026, 6, 8)) == date(2026, 6, 8)
    assert jp.business_day_on_or_after(date(2026, 6, 6)) == date(2026, 6, 8)


def test_business_days_between_is_the_inverse_of_adding_them():
    jp = get_calendar("JP")
    start = date(2026, 12, 20)
    for count in range(30):
        end = jp.add_business_days(start, count)
        assert jp.business_days_between(start, end) == count
    assert jp.business_days_between(date(2027, 1, 15), date(2026, 12, 25)) == -10
    # From Friday to the Sunday after: nothing counted (Saturday and Sunday are closed).
    assert jp.business_days_between(date(2026, 6, 5), date(2026, 6, 7)) == 0


@pytest.mark.parametrize(
    ("day", "why"),
    [
        (date(2026, 9, 22), "citizens' holiday between Respect for the Aged Day and the equinox"),
        (date(2026, 5, 6), "substitute holiday for Constitution Day on a Sunday"),
        (date(2027, 3, 22), "substitute holiday for the vernal equinox on a Sunday"),
        (date(2026, 12, 29), "year-end closure"),
        (date(2027, 1, 3), "year-end closure"),
    ],
)
def test_jp_closed_days(day, why):
    assert not get_calendar("JP").is_business_day(day), why


def test_jp_year_end_closure_is_listed_with_the_national_holiday_it_overlaps():
    closed = {entry.day: entry.names for entry in get_calendar("JP").closed_days(2027)}
    assert closed[date(2027, 1, 1)] == ("New Year's Day", "Year-end closure")
    assert closed[date(2027, 12, 29)] == ("Year-end closure",)
    assert date(2027, 1, 9) not in closed  # plain Saturdays are not listed
    japanese = {entry.day: entry.names for entry in get_calendar("JP", language="ja").closed_days(2027)}
    assert japanese[date(2027, 1, 11)] == ("成人の日",)


def test_company_closures_close_extra_days_and_carry_a_label():
    jp = get_calendar("JP", closures={date(2027, 8, 12): "Summer closure", date(2027, 8, 13): ""})
    assert not jp.is_business_day(date(2027, 8, 12))
    assert jp.closure_names(date(2027, 8, 12)) == ["Summer closure"]
    assert jp.closure_names(date(2027, 8, 13)) == ["Company closure"]
    # Mon 08-09 .. Wed 08-11 (Mountain Day) .. closed Thu, Fri .. Mon 08-16
    assert jp.add_business_days(date(2027, 8, 9), 2) == date(2027, 8, 16)
    assert get_calendar("JP", closures=[date(2027, 8, 12)]).closure_names(date(2027, 8, 12)) == ["Company closure"]


@pytest.mark.parametrize(
    ("calendar_id", "day", "open_"),
    [
        ("US-CA", date(2026, 11, 27), False),  # Day After Thanksgiving, a California state holiday
        ("US-CA", date(2026, 3, 31), True),  # Cesar Chavez Day: most businesses work (not observed by default)
        ("US-CA", date(2026, 1, 19), False),  # Martin Luther King Jr. Day, federal
        ("US-CA", date(2026, 12, 29), True),  # no year-end closure outside Japan
        ("UK", date(2026, 12, 28), False),  # Boxing Day (observed), Boxing Day being a Saturday
        ("UK", date(2026, 8, 31), False),  # Late Summer Bank Holiday (England)
        ("EU-FR", date(2026, 7, 14), False),
        ("EU-DE", date(2026, 7, 14), True),
        ("EU-DE", date(2026, 10, 3), False),  # German Unity Day, on a Saturday anyway
        ("EU-GR", date(2026, 4, 13), False),  # Orthodox Easter Monday
    ],
)
def test_other_jurisdictions(calendar_id, day, open_):
    assert get_calendar(calendar_id).is_business_day(day) is open_


@pytest.mark.parametrize("calendar_id", CALENDAR_IDS)
def test_every_calendar_id_works(calendar_id):
    calendar = get_calendar(calendar_id)
    assert calendar.calendar_id == calendar_id
    assert not calendar.is_business_day(date(2026, 1, 1))  # New Year's Day everywhere listed
    assert not calendar.is_business_day(date(2026, 1, 3))  # a Saturday
    assert calendar.closed_days(2026)


def test_calendar_ids_are_normalised():
    assert get_calendar("jp").calendar_id == "JP"
    assert get_calendar("us_ca").calendar_id == "US-CA"
    assert get_calendar("EU-EL").calendar_id == "EU-GR"  # the EU's code for Greece


def test_unknown_calendar_is_a_clear_domain_error_listing_valid_ids():
    with pytest.raises(UnknownCalendarError) as caught:
        get_calendar("EU-US")
    assert isinstance(caught.value, DomainError)
    assert "'EU-US'" in str(caught.value)
    for valid in ("JP", "US-CA", "UK", "EU-FR"):
        assert valid in str(caught.value)


def test_bad_counts_and_days_are_refused():
    jp = get_calendar("JP")
    with pytest.raises(CalendarError, match="negative"):
        jp.add_business_days(date(2026, 1, 5), -1)
    with pytest.raises(CalendarError, match="At most"):
        jp.add_business_days(date(2026, 1, 5), MAX_BUSINESS_DAYS + 1)
    with pytest.raises(TypeError):
        jp.add_business_days(date(2026, 1, 5), 1.5)  # type: ignore[arg-type]
    # Which date a datetime falls on depends on a time zone: callers convert explicitly.
    with pytest.raises(TypeError, match=r"datetime\.date"):
        jp.is_business_day(datetime(2026, 1, 5, 12, 0))


def test_dates_outside_the_holiday_data_are_refused_rather_than_treated_as_holiday_free():
    jp = get_calendar("JP")
    assert jp.last_year == 2099
    with pytest.raises(CalendarError, match="1949 to 2099"):
        jp.is_business_day(date(2100, 1, 4))
    with pytest.raises(CalendarError):
        jp.add_business_days(date(2099, 12, 25), 10)
    assert jp.add_business_days(date(2099, 12, 18), 1) == date(2099, 12, 21)


def test_the_calendar_core_does_not_load_django():
    code = (
        "import sys, datetime\n"
        "from mamori.calendars import get_calendar, add_months_gdpr\n"
        "get_calendar('JP').add_business_days(datetime.date(2026, 12, 25), 10)\n"
        "add_months_gdpr(datetime.date(2026, 1, 31), 1, calendar='EU-FR')\n"
        "assert not [m for m in sys.modules if m.startswith('django')], 'django was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={"PATH": "/usr/bin:/bin"})


def test_weekends_are_never_business_days():
    for calendar_id in ("JP", "US-CA", "UK", "EU-IE"):
        calendar = get_calendar(calendar_id)
        day = date(2026, 1, 3)
        while day.year == 2026:
            assert not calendar.is_business_day(day)
            assert not calendar.is_business_day(day + timedelta(days=1))
            day += timedelta(days=7)


def test_us_ca_state_holidays_count_only_where_the_company_observes_them():
    chavez, diwali = date(2026, 3, 31), date(2026, 11, 9)  # Diwali 2026 is Sunday 8 Nov: no effect
    observing = get_calendar("US-CA", observed_state_holidays=["cesar_chavez_day"])
    assert not observing.is_business_day(chavez) and observing.closure_names(chavez) == ["Cesar Chavez Day"]
    assert observing.is_business_day(date(2026, 11, 27))  # the Day After Thanksgiving is not in its list
    assert get_calendar("US-CA", observed_state_holidays=[]).is_business_day(date(2026, 11, 27))
    assert get_calendar("US-CA").is_business_day(diwali)
    # Fewer holidays, earlier deadline: 10 business days from 30 March.
    assert get_calendar("US-CA").add_business_days(date(2026, 3, 30), 10) == date(2026, 4, 13)
    assert observing.add_business_days(date(2026, 3, 30), 10) == date(2026, 4, 14)
