"""Request clocks: the law, the map's commitments (stricter wins), calendars, hours, closures."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.utils import translation

from mamori.calendars import get_calendar
from mamori.catalog.mapfile import load_map
from mamori.catalog.mapfile.values import Duration
from mamori.rights.clocks import add_duration, compute_deadlines, opening_hours, request_calendar
from mamori.rights.rules import RuleError, offered_rights, rule_for

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _map(name: str):  # type: ignore[no-untyped-def]
    return load_map([EXAMPLES / name]).map


def test_ipro_request_received_on_christmas_is_acknowledged_on_the_us_ca_business_day() -> None:
    privacy_map = _map("i-pro")
    rule = rule_for(privacy_map, "US-CA", "access")
    assert rule.calendar_id == "US-CA" and rule.acknowledge_same_channel
    # 10:00 on Christmas Day in California (already the 26th in Tokyo): dated where the requester is.
    deadlines = compute_deadlines(rule, datetime(2026, 12, 25, 18, 0, tzinfo=UTC), time_zone="Asia/Tokyo")
    assert deadlines.received_on == date(2026, 12, 25)
    # 10 business days, Dec 25 not counted; New Year's Day is a California holiday.
    assert deadlines.acknowledge_by == date(2027, 1, 11)
    assert deadlines.respond_by == date(2027, 2, 8)  # 45 calendar days (CP5)
    assert deadlines.extend_limit == date(2027, 3, 25)  # 90 days from receipt
    assert deadlines.verify_by == date(2027, 2, 8)  # CP6


def test_jp_business_days_skip_the_year_end_closure_and_company_closures() -> None:
    jp = get_calendar("JP")
    assert add_duration(date(2026, 12, 25), Duration(10, "business_day"), jp) == date(2027, 1, 15)
    closed = get_calendar("JP", closures={date(2027, 1, 14): "Foundation day"})
    assert add_duration(date(2026, 12, 25), Duration(10, "business_day"), closed) == date(2027, 1, 18)


def test_after_hours_receipt_starts_the_next_business_day_np14() -> None:
    privacy_map = _map("inpro")
    rule = rule_for(privacy_map, "JP", "access")
    hours = opening_hours(privacy_map, request_calendar(rule))
    # Friday 2026-12-25 19:00 JST (after 18:00): received on Monday 12-28; 14 days (commitment) -> 2027-01-11.
    late = compute_deadlines(rule, datetime(2026, 12, 25, 10, 0, tzinfo=UTC), time_zone="Asia/Tokyo", hours=hours)
    assert late.received_on == date(2026, 12, 28)
    assert late.respond_by == date(2027, 1, 11)
    # The same Friday at 10:00 JST counts from Friday.
    early = compute_deadlines(rule, datetime(2026, 12, 25, 1, 0, tzinfo=UTC), time_zone="Asia/Tokyo", hours=hours)
    assert early.received_on == date(2026, 12, 25)
    # Received during the year-end closure: counts from the first business day of 2027.
    closed = compute_deadlines(rule, datetime(2026, 12, 30, 3, 0, tzinfo=UTC), time_zone="Asia/Tokyo", hours=hours)
    assert closed.received_on == date(2027, 1, 4)


def test_gdpr_month_rolls_over_the_member_states_weekend_and_allows_two_more_months() -> None:
    rule = rule_for(_map("onemall"), "EU-FR", "access")
    deadlines = compute_deadlines(rule, datetime(2026, 1, 31, 10, 0, tzinfo=UTC), time_zone="Asia/Tokyo")
    assert deadlines.respond_by == date(2026, 3, 2)  # Feb 28 2026 is a Saturday
    assert deadlines.extend_limit == date(2026, 4, 30)
    assert deadlines.acknowledge_by is None
    assert rule.pausable and "gdpr_excessive" in rule.refusal_grounds


def test_commitment_tighter_than_the_law_wins() -> None:
    rule = rule_for(_map("onemall"), "JP", "usage_report")  # only the company promises this one
    deadlines = compute_deadlines(rule, datetime(2026, 6, 1, 1, 0, tzinfo=UTC), time_zone="Asia/Tokyo")
    assert deadlines.respond_by == date(2026, 6, 15)
    assert "appi_harm" in rule.refusal_grounds and not rule.can_extend


def test_cpra_opt_out_is_15_business_days_with_no_extension() -> None:
    rule = rule_for(_map("i-pro"), "US-CA", "opt_out_sale_sharing")
    # 10:00 on Christmas Day in California (already the 26th in Tokyo): dated where the requester is.
    deadlines = compute_deadlines(rule, datetime(2026, 12, 25, 18, 0, tzinfo=UTC), time_zone="Asia/Tokyo")
    assert deadlines.respond_by == date(2027, 1, 19)
    assert deadlines.extend_limit is None and not rule.pausable


def test_rights_offered_depend_on_the_requesters_jurisdiction() -> None:
    privacy_map = _map("i-pro")
    assert "limit_sensitive" in offered_rights(privacy_map, "US-CA")
    assert "objection" in offered_rights(privacy_map, "EU-DE")
    assert "provision_records" in offered_rights(privacy_map, "JP")
    assert "usage_report" in offered_rights(_map("onemall"), "JP")
    with pytest.raises(RuleError):
        rule_for(privacy_map, "US-CA", "objection")
    with pytest.raises(RuleError):
        rule_for(_map("inpro"), "US-CA", "access")


def test_a_rule_error_is_shown_in_the_language_of_the_page() -> None:
    privacy_map = _map("i-pro")
    with pytest.raises(RuleError) as caught:
        rule_for(privacy_map, "US-CA", "objection")
    assert caught.value.message == "the right objection is not offered in US-CA"
    with translation.override("ja"):
        assert caught.value.message == "権利 objection は US-CA では提供されていません。"
