"""`mamori map inspect`: the club's map against its live database, on every dialect, read-only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from mamori.catalog.mapfile import load_map
from mamori.cli import main
from mamori.fulfilment.inspect import detectors, inspect_map

from .club import ENV, MAP

MAP_FILE = MAP / "map.yaml"


def line_of(text: str) -> int:
    return next(number for number, line in enumerate(MAP_FILE.read_text().splitlines(), 1) if text in line)


def add_unmapped_data(url: str) -> None:
    """Columns and a table the map does not list: one by name, one only by its values."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("ALTER TABLE members ADD contact_mail VARCHAR(120)"))
        connection.execute(sa.text("ALTER TABLE orders ADD misc VARCHAR(40)"))
        connection.execute(sa.text("UPDATE members SET contact_mail = 'x@example.jp'"))
        connection.execute(sa.text("UPDATE orders SET misc = '4111 1111 1111 1111'"))
        connection.execute(sa.text("CREATE TABLE leads (id INTEGER PRIMARY KEY, note_text VARCHAR(50))"))
        connection.execute(sa.text("INSERT INTO leads (id, note_text) VALUES (1, '192.168.10.1'), (2, '10.0.0.7')"))
    engine.dispose()


def test_inspect_finds_the_missing_foreign_key_and_unmapped_personal_data(
    club_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    add_unmapped_data(club_url)
    monkeypatch.setenv(ENV, club_url)
    assert main(["map", "inspect", str(MAP), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False and report["systems"] == ["club-db"]
    by_kind: dict[str, list[dict[str, object]]] = {}
    for finding in report["findings"]:
        by_kind.setdefault(finding["kind"], []).append(finding)
    # The shared household address: the map links it, the database has no foreign key.
    (missing,) = by_kind["link_without_foreign_key"]
    assert missing["line"] == line_of("column: household_id") and "members.household_id" in missing["message"]
    assert {f["message"].split("'")[1] for f in by_kind["unmapped_column"]} == {  # type: ignore[union-attr]
        "members.contact_mail",
        "orders.misc",
    }
    assert any("card_number" in str(f["message"]) for f in by_kind["unmapped_column"])
    (leads,) = by_kind["unmapped_table"]
    assert "ip_address" in str(leads["message"])
    assert {f["message"].split()[2] for f in by_kind["identity_without_index"]} >= {  # type: ignore[union-attr]
        "inquiries.email",
        "inquiries.phone",
    }
    # Values are classified, never printed.
    assert "x@example.jp" not in json.dumps(report) and "4111" not in json.dumps(report)
    assert report["summary"]["link_without_foreign_key"] == 1


def test_inspect_text_output_points_at_the_map(
    club_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(ENV, club_url)
    assert main(["map", "inspect", str(MAP)]) == 1
    out, err = capsys.readouterr()
    expected = f"club_map/map.yaml:{line_of('column: household_id')}:13: link members.household_id"
    assert any(expected in line for line in out.splitlines()), out
    assert "findings in 1 systems" in err


def test_inspect_issues_no_write_statement(club_url: str) -> None:
    add_unmapped_data(club_url)
    result = load_map([MAP])
    sent: list[str] = []

    def watch(engine: sa.Engine) -> None:
        sa.event.listen(engine, "before_cursor_execute", lambda *args: sent.append(args[2]))

    findings, inspected = inspect_map(result, {ENV: club_url}, on_engine=watch)
    assert inspected == ["club-db"] and findings and sent
    writes = [sql for sql in sent if sql.lstrip().split(None, 1)[0].upper() not in ("SELECT", "PRAGMA", "SHOW", "WITH")]
    assert writes == []


def test_an_unset_database_is_a_finding_not_a_crash(capsys: pytest.CaptureFixture[str]) -> None:
    result = load_map([MAP])
    findings, inspected = inspect_map(result, {})
    assert inspected == [] and [finding.kind for finding in findings] == ["cannot_connect"]


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("Kenji.Sato@Example.COM", "email"),
        ("080-1234-5678", "phone"),
        ("+81 3-1234-5678", "phone"),
        ("123456789018", "my_number"),
        ("5835678256246", "corporate_number"),
        ("150-0002", "postal_code"),
        ("4111 1111 1111 1111", "card_number"),
        ("2001:db8::1", "ip_address"),
        ("東京都渋谷区神南1-2-3", "japanese_address"),
        ("〒150-0002 東京都渋谷区神南", "japanese_address"),
        ("渋谷区神南一丁目", "japanese_address"),
        ("北海道札幌市中央区北1条西2丁目", "japanese_address"),
        ("佐藤 健二", "japanese_name"),
        ("佐藤\u3000健二", "japanese_name"),
        ("サトウ ケンジ", "japanese_name"),
        ("さとう けんじ", "japanese_name"),
        ("佐藤健二", None),  # without the space: any kanji word looks the same
        ("Sato Kenji", None),  # romaji: not told by content
        ("東京都", None),  # a prefecture alone is not an address
        ("123456789012", None),  # twelve digits with a wrong check digit: not a My Number
        ("hello", None),
    ],
)
def test_detectors(value: str, kind: str | None) -> None:
    assert detectors.classify(value, "JP") == kind


def test_japanese_columns_are_flagged_by_name_and_by_content(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'jp.sqlite3'}"
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            sa.text("CREATE TABLE customers (id INTEGER PRIMARY KEY, shimei TEXT, yomi TEXT, dest TEXT, 住所 TEXT)")
        )
        connection.execute(
            sa.text("INSERT INTO customers VALUES (1, 'x', 'サトウ ケンジ', '〒150-0002 東京都渋谷区渋谷2-1', 'x')")
        )
        connection.execute(
            sa.text("INSERT INTO customers VALUES (2, 'y', 'タナカ ユキ', '大阪府大阪市北区梅田1-1', 'y')")
        )
    engine.dispose()
    folder = tmp_path / "map"
    folder.mkdir()
    (folder / "map.yaml").write_text(MAP_FILE.read_text(encoding="utf-8").replace("MAMORI_CLUB_URL", "MAMORI_JP_URL"))
    findings, _systems = inspect_map(load_map([folder / "map.yaml"]), {"MAMORI_JP_URL": url})
    (table,) = [finding for finding in findings if finding.kind == "unmapped_table"]
    assert "shimei (by its name)" in table.message and "住所 (by its name)" in table.message
    assert "yomi (values look like japanese_name)" in table.message
    assert "dest (values look like japanese_address)" in table.message
    assert "サトウ" not in table.message and "渋谷" not in table.message  # values are never printed


def test_a_column_is_flagged_when_most_sampled_values_match() -> None:
    assert detectors.detect(["a@example.jp", "b@example.jp", None, "n/a"], "JP") == "email"
    assert detectors.detect(["a@example.jp", "x", "y", "z"], "JP") is None


def test_the_map_file_exists() -> None:
    assert Path(MAP_FILE).is_file()
