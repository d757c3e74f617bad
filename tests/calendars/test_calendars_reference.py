"""The JP calendar against independent lists of Japan's national holidays.

The lists live outside the repository (/work/shared/reference/jp-holidays, next to the clone);
a user's clone does not have them, so these tests skip there.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

from mamori.calendars import get_calendar

REPO_ROOT = Path(__file__).resolve().parents[2]
REFERENCE = REPO_ROOT.parent / "shared" / "reference" / "jp-holidays"
CABINET_OFFICE_UTF8 = REFERENCE / "syukujitsu_2019-2027.utf8.csv"
CABINET_OFFICE_SJIS = REFERENCE / "syukujitsu_2026-2027.shift_jis.csv"
HOLIDAY_JP_YAML = REFERENCE / "holiday_jp_holidays_2019-2030.yml"


@pytest.fixture(scope="module")
def reference_dir() -> Path:
    if not REFERENCE.is_dir():
        pytest.skip(f"reference holiday lists not present at {REFERENCE} (they are not part of the repository)")
    return REFERENCE


def _read_cabinet_office(text: str) -> dict[date, str]:
    """The Cabinet Office syukujitsu.csv: a header row, then 'YYYY/M/D,name' rows (CRLF)."""
    rows = csv.reader(io.StringIO(text, newline=""))
    header = next(rows)
    assert header[0] == "国民の祝日・休日月日"
    holidays: dict[date, str] = {}
    for day_text, name in rows:
        year, month, day = (int(part) for part in day_text.split("/"))
        holidays[date(year, month, day)] = name
    return holidays


def _every_day(first: date, last: date):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def _expected_business_day(day: date, national_holidays: dict[date, str]) -> bool:
    year_end_closure = (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)
    return day.weekday() < 5 and day not in national_holidays and not year_end_closure


def test_jp_business_days_match_the_cabinet_office_list_for_every_day_2019_to_2027(reference_dir):
    national = _read_cabinet_office(CABINET_OFFICE_UTF8.read_text(encoding="utf-8"))
    assert min(national).year == 2019 and max(national).year == 2027
    # 2019 and 2020-2021 are the hard years: the enthronement holidays, and the Olympic moves.
    assert national[date(2019, 5, 1)] == "休日（祝日扱い）"  # noqa: RUF001 (the official spelling)
    assert date(2020, 7, 24) in national and date(2021, 7, 23) in national

    calendar = get_calendar("JP")
    mismatches = [
        (day, calendar.is_business_day(day))
        for day in _every_day(date(2019, 1, 1), date(2027, 12, 31))
        if calendar.is_business_day(day) != _expected_business_day(day, national)
    ]
    assert mismatches == []

    holidays_in_package = [
        day for day in _every_day(date(2019, 1, 1), date(2027, 12, 31)) if calendar.public_holiday_names(day)
    ]
    assert holidays_in_package == sorted(national)


def test_jp_shift_jis_original_agrees_with_the_utf8_copy_and_the_calendar(reference_dir):
    raw = CABINET_OFFICE_SJIS.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # really the original Shift_JIS bytes, not a converted copy
    from_sjis = _read_cabinet_office(raw.decode("shift_jis"))
    from_utf8 = _read_cabinet_office(CABINET_OFFICE_UTF8.read_text(encoding="utf-8"))

    assert {day.year for day in from_sjis} == {2026, 2027}
    assert from_sjis == {day: name for day, name in from_utf8.items() if day.year in (2026, 2027)}
    assert from_sjis[date(2026, 9, 22)] == "休日"  # the citizens' holiday between two holidays

    calendar = get_calendar("JP")
    for day in _every_day(date(2026, 1, 1), date(2027, 12, 31)):
        assert calendar.is_business_day(day) == _expected_business_day(day, from_sjis), day


def test_jp_holidays_match_holiday_jp_including_its_2028_to_2030_projections(reference_dir):
    listed = yaml.safe_load(HOLIDAY_JP_YAML.read_text(encoding="utf-8"))
    national = {day if isinstance(day, date) else date.fromisoformat(str(day)): name for day, name in listed.items()}
    calendar = get_calendar("JP")
    in_package = {day for day in _every_day(date(2019, 1, 1), date(2030, 12, 31)) if calendar.public_holiday_names(day)}
    assert in_package == set(national)
