"""The material-or-editorial rules (mamori/notices/classify.py)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mamori.catalog.mapfile import load_map
from mamori.notices.classify import EDITORIAL_REASONS, MATERIAL_REASONS, classify, reason_text

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def onemall() -> dict[str, Any]:
    result = load_map([EXAMPLES / "onemall"])
    assert result.map is not None
    return result.map.to_document()


@pytest.fixture(scope="module")
def ipro() -> dict[str, Any]:
    result = load_map([EXAMPLES / "i-pro"])
    assert result.map is not None
    return result.map.to_document()


def changed(document: dict[str, Any], edit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    new = copy.deepcopy(document)
    edit(new)
    return new


def item(document: dict[str, Any], section: str, ident: str, key: str = "id") -> dict[str, Any]:
    return next(entry for entry in document[section] if entry[key] == ident)


def test_first_publication_and_no_change_are_not_material(onemall: dict[str, Any]) -> None:
    first = classify(None, onemall)
    assert first.first and not first.material and first.changes == ()
    same = classify(onemall, copy.deepcopy(onemall))
    assert not same.material and same.changes == ()


MATERIAL_EDITS: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("new purpose", lambda d: d["purposes"].append({**d["purposes"][0], "id": "profiling"}), "new_purpose"),
    (
        "new category",
        lambda d: d["data_categories"].append({**d["data_categories"][0], "id": "contact.fax"}),
        "new_category",
    ),
    (
        "new recipient",
        lambda d: d["recipients"].append({**d["recipients"][0], "id": "new-partner"}),
        "new_recipient",
    ),
    ("transfer country", lambda d: item(d, "recipients", "alibaba-cloud").update(country="CN"), "new_transfer_country"),
    (
        "non-essential cookie",
        lambda d: d["cookies"].append({**item(d, "cookies", "_ga", "name"), "name": "_hjid"}),
        "new_non_essential_cookie",
    ),
    (
        "legal basis",
        lambda d: item(d, "purposes", "newsletter")["legal_basis"].update(EEA="consent"),
        "changed_legal_basis",
    ),
    ("longer retention", lambda d: item(d, "retention", "inquiry-data").update(period="1 year"), "longer_retention"),
    ("cookie lasts longer", lambda d: item(d, "cookies", "_gid", "name").update(duration="1 year"), "longer_cookie"),
    (
        "DNT to GPC weaker",
        lambda d: d["commitments"].setdefault("signals", {}).update(global_privacy_control="ignore"),
        None,
    ),
    ("slower answer", lambda d: d["commitments"]["request_clocks"][0].update(respond="30 days"), "slower_answer"),
    ("younger users", lambda d: d["commitments"].update(minimum_age=13), "younger_users"),
    ("shorter notice", lambda d: d["commitments"]["changes"].update(advance_notice="7 days"), "less_notice"),
    ("selling", lambda d: d["commitments"].update(sale={"sells": True}), "sale_or_sharing"),
    ("controller", lambda d: d["organisation"]["legal_name"].update(en="Other Co."), "controller_changed"),
    ("jurisdiction dropped", lambda d: d.update(jurisdictions=[{"code": "JP"}]), "jurisdiction_removed"),
]


@pytest.mark.parametrize(("label", "edit", "reason"), MATERIAL_EDITS, ids=[m[0] for m in MATERIAL_EDITS])
def test_material_changes(
    onemall: dict[str, Any], label: str, edit: Callable[[dict[str, Any]], None], reason: str | None
) -> None:
    result = classify(onemall, changed(onemall, edit))
    if label == "DNT to GPC weaker":
        # onemall has no GPC commitment: stating "ignore" weakens nothing it promised.
        assert not result.material
        return
    assert result.material, result.changes
    if reason:
        assert reason in result.material_reasons
        assert reason in result.to_json()["reasons"]
    assert result.to_json()["material"] is True


def test_shorter_advance_notice_and_dropped_email_are_material(onemall: dict[str, Any]) -> None:
    fewer = classify(onemall, changed(onemall, lambda d: d["commitments"]["changes"].update(notify_by=["site_notice"])))
    assert fewer.material and "less_notice" in fewer.material_reasons


def test_gpc_no_longer_honoured_is_material(ipro: dict[str, Any]) -> None:
    result = classify(
        ipro, changed(ipro, lambda d: d["commitments"]["signals"].update(global_privacy_control="ignore"))
    )
    assert result.material and "weaker_signal" in result.material_reasons


def test_request_clock_changes(ipro: dict[str, Any]) -> None:
    slower = classify(ipro, changed(ipro, lambda d: d["commitments"]["request_clocks"][0].update(extend_to="120 days")))
    assert "slower_answer" in slower.material_reasons
    fewer = classify(ipro, changed(ipro, lambda d: d["commitments"]["request_clocks"][0].update(rights=["access"])))
    assert "fewer_rights" in fewer.material_reasons
    faster = classify(ipro, changed(ipro, lambda d: d["commitments"]["request_clocks"][0].update(respond="30 days")))
    assert not faster.material
    assert faster.changes[0].reasons == ("shorter_or_equal",)


EDITORIAL_EDITS: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("wording", lambda d: d["notices"]["texts"]["security"].update(en="Reworded."), "wording"),
    ("dates", lambda d: d["notices"].update(last_modified="2025-01-01"), "dates"),
    (
        "contact",
        lambda d: d["organisation"]["contacts"][0].update(channels=[{"kind": "email", "value": "p@x.jp"}]),
        "contacts",
    ),
    ("removed purpose", lambda d: d["purposes"].remove(item(d, "purposes", "newsletter")), "less_processing"),
    ("removed cookie", lambda d: d["cookies"].remove(item(d, "cookies", "_ga", "name")), "less_processing"),
    ("shorter retention", lambda d: item(d, "retention", "account-data").update(period="14 days"), "shorter_or_equal"),
    (
        "essential cookie",
        lambda d: d["cookies"].append({**item(d, "cookies", "onemall_csrf", "name"), "name": "x"}),
        "essential_cookie",
    ),
    ("systems", lambda d: d["systems"][0].update(connection_env="OTHER_URL"), "internal"),
    ("new jurisdiction", lambda d: d["jurisdictions"].append({"code": "UK"}), "more_rights"),
]


@pytest.mark.parametrize(("label", "edit", "reason"), EDITORIAL_EDITS, ids=[e[0] for e in EDITORIAL_EDITS])
def test_editorial_changes(
    onemall: dict[str, Any], label: str, edit: Callable[[dict[str, Any]], None], reason: str
) -> None:
    result = classify(onemall, changed(onemall, edit))
    assert result.changes, label
    assert not result.material, result.changes
    assert reason in {r for change in result.changes for r in change.reasons}


def test_every_reason_reads_in_both_languages() -> None:
    for code in [*MATERIAL_REASONS, *EDITORIAL_REASONS]:
        assert reason_text(code, "en") != reason_text(code, "ja")
    assert not set(MATERIAL_REASONS) & set(EDITORIAL_REASONS)


def test_ambiguous_periods_count_as_longer(onemall: dict[str, Any]) -> None:
    # "1 month" may be 31 days: when in doubt, tell people.
    result = classify(
        onemall, changed(onemall, lambda d: item(d, "retention", "account-data").update(period="1 month"))
    )
    assert result.material and "longer_retention" in result.material_reasons
