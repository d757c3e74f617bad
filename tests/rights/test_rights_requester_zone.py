"""Clocks dated where the requester is (RULES.md "When a request arrives..."), EEA, opening days, APPI target.

Observed before: a California request made Monday 10:00 PDT was counted from Tuesday (Tokyo's
date), and a Paris request at 20:00 CEST on 31 March was due 4 May instead of 30 April.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from mamori.accounts.models import User
from mamori.audit.services import Actor
from mamori.catalog.mapfile import PrivacyMap, load_map
from mamori.catalog.services import apply_map
from mamori.rights import clocks
from mamori.rights.rules import RuleError, requester_jurisdictions, rule_for
from mamori.rights.services.intake import Submission, submit_request

from .conftest import EXAMPLES

LA, PARIS, TOKYO, LONDON = (
    ZoneInfo(name) for name in ("America/Los_Angeles", "Europe/Paris", "Asia/Tokyo", "Europe/London")
)


def _map(name: str) -> PrivacyMap:
    found = load_map([EXAMPLES / name]).map
    assert found is not None
    return found


IPRO, ONEMALL = _map("i-pro"), _map("onemall")


def deadlines(privacy_map: PrivacyMap, jurisdiction: str, right: str, at: datetime) -> clocks.Deadlines:
    rule = rule_for(privacy_map, jurisdiction, right)
    calendar = clocks.request_calendar(rule)
    return clocks.compute_deadlines(
        rule, at, time_zone=privacy_map.organisation.time_zone, hours=clocks.opening_hours(privacy_map, calendar)
    )


def test_california_monday_morning_counts_from_monday() -> None:
    found = deadlines(IPRO, "US-CA", "access", datetime(2026, 6, 1, 10, 0, tzinfo=LA))  # Tuesday 02:00 in Tokyo
    assert found.received_on == date(2026, 6, 1)
    assert found.acknowledge_by == date(2026, 6, 15)  # 10 business days
    assert found.respond_by == date(2026, 7, 16)  # 45 days
    assert found.extend_limit == date(2026, 8, 30)  # 90 days


@pytest.mark.parametrize(
    ("local", "received_on"),
    [
        (datetime(2026, 6, 1, 0, 0), date(2026, 6, 1)),
        (datetime(2026, 6, 1, 23, 59, 59), date(2026, 6, 1)),
        (datetime(2026, 6, 2, 0, 0), date(2026, 6, 2)),
    ],
)
def test_california_midnight_is_california_midnight(local: datetime, received_on: date) -> None:
    found = deadlines(IPRO, "US-CA", "access", local.replace(tzinfo=LA))
    assert found.received_on == received_on and found.respond_by == received_on + timedelta(days=45)


@pytest.mark.parametrize(
    ("local", "due"),
    [
        (datetime(2026, 3, 31, 20, 0), date(2026, 4, 30)),  # the example (01:00 JST on 1 April)
        (datetime(2026, 3, 31, 23, 59, 59), date(2026, 4, 30)),
        (datetime(2026, 4, 1, 0, 0), date(2026, 5, 4)),  # 1 May is a holiday in France, then a weekend
    ],
)
def test_paris_evening_of_31_march_is_due_30_april(local: datetime, due: date) -> None:
    assert deadlines(IPRO, "EU-FR", "access", local.replace(tzinfo=PARIS)).respond_by == due


@pytest.mark.parametrize(
    ("local", "received_on"),
    [
        (datetime(2026, 3, 31, 23, 59, 59), date(2026, 3, 31)),  # 07:59 on 1 April in Tokyo
        (datetime(2026, 4, 1, 0, 0), date(2026, 4, 1)),
    ],
)
def test_london_dates_the_day_in_london(local: datetime, received_on: date) -> None:
    assert deadlines(IPRO, "UK", "access", local.replace(tzinfo=LONDON)).received_on == received_on


@pytest.mark.parametrize(
    ("local", "received_on"),
    [
        (datetime(2026, 3, 31, 23, 59, 59), date(2026, 3, 31)),
        (datetime(2026, 4, 1, 0, 0), date(2026, 4, 1)),
    ],
)
def test_tokyo_dates_the_day_in_tokyo(local: datetime, received_on: date) -> None:
    assert deadlines(IPRO, "JP", "access", local.replace(tzinfo=TOKYO)).received_on == received_on


@settings(max_examples=200, deadline=None)
@given(st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)))
def test_a_california_request_is_due_45_days_after_its_california_date(at: datetime) -> None:
    found = deadlines(IPRO, "US-CA", "access", at)
    assert found.respond_by == at.astimezone(LA).date() + timedelta(days=45)


@settings(max_examples=100, deadline=None)
@given(st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)))
def test_the_earlier_reading_wins(at: datetime) -> None:
    """Never later than the controller's own reading (what mamori computed before)."""
    rule = rule_for(IPRO, "EU-DE", "access")
    controller_only = clocks._deadlines_from(rule, at.astimezone(TOKYO).date(), clocks.request_calendar(rule))
    found = deadlines(IPRO, "EU-DE", "access", at)
    assert found.respond_by <= controller_only.respond_by
    assert found.received_on == min(at.astimezone(TOKYO).date(), at.astimezone(ZoneInfo("Europe/Berlin")).date())


