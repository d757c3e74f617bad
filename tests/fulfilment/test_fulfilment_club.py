"""Access and erasure on the members' club (tests/fulfilment/club.py): the shapes real schemas have,
on SQLite, PostgreSQL and MariaDB alike. Each test says what a person (or staff) would see."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import sqlalchemy as sa

from mamori.fulfilment.engine import FulfilmentEngine

from .club import ENV, HANAKO, KENJI, TARO, YUKI, club_map, snapshot


def full_width(text: str) -> str:
    """ASCII as a Japanese input method types it (full-width forms, U+FF01..): NFKC brings it back."""
    return "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in text)


def engine_for(url: str) -> FulfilmentEngine:
    return FulfilmentEngine(club_map(), {ENV: url})


def system_plan(plan: dict[str, object]) -> dict[str, object]:
    systems = plan["systems"]
    assert isinstance(systems, list)
    return systems[0]


def tables(plan: dict[str, object]) -> dict[str, dict[str, object]]:
    return {table["table"]: table for table in system_plan(plan)["tables"]}  # type: ignore[index]


def package(engine: FulfilmentEngine, identities: dict[str, str], path: Path) -> dict[str, dict[str, object]]:
    engine.export(identities, path, "en")
    with zipfile.ZipFile(path) as archive:
        return {
            name.rsplit("/", 1)[1].removesuffix(".json"): json.loads(archive.read(name))
            for name in archive.namelist()
            if name.startswith("data/club-db/") and name.endswith(".json")
        }


def ids(table: dict[str, object]) -> list[object]:
    return [row["id"] for row in table["rows"]]  # type: ignore[attr-defined, index]


def test_any_identity_as_typed_finds_the_same_person_and_their_visitor_rows(club_url: str, tmp_path: Path) -> None:
    engine = engine_for(club_url)
    requests = [
        {"email": "kenji.sato@example.com"},  # stored Kenji.Sato@Example.COM
        {"email": full_width("KENJI.SATO@EXAMPLE.COM")},  # as typed on a Japanese keyboard
        {"phone": "+818012345678"},  # stored 080-1234-5678
        {"phone": full_width("080-1234-5678")},
        {"customer_id": str(KENJI)},
    ]
    for number, identities in enumerate(requests):
        found = package(engine, identities, tmp_path / f"kenji-{number}.zip")
        assert ids(found["members"]) == [KENJI], identities
        # Both inquiries he sent without signing in (one from the same address in lower case, one
        # from work with his phone as +81 80 ...); never Taro's inquiry that names Kenji's address.
        assert ids(found["inquiries"]) == [1, 2], identities
        assert ids(found["orders"]) == [101] and ids(found["payments"]) == [1001]
    engine.close()


def test_the_package_withholds_or_labels_other_peoples_data(club_url: str, tmp_path: Path) -> None:
    engine = engine_for(club_url)
    kenji = package(engine, {"customer_id": str(KENJI)}, tmp_path / "kenji.zip")
    assert "gift_recipient" not in kenji["orders"]["columns"]  # type: ignore[operator]
    assert "Tanaka Yuki" not in json.dumps(kenji)
    hanako = package(engine, {"email": "hanako@example.jp"}, tmp_path / "hanako.zip")
    assert hanako["payments"]["others_data"] == ["payer_name"]
    # The household she shares with Kenji is hers too (exported to each sharer).
    assert ids(hanako["households"]) == [1]
    assert ids(hanako["orders"]) == [100] and ids(hanako["cards"]) == []  # Yuki's card stays Yuki's
    engine.close()


def test_erasing_a_member_who_shares_a_household_and_keeps_tax_records(club_url: str) -> None:
    before = snapshot(club_url)
    engine = engine_for(club_url)
    plan = engine.plan_erasure([{"email": "kenji.sato@example.com"}])
    shown = tables(plan)
    # His member row and card are named by his own order kept for tax: kept, fields erased.
    assert shown["members"]["kept_rows"] == 1 and shown["members"]["reason"] == "referenced"
    assert shown["cards"]["kept_rows"] == 1
    assert shown["inquiries"]["rows"] == 2 and shown["inquiries"]["action"] == "delete"
    # The household is shared with one other person (not who): his reference is detached.
    assert shown["households"]["shared_rows"] == 1 and shown["households"]["sharers"] == 1
    assert system_plan(plan)["detached"] == [
        {"table": "members", "column": "household_id", "references": "households.id", "rows": 1}
    ]
    assert system_plan(plan)["references_removed"] == []
    done = engine.execute_erasure(plan)["club-db"]
    assert done["inquiries"] == 2 and done["members.household_id"] == 1
    assert not any(engine.verify_erasure(plan)["club-db"].values())
    after = snapshot(club_url)
    assert after["members"] - before["members"] == {(KENJI, "erased-1", None, None, None, None, False)}
    assert {row[0] for row in after["inquiries"]} == {3, 4}
    assert after["cards"] - before["cards"] == {(11, KENJI, "****", None)}
    # Nobody else's rows changed: Hanako (referred by Kenji, same household), Yuki, Taro, households.
    for name in ("households", "payments"):
        assert {row for row in after[name] if row not in before[name]} <= {(1001, 101, 3000, None)}
    assert {row for row in before["members"] if row[0] != KENJI} <= after["members"]
    assert {row for row in before["orders"] if row[0] != 101} <= after["orders"]
    # A second erasure for the same person reports truthfully: nothing left to erase.
    again = engine.plan_erasure([{"customer_id": str(KENJI)}])
    assert not any(engine.verify_erasure(again)["club-db"].values())
    engine.close()


def test_erasing_a_referrer_whose_card_paid_someone_elses_order(club_url: str) -> None:
    before = snapshot(club_url)
    engine = engine_for(club_url)
    plan = engine.plan_erasure([{"customer_id": str(YUKI)}])
    # Taro's referred_by and Hanako's order (kept for tax) point at Yuki's rows: those two
    # references are removed, nothing else in those rows is touched, and the plan says so.
    assert sorted(system_plan(plan)["references_removed"], key=str) == sorted(
        [  # type: ignore[arg-type]
            {"table": "members", "column": "referred_by", "references": "members.id", "rows": 1},
            {"table": "orders", "column": "card_id", "references": "cards.id", "rows": 1},
        ],
        key=str,
    )
    shown = tables(plan)
    assert shown["members"]["action"] == "delete" and not shown["members"].get("kept_rows")
    assert shown["households"]["rows"] == 1 and shown["households"]["shared_rows"] == 0
    done = {name: rows for name, rows in engine.execute_erasure(plan)["club-db"].items() if rows}
    assert done == {"members.referred_by": 1, "orders.card_id": 1, "cards": 1, "members": 1, "households": 1}
    assert not any(engine.verify_erasure(plan)["club-db"].values())
    after = snapshot(club_url)
    assert YUKI not in {row[0] for row in after["members"]}
    changed = {row for table in after for row in after[table] - before[table]}
    assert changed == {
        (TARO, "taro@example.jp", "+81 3-1234-5678", "Suzuki Taro", None, 3, False),
        (100, HANAKO, None, 5000, "Sato Hanako", None),
    }
    # What Hanako typed about Yuki (the payer name on her own payment) stays hers.
    assert (1000, 100, 5000, "Tanaka Yuki") in after["payments"]
    engine.close()


def test_bulk_erasure_equals_one_by_one(club_url: str, tmp_path: Path) -> None:
    from .club import create_club

    people = [{"customer_id": str(YUKI)}, {"email": "KENJI.SATO@example.com"}, {"phone": "090-1111-2222"}]
    engine = engine_for(club_url)
    plan = engine.plan_erasure(people)
    engine.execute_erasure(plan)
    assert not any(engine.verify_erasure(plan)["club-db"].values())
    together = snapshot(club_url)
    engine.close()
    other = f"sqlite:///{tmp_path / 'one-by-one.sqlite3'}"
    create_club(other)
    engine = engine_for(other)
    for person in people:
        single = engine.plan_erasure([person])
        engine.execute_erasure(single)
        assert not any(engine.verify_erasure(single)["club-db"].values())
    assert snapshot(other) == together
    engine.close()


def test_plan_counts_are_the_rows_the_run_changes(club_url: str) -> None:
    engine = engine_for(club_url)
    plan = engine.plan_erasure([{"email": "KENJI.SATO@EXAMPLE.COM"}, {"customer_id": str(YUKI)}])
    done = engine.execute_erasure(plan)["club-db"]
    for table in system_plan(plan)["tables"]:  # type: ignore[attr-defined]
        if table["action"] in ("delete", "update") and table["rows"]:
            # Shared rows are counted as found; they change only where the map says to mask them.
            unchanged = table.get("shared_rows", 0) if table.get("shared_action") != "mask" else 0
            assert done.get(table["table"], 0) == table["rows"] - unchanged, table["table"]
    for item in system_plan(plan)["references_removed"] + system_plan(plan)["detached"]:  # type: ignore[operator]
        assert done[f"{item['table']}.{item['column']}"] == item["rows"]
    engine.close()


def test_restriction_is_recorded_in_the_database_and_cleared(club_url: str) -> None:
    engine = engine_for(club_url)
    assert engine.restrict({"email": "hanako@example.jp"}, restricted=True)["club-db"] == {"members": 1}
    database = sa.create_engine(club_url)
    with database.connect() as connection:
        flags = dict(connection.execute(sa.text("SELECT id, restricted FROM members")).all())
    assert {key: bool(value) for key, value in flags.items()} == {KENJI: False, HANAKO: True, YUKI: False, TARO: False}
    engine.restrict({"email": "hanako@example.jp"}, restricted=False)
    with database.connect() as connection:
        assert not any(value for (value,) in connection.execute(sa.text("SELECT restricted FROM members")))
    database.dispose()
    engine.close()
