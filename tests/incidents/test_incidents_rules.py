"""Each APPI trigger and exemption, GDPR Art. 33/34, California 1798.82, and every deadline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from mamori.incidents import rules
from mamori.incidents.rules import TOKYO, CategoryFacts, Facts

PLAIN = CategoryFacts("contact.email")


def facts(**changes: object) -> Facts:
    base: dict[str, object] = {
        "kind": "leak",
        "cause": "misdelivery",
        "possibly_malicious": False,
        "encrypted": False,
        "key_compromised": False,
        "categories": [PLAIN],
        "people": 1,
        "counts": {},
        "map_jurisdictions": ["JP", "EEA", "US-CA"],
    }
    base.update(changes)
    return Facts(**base)  # type: ignore[arg-type]


def finding(law: str, found: Facts, overrides: dict | None = None) -> rules.Finding:
    return {f.law: f for f in rules.evaluate(found, overrides)}[law]


def test_appi_not_reportable_without_a_trigger() -> None:
    assert not finding("APPI", facts()).report_authority


def test_appi_sensitive_data_from_a_single_person() -> None:
    found = finding("APPI", facts(categories=[CategoryFacts("health", ("appi_special_care",))]))
    assert found.report_authority and found.notify_people
    assert "appi_sensitive" in found.as_dict()["reasons"]


def test_appi_financial_damage_risk_from_card_numbers() -> None:
    found = finding("APPI", facts(categories=[CategoryFacts("card", (), ("card_number",))]))
    assert found.report_authority and "appi_financial" in found.as_dict()["reasons"]


def test_appi_possibly_malicious_act() -> None:
    found = finding("APPI", facts(possibly_malicious=True))
    assert found.report_authority and found.as_dict()["reasons"] == ["appi_malicious"]


def test_appi_more_than_1000_people() -> None:
    assert not finding("APPI", facts(people=1000)).report_authority
    assert finding("APPI", facts(people=1001)).report_authority


def test_appi_high_encryption_exempts_every_trigger() -> None:
    everything = facts(
        possibly_malicious=True,
        people=5000,
        encrypted=True,
        categories=[CategoryFacts("card", ("appi_special_care",), ("card_number",))],
    )
    assert not finding("APPI", everything).report_authority
    stolen_key = facts(possibly_malicious=True, encrypted=True, key_compromised=True)
    assert finding("APPI", stolen_key).report_authority


def test_gdpr_reports_unless_unlikely_risk_and_tells_people_on_high_risk() -> None:
    plain = finding("GDPR", facts())
    assert plain.report_authority and not plain.notify_people
    special = finding("GDPR", facts(categories=[CategoryFacts("health", ("gdpr_special",))]))
    assert special.report_authority and special.notify_people
    assert not finding("GDPR", facts(encrypted=True)).report_authority


def test_gdpr_out_of_scope_without_eu_or_uk() -> None:
    assert not finding("GDPR", facts(map_jurisdictions=["JP"])).in_scope
    assert finding("GDPR", facts(map_jurisdictions=["JP"], counts={"EEA_UK": 1})).in_scope


def test_california_listed_elements_encryption_and_ag_sample() -> None:
    assert not finding("US-CA", facts()).notify_people
    ssn = [CategoryFacts("ssn", (), ("ssn",))]
    few = finding("US-CA", facts(categories=ssn, counts={"US-CA": 500}))
    assert few.notify_people and not few.ag_sample
    many = finding("US-CA", facts(categories=ssn, counts={"US-CA": 501}))
    assert many.notify_people and many.ag_sample
    assert not finding("US-CA", facts(categories=ssn, encrypted=True)).notify_people
    assert finding("US-CA", facts(categories=ssn, encrypted=True, key_compromised=True)).notify_people


def test_override_replaces_the_outcome() -> None:
    found = finding("APPI", facts(), {"APPI": {"report_authority": True, "notify_people": True, "reason": "r"}})
    assert found.report_authority and found.overridden


def test_jurisdiction_groups() -> None:
    assert rules.jurisdiction_group("JP") == "JP"
    assert rules.jurisdiction_group("de") == "EEA_UK"
    assert rules.jurisdiction_group("NO") == "EEA_UK"
    assert rules.jurisdiction_group("GB") == "EEA_UK"
    assert rules.jurisdiction_group("US", "CA") == "US-CA"
    assert rules.jurisdiction_group("US", "NY") == "other"
    assert rules.jurisdiction_group(None) == "other"


def _clocks(aware: datetime, **changes: object) -> dict[str, rules.Deadline]:
    found = facts(
        possibly_malicious=True, categories=[CategoryFacts("ssn", (), ("ssn",))], counts={"US-CA": 600}, **changes
    )
    return {d.key: d for d in rules.deadlines(rules.evaluate(found), aware, possibly_malicious=True)}


def test_deadlines_awareness_2330_tokyo_before_a_holiday() -> None:
    # 2026-11-02 23:30 in Tokyo; 3 November is Culture Day. APPI counts calendar days (the holiday
    # counts like any day, the day of awareness does not); GDPR counts 72 hours.
    aware = datetime(2026, 11, 2, 23, 30, tzinfo=TOKYO)
    clocks = _clocks(aware)
    assert clocks["appi_preliminary"].earliest_at == datetime(2026, 11, 5, 23, 59, 59, tzinfo=TOKYO)
    assert clocks["appi_preliminary"].due_at == datetime(2026, 11, 7, 23, 59, 59, tzinfo=TOKYO)
    assert clocks["appi_final"].due_at == datetime(2027, 1, 1, 23, 59, 59, tzinfo=TOKYO)  # 60 days: malicious
    assert clocks["gdpr_authority"].due_at == datetime(2026, 11, 5, 23, 30, tzinfo=TOKYO)
    assert clocks["gdpr_authority"].due_at.astimezone(UTC) == datetime(2026, 11, 5, 14, 30, tzinfo=UTC)
    # California counts from discovery in its own zone: 2026-11-02 06:30 in Los Angeles.
    la = rules.LOS_ANGELES
    assert clocks["ca_people"].due_at == datetime(2026, 12, 2, 23, 59, 59, tzinfo=la)
    assert clocks["ca_ag"].due_at == datetime(2026, 12, 17, 23, 59, 59, tzinfo=la)


def test_appi_final_is_30_days_when_not_malicious() -> None:
    aware = datetime(2026, 11, 2, 23, 30, tzinfo=TOKYO)
    found = rules.evaluate(facts(people=2000))
    clocks = {d.key: d for d in rules.deadlines(found, aware, possibly_malicious=False)}
    assert clocks["appi_final"].due_at == datetime(2026, 12, 2, 23, 59, 59, tzinfo=TOKYO)


def test_ag_sample_counts_from_when_residents_were_notified() -> None:
    aware = datetime(2026, 11, 2, 23, 30, tzinfo=TOKYO)
    found = rules.evaluate(facts(categories=[CategoryFacts("ssn", (), ("ssn",))], counts={"US-CA": 600}))
    notified = datetime(2026, 11, 10, 9, 0, tzinfo=rules.LOS_ANGELES)
    clocks = {
        d.key: d
        for d in rules.deadlines(
            found, aware, possibly_malicious=False, california_notified_at=notified, done={"ca_people": notified}
        )
    }
    assert clocks["ca_ag"].due_at == datetime(2026, 11, 25, 23, 59, 59, tzinfo=rules.LOS_ANGELES)
    assert not clocks["ca_people"].overdue(notified + timedelta(days=100))


@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)))
def test_every_deadline_is_after_awareness_and_gdpr_is_exactly_72_hours(aware: datetime) -> None:
    clocks = _clocks(aware)
    assert all(deadline.due_at > aware for deadline in clocks.values())
    assert clocks["gdpr_authority"].due_at - aware == timedelta(hours=72)
    assert clocks["appi_final"].due_at.astimezone(TOKYO).date() - aware.astimezone(TOKYO).date() == timedelta(days=60)