def test_eea_residents_file_where_the_map_lists_the_eea() -> None:
    assert {"EEA-IS", "EEA-LI", "EEA-NO"} <= set(requester_jurisdictions(ONEMALL))
    assert "EEA-NO" not in requester_jurisdictions(IPRO)  # i-PRO's map lists the EU only
    with pytest.raises(RuleError):
        rule_for(IPRO, "EEA-NO", "access")
    rule = rule_for(ONEMALL, "EEA-NO", "access")
    assert rule.law == "GDPR" and rule.calendar_id == "EEA-NO"
    # 16 May 2026 is a Saturday, 17 May Norway's Constitution Day: the month ends on Monday 18 May.
    found = deadlines(ONEMALL, "EEA-NO", "access", datetime(2026, 4, 16, 12, 0, tzinfo=ZoneInfo("Europe/Oslo")))
    assert found.respond_by == date(2026, 5, 18)


@pytest.mark.django_db
def test_a_norwegian_request_is_accepted(onemall: str) -> None:
    found, _token = submit_request(
        Submission(
            organisation=onemall,
            right="erasure",
            jurisdiction="EEA-NO",
            requester_name="Kari",
            requester_email="kari@example.no",
        ),
        Actor.system("requester"),
    )
    assert found.law == "GDPR" and found.calendar_id == "EEA-NO"


def _opening_days(edit_map: Callable[..., None], days: str) -> None:
    def change(data: dict[str, Any]) -> None:
        data["organisation"]["contacts"][0]["hours"]["days"] = days

    edit_map("organisation.yaml", change)


@pytest.mark.parametrize(
    ("days", "received_on"),
    [
        ("business_days", date(2026, 6, 8)),  # Saturday 10:00 counts from Monday
        ("weekdays", date(2026, 6, 8)),
        ("every_day", date(2026, 6, 6)),  # open on Saturdays: Saturday it is
    ],
)
def test_the_maps_opening_days_move_the_clock(
    map_dir: Path, edit_map: Callable[..., None], days: str, received_on: date
) -> None:
    _opening_days(edit_map, days)
    privacy_map = load_map([map_dir]).map
    assert privacy_map is not None
    saturday = datetime(2026, 6, 6, 10, 0, tzinfo=TOKYO)
    assert deadlines(privacy_map, "JP", "access", saturday).received_on == received_on


