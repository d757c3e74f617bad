"""`load_map` and `PrivacyMap` as other parts of mamori use them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mamori.catalog.mapfile import Duration, MapReadError, PrivacyMap, Problem, load_map

MAPS = Path(__file__).resolve().parent / "maps"
MINIMAL = (MAPS / "valid" / "minimal.yaml").read_text(encoding="utf-8")


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def full() -> PrivacyMap:
    result = load_map([MAPS / "valid" / "full"])
    assert result.ok, [str(problem) for problem in result.problems]
    assert result.map is not None
    return result.map


def test_minimal_map_loads() -> None:
    result = load_map([MAPS / "valid" / "minimal.yaml"])

    assert result.ok
    assert result.problems == []
    assert result.map is not None
    assert result.map.organisation.id == "minimal"
    assert result.map.organisation.legal_name.get("ja") == "Minimal K.K."  # a plain string serves both
    assert result.map.jurisdiction_codes == ["JP"]
    assert result.map.laws == ["APPI"]


def test_a_folder_is_one_map_with_list_sections_joined_in_file_order(full: PrivacyMap) -> None:
    assert [purpose.id for purpose in full.purposes] == ["orders", "newsletter"]
    assert full.purpose("newsletter").name.ja == "メールマガジン"


def test_look_ups_and_questions(full: PrivacyMap) -> None:
    assert full.category("health.allergy").sensitive == ["gdpr_special", "appi_special_care", "cpra_sensitive"]
    assert [c.id for c in full.sensitive_categories()] == ["health.allergy"]
    assert [p.id for p in full.purposes_using("contact.email")] == ["orders", "newsletter"]
    assert [c.name for c in full.cookies_in("analytics")] == ["_ga"]
    assert full.recipient("cloud-host").transfer is not None
    assert [r.id for r in full.transfers_abroad()] == ["cloud-host", "analytics-vendor"]
    assert full.retention_rule("order-records").legal_hold is not None
    assert full.contact("privacy-desk").hours is not None
    assert full.system("shop-db").table("orders") is not None
    assert full.find("purposes", "nothing") is None
    with pytest.raises(KeyError):
        full.category("no.such.category")


def test_legal_basis_of_an_eu_member_state_falls_back_to_eu(full: PrivacyMap) -> None:
    assert full.legal_basis("orders", "EU-NL") == "contract"
    assert full.legal_basis("newsletter", "EU-NL") == "consent"
    assert full.legal_basis("orders", "UK") is None


def test_consent_required_defaults_from_the_legal_bases(full: PrivacyMap) -> None:
    assert full.purpose("newsletter").consent_required is True
    assert full.purpose("orders").consent_required is False


def test_durations_are_values_that_print_as_written(full: PrivacyMap) -> None:
    clock = full.commitments.request_clocks[0]
    assert clock.acknowledge == Duration(10, "business_day")
    assert str(clock.acknowledge) == "10 business days"
    assert str(full.retention_rule("order-records").period) == "1 year"
    assert full.cookies[0].duration.is_session


def test_to_document_is_json_and_round_trips(full: PrivacyMap) -> None:
    document = full.to_document()

    assert json.loads(json.dumps(document)) == document
    assert document["commitments"]["request_records"] == "24 months"
    assert document["organisation"]["legal_name"] == {"en": "Fullshop Co., Ltd.", "ja": "フルショップ株式会社"}
    assert document["notices"]["first_published"] == "2021-04-01"
    assert PrivacyMap.from_document(document).to_document() == document


def test_sources_keep_the_text_of_each_file(full: PrivacyMap) -> None:
    result = load_map([MAPS / "valid" / "full"])
    names = [Path(name).name for name in result.sources]
    assert names == sorted(names)
    assert names[0] == "00-organisation.yaml"


def test_yaml_1_1_surprises_do_not_apply(tmp_path: Path) -> None:
    text = MINIMAL.replace("  country: JP\n", '  country: JP\n  trade_names: [on, yes, 09, "18:00", 18:00]\n') + (
        "recipients:\n"
        "  - id: oslo-office\n"
        "    name: Oslo office\n"
        "    kind: affiliate\n"
        "    country: NO\n"
        "    transfer: {safeguard: adequacy}\n"
    )
    result = load_map([write(tmp_path, "map.yaml", text)])

    assert result.ok, [str(problem) for problem in result.problems]
    assert result.map is not None
    assert result.map.recipient("oslo-office").country == "NO"
    assert result.map.organisation.trade_names == ["on", "yes", "09", "18:00", "18:00"]


def test_duplicate_keys_are_reported_where_they_repeat(tmp_path: Path) -> None:
    path = write(tmp_path, "map.yaml", MINIMAL.replace("  country: JP\n", "  country: JP\n  country: JP\n"))

    result = load_map([path])

    assert not result.ok
    assert [(p.line, p.col) for p in result.problems] == [(8, 3)]
    assert result.problems[0].message.startswith("duplicate key 'country' (first defined at ")


def test_problems_in_a_later_file_point_into_that_file(tmp_path: Path) -> None:
    write(tmp_path, "a/00-base.yaml", MINIMAL)
    write(
        tmp_path,
        "a/sub/10-purposes.yaml",
        "purposes:\n  - id: support\n    name: Support\n    legal_basis: {JP: contract}\n",
    )

    result = load_map([tmp_path / "a"])

    assert [str(p) for p in result.problems] == [
        f"{tmp_path / 'a/sub/10-purposes.yaml'}:4:23: 'contract' is not a legal basis under APPI (JP): "
        "use one of published_purpose, consent, legal_exception"
    ]
    assert result.map is not None  # structurally valid: the map is there, with its problems


def test_several_paths_make_one_map(tmp_path: Path) -> None:
    base = write(tmp_path, "base.yaml", MINIMAL)
    extra = write(tmp_path, "subjects.yaml", "data_subjects:\n  - {id: customer, name: Customers}\n")

    result = load_map([base, extra])

    assert result.ok
    assert result.map is not None
    assert result.map.subject("customer").name.en == "Customers"


def test_an_empty_file_in_a_folder_adds_nothing(tmp_path: Path) -> None:
    write(tmp_path, "m/a.yaml", MINIMAL)
    write(tmp_path, "m/b.yml", "# nothing yet\n")
    write(tmp_path, "m/.hidden/c.yaml", "not: [valid")

    assert load_map([tmp_path / "m"]).ok


def test_an_unreadable_path_raises(tmp_path: Path) -> None:
    with pytest.raises(MapReadError) as caught:
        load_map([tmp_path / "nothing.yaml"])
    assert caught.value.reason == "no such file or folder"


def test_problem_prints_as_file_line_col_message() -> None:
    problem = Problem("map.yaml", 3, 5, "missing required key 'period'")
    assert str(problem) == "map.yaml:3:5: missing required key 'period'"


def test_the_loader_needs_no_django() -> None:
    code = (
        "import sys; import mamori.catalog.mapfile.cli, mamori.catalog.mapfile as m; "
        f"assert m.load_map([{str(MAPS / 'valid' / 'minimal.yaml')!r}]).ok; "
        "assert not any(name.startswith('django') for name in sys.modules), 'django imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={"PATH": "/usr/bin:/bin"}, timeout=60)
