"""The item-by-item diff between two applied versions."""

from __future__ import annotations

from pathlib import Path

import pytest

from mamori.audit.services import Actor
from mamori.catalog.diff import FieldChange, diff_documents, render_text
from mamori.catalog.services import apply_map

ACTOR = Actor.cli("deploy")


def _change_map(data: dict) -> None:
    data["purposes"].append(
        {
            "id": "newsletter",
            "name": {"en": "Newsletter", "ja": "ニュースレター"},
            "categories": ["contact.email"],
            "legal_basis": {"JP": "consent", "EU": "consent"},
        }
    )
    data["cookies"] = [c for c in data["cookies"] if c["name"] != "csrftoken"]
    data["retention"][0]["period"] = "90 days"


@pytest.mark.django_db
def test_diff_of_applied_versions_reports_items_and_fields(map_dir: Path, edit_map) -> None:
    old = apply_map([map_dir], ACTOR)
    edit_map("data.yaml", _change_map)
    edit_map("organisation.yaml", lambda d: d["commitments"].update(request_records="36 months"))
    new = apply_map([map_dir], ACTOR)

    diff = diff_documents(old.document, new.document)

    purposes = diff.section("purposes")
    assert [i.key for i in purposes.added] == ["newsletter"]
    assert purposes.removed == [] and purposes.changed == []

    cookies = diff.section("cookies")
    assert [i.key for i in cookies.removed] == ["csrftoken"]
    assert cookies.removed[0].old["duration"] == "1 year"

    retention = diff.section("retention")
    assert [i.key for i in retention.changed] == ["account-data"]
    assert retention.changed[0].fields == (FieldChange("period", "30 days", "90 days"),)

    commitments = diff.section("commitments")
    assert FieldChange("request_records", "24 months", "36 months") in commitments.fields

    untouched = {s.section for s in diff.sections}
    assert "systems" not in untouched and "recipients" not in untouched

    text = render_text(diff)
    assert "purposes:\n  + newsletter" in text
    assert "cookies:\n  - csrftoken" in text
    assert "  ~ account-data\n      ~ period: 30 days → 90 days" in text
    assert "~ request_records: 24 months → 36 months" in text


def test_identical_documents_have_no_diff() -> None:
    doc = {"purposes": [{"id": "a", "name": "A"}], "organisation": {"id": "x"}}
    diff = diff_documents(doc, doc)
    assert diff.empty
    assert render_text(diff) == "no changes\n"


def test_jurisdictions_match_by_code_and_nested_lists_by_id() -> None:
    old = {
        "jurisdictions": [{"code": "JP"}],
        "organisation": {"contacts": [{"id": "desk", "hours": {"open": "09:00"}, "handles": ["complaints"]}]},
        "systems": [{"id": "db", "tables": [{"name": "customers", "fields": [{"name": "email", "erase": "null"}]}]}],
    }
    new = {
        "jurisdictions": [{"code": "JP"}, {"code": "US-CA"}],
        "organisation": {"contacts": [{"id": "desk", "hours": {"open": "10:00"}, "handles": ["complaints"]}]},
        "systems": [{"id": "db", "tables": [{"name": "customers", "fields": [{"name": "email", "erase": "mask"}]}]}],
    }
    diff = diff_documents(old, new)

    assert [i.key for i in diff.section("jurisdictions").added] == ["US-CA"]
    assert diff.section("organisation").fields == (FieldChange("contacts[desk].hours.open", "09:00", "10:00"),)
    (system,) = diff.section("systems").changed
    assert system.fields == (FieldChange("tables[customers].fields[email].erase", "null", "mask"),)


def test_added_and_removed_fields_and_sections() -> None:
    old = {"commitments": {"minimum_age": 18}}
    new = {"commitments": {"signals": {"global_privacy_control": "honour"}}, "cookies": [{"name": "_ga"}]}
    diff = diff_documents(old, new)

    kinds = {c.path: c.kind for c in diff.section("commitments").fields}
    assert kinds == {"signals.global_privacy_control": "added", "minimum_age": "removed"}
    assert [i.key for i in diff.section("cookies").added] == ["_ga"]