def test_a_weekday_holiday_is_open_when_the_map_says_weekdays(map_dir: Path, edit_map: Callable[..., None]) -> None:
    _opening_days(edit_map, "weekdays")
    privacy_map = load_map([map_dir]).map
    assert privacy_map is not None
    showa_day = datetime(2026, 4, 29, 10, 0, tzinfo=TOKYO)  # a Wednesday, a national holiday
    assert deadlines(privacy_map, "JP", "access", showa_day).received_on == date(2026, 4, 29)


SAME_MINUTE = datetime(2026, 3, 31, 18, 0, tzinfo=UTC)  # 11:00 in California, 20:00 in Paris, 03:00 in Tokyo


@pytest.mark.django_db(transaction=True)
def test_center_and_console_show_each_requesters_dates(
    client: Client, officer: User, client_as: Callable[[User], Client]
) -> None:
    org = apply_map([EXAMPLES / "i-pro"], Actor.cli("test")).organisation
    expected = {  # jurisdiction: (received on, due, acknowledge by)
        "US-CA": ("2026-03-31", "2026-05-15", "2026-04-14"),
        "EU-FR": ("2026-03-31", "2026-04-30", None),
        "JP": ("2026-04-01", "2026-04-15", None),
    }
    staff = client_as(officer)
    with time_machine.travel(SAME_MINUTE, tick=False):
        for jurisdiction, (received, due, acknowledge) in expected.items():
            found, token = submit_request(
                Submission(
                    organisation=org,
                    right="access",
                    jurisdiction=jurisdiction,
                    requester_name="Ann",
                    requester_email="ann@example.com",
                ),
                Actor.system("requester"),
            )
            status = client.get(f"/privacy/{org}/requests/status/{token}/").content.decode()
            assert received in status and due in status, jurisdiction
            console = staff.get(f"/console/requests/{found.pk}/").content.decode()
            assert f"counts from {received}" in console and due in console, jurisdiction
            if acknowledge:
                assert acknowledge in console
            if jurisdiction == "US-CA":
                assert "2026-03-31 11:00 (the requester's time, America/Los_Angeles)" in console
            if jurisdiction == "JP":  # APPI says "without delay": the target is said as such
                assert "has published no target, so we aim at 14 days" in status
                assert "has published no target" in console


@pytest.mark.django_db
def test_a_committed_appi_target_is_shown_as_the_companys(client: Client, inpro: str) -> None:
    _found, token = submit_request(
        Submission(
            organisation=inpro,
            right="access",
            jurisdiction="JP",
            requester_name="Ann",
            requester_email="ann@example.com",
        ),
        Actor.system("requester"),
    )
    page = client.get(f"/privacy/{inpro}/requests/status/{token}/").content.decode()
    assert "the company commits to answering within" in page and "(its privacy map)" in page


def test_the_map_says_which_california_holidays_the_company_observes(
    map_dir: Path, edit_map: Callable[..., None]
) -> None:
    def add_california(observed: list[str] | None) -> Callable[[dict[str, Any]], None]:
        def change(data: dict[str, Any]) -> None:
            data["jurisdictions"].append({"code": "US-CA"})
            if observed is not None:
                data["organisation"]["observed_state_holidays"] = observed

        return change

    monday = datetime(2026, 3, 30, 10, 0, tzinfo=LA)  # Cesar Chavez Day is Tuesday 31 March
    edit_map("organisation.yaml", add_california(None))
    default = load_map([map_dir]).map
    assert default is not None
    assert deadlines(default, "US-CA", "access", monday).acknowledge_by == date(2026, 4, 13)  # 10 business days
    edit_map(
        "organisation.yaml", lambda data: data["organisation"].update(observed_state_holidays=["cesar_chavez_day"])
    )
    observing = load_map([map_dir]).map
    assert observing is not None
    rule = rule_for(observing, "US-CA", "access")
    assert clocks.request_calendar(rule).add_business_days(date(2026, 3, 30), 10) == date(2026, 4, 14)
    assert deadlines(observing, "US-CA", "access", monday).acknowledge_by == date(2026, 4, 14)
