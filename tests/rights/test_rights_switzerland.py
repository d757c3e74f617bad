# ruff: noqa: RUF001  (Japanese text in expected pages)
"""Switzerland (CH) as a jurisdiction a map can list (issue 9): the FADP (revDSG/nLPD).

RULES.md gives no Swiss numbers, so the FADP's own apply: access within 30 days of receipt
(Data Protection Ordinance Art. 18), extendable with notice to the person; mamori caps the
extension at 60 days in total. Calendar days, not moved off a weekend or holiday (the earlier
reading); the receipt day is read in Europe/Zurich as well as the controller's zone.
"""

from __future__ import annotations

import re
import shutil
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from mamori.audit.services import Actor
from mamori.catalog.mapfile import PrivacyMap, load_map
from mamori.catalog.services import apply_map
from mamori.rights import clocks
from mamori.rights.rules import RuleError, offered_rights, requester_jurisdictions, rule_for
from mamori.rights.services.intake import Submission, submit_request

from .conftest import EXAMPLES

ZURICH = ZoneInfo("Europe/Zurich")


def with_switzerland(tmp_path: Path) -> Path:
    """onemall, serving Switzerland too: the jurisdiction and a legal basis for it on each purpose."""
    folder = tmp_path / "onemall-ch"
    shutil.copytree(EXAMPLES / "onemall", folder, ignore=shutil.ignore_patterns("*.sql"))
    organisation = folder / "organisation.yaml"
    organisation.write_text(organisation.read_text().replace("  - code: EEA ", "  - code: CH\n  - code: EEA "))
    for name in ("purposes.yaml", "cookies.yaml"):
        path = folder / name
        path.write_text(re.sub(r"\{EEA: (\w+), ", r"{EEA: \1, CH: \1, ", path.read_text()))
    return folder


def swiss_map(tmp_path: Path) -> PrivacyMap:
    result = load_map([with_switzerland(tmp_path)])
    assert result.ok, [str(problem) for problem in result.problems]
    assert result.map is not None
    return result.map


def deadlines(privacy_map: PrivacyMap, at: datetime, right: str = "access") -> clocks.Deadlines:
    rule = rule_for(privacy_map, "CH", right)
    calendar = clocks.request_calendar(rule)
    return clocks.compute_deadlines(
        rule, at, time_zone=privacy_map.organisation.time_zone, hours=clocks.opening_hours(privacy_map, calendar)
    )


def test_a_map_can_list_switzerland_and_its_rights_are_the_fadps(tmp_path: Path) -> None:
    privacy_map = swiss_map(tmp_path)
    assert "CH" in requester_jurisdictions(privacy_map)
    assert offered_rights(privacy_map, "CH") == [
        "access",
        "portability",
        "rectification",
        "erasure",
        "restriction",
        "objection",
        "withdraw_consent",
    ]
    rule = rule_for(privacy_map, "CH", "access")
    assert (rule.law, rule.calendar_id, rule.pausable, rule.can_extend) == ("FADP", "CH", True, True)
    assert "fadp_third_party" in rule.refusal_grounds and "gdpr_unfounded" not in rule.refusal_grounds


def test_a_map_without_switzerland_does_not_serve_it() -> None:
    result = load_map([EXAMPLES / "onemall"])
    assert result.map is not None
    assert "CH" not in requester_jurisdictions(result.map)
    with pytest.raises(RuleError):
        rule_for(result.map, "CH", "access")


def test_thirty_calendar_days_not_moved_off_a_holiday(tmp_path: Path) -> None:
    privacy_map = swiss_map(tmp_path)
    found = deadlines(privacy_map, datetime(2026, 7, 2, 10, 0, tzinfo=ZURICH))
    assert found.received_on == date(2026, 7, 2)
    # Day 30 is 1 August: Swiss National Day and a Saturday. The FADP's days are calendar days and
    # mamori does not move the date later.
    assert found.respond_by == date(2026, 8, 1)
    assert found.extend_limit == date(2026, 8, 31)  # 60 days in total
    assert found.acknowledge_by is None


def test_the_receipt_day_is_zurichs_when_tokyo_is_already_tomorrow(tmp_path: Path) -> None:
    privacy_map = swiss_map(tmp_path)
    # 23:30 in Zurich on 30 June is 06:30 on 1 July in Tokyo (the controller's zone).
    found = deadlines(privacy_map, datetime(2026, 6, 30, 23, 30, tzinfo=ZURICH))
    assert found.received_on == date(2026, 6, 30)
    assert found.respond_by == date(2026, 7, 30)
    # Just after midnight in Zurich it is the next day everywhere.
    later = deadlines(privacy_map, datetime(2026, 7, 1, 0, 0, tzinfo=ZURICH))
    assert later.respond_by == date(2026, 7, 31)


@pytest.mark.django_db
def test_a_swiss_request_in_both_languages(tmp_path: Path, client: Client) -> None:
    apply_map([with_switzerland(tmp_path)], Actor.cli("test"))
    found, _token = submit_request(
        Submission(
            organisation="onemall",
            right="access",
            jurisdiction="CH",
            requester_name="Anna Muster",
            requester_email="anna@example.ch",
        ),
        Actor.system("requester"),
    )
    assert (found.law, found.calendar_id) == ("FADP", "CH")

    english = client.get("/privacy/onemall/requests/new/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<option value="CH">Switzerland</option>' in english
    japanese = client.get("/privacy/onemall/requests/new/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert '<option value="CH">スイス</option>' in japanese

    policy_en = client.get("/privacy/onemall/policy/?lang=en").content.decode()
    assert "Federal Act on Data Protection (Switzerland)" in policy_en
    assert "within 30 days of receipt" in policy_en
    policy_ja = client.get("/privacy/onemall/policy/?lang=ja").content.decode()
    assert "連邦データ保護法（スイス）" in policy_ja
