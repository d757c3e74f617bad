"""A peer's fixture: fides' PostgreSQL seed database, mapped in examples/fides-sample.

Checked against ../shared/reference/fides-sample/expected_outcomes.json: the rows its tests expect
for customer-1@example.com are found, and customer 2's card `pay_bbb-bbb` (named by one of
customer 1's orders) is neither in the package nor erased.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from django.core.management import call_command

from mamori.catalog.mapfile import load_map
from mamori.fulfilment.engine import FulfilmentEngine

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT.parent / "shared" / "reference" / "fides-sample"
MAP = ROOT / "examples" / "fides-sample"
SUBJECT = {"email": "customer-1@example.com"}

pytestmark = pytest.mark.skipif(
    not (REFERENCE / "postgres_sample.sql").is_file(),
    reason="the fides reference fixture is not at ../shared/reference/fides-sample (it is not copied into the repo)",
)


@pytest.fixture
def fides_url(postgres_database: str, monkeypatch: pytest.MonkeyPatch) -> str:
    dsn = postgres_database.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute((REFERENCE / "postgres_sample.sql").read_text(encoding="utf-8"))
    monkeypatch.setenv("MAMORI_FIDES_SAMPLE_URL", postgres_database)
    return postgres_database


def expected() -> dict[str, list[object]]:
    cases = json.loads((REFERENCE / "expected_outcomes.json").read_text(encoding="utf-8"))["cases"]
    derived = next(case for case in cases if case["name"] == "access, 4-table graph")["derived"]
    return {table: rows for table, rows in derived.items() if table != "why"}


def test_the_map_passes_mamori_check() -> None:
    assert load_map([MAP]).ok


def test_access_package_has_the_expected_rows_and_not_customer_2s_card(fides_url: str, tmp_path: Path) -> None:
    out = tmp_path / "customer-1.zip"
    call_command("fulfil", "access", str(MAP), "--email", SUBJECT["email"], "--out", str(out))
    with zipfile.ZipFile(out) as archive:
        data = {
            name.split("/")[-1][: -len(".json")]: json.loads(archive.read(name))["rows"]
            for name in archive.namelist()
            if name.endswith(".json") and name.startswith("data/")
        }
        everything = b"".join(archive.read(name) for name in archive.namelist())
    want = expected()
    assert sorted(row["id"] for row in data["customer"]) == want["customer"]
    assert sorted(row["id"] for row in data["orders"]) == want["orders"]
    assert sorted(row["id"] for row in data["address"]) == want["address"]
    # fides' own traversal reaches both cards; only customer 1's own is customer 1's data.
    assert [row["id"] for row in data["payment_card"]] == ["pay_aaa-aaa"]
    assert set(want["payment_card"]) - {"pay_aaa-aaa"} == {"pay_bbb-bbb"}
    assert b"pay_bbb-bbb" in everything  # named by customer 1's order ord_ddd-ddd ...
    assert b"Example Card 2" not in everything and b"987654321" not in everything  # ... but the card is not there
    assert data["customer"][0]["email"] == SUBJECT["email"]
    assert data["visit"][0]["email"] == SUBJECT["email"]
    assert len(data["login"]) == 6 and len(data["service_request"]) == 1
    assert b"customer-500@example.com" not in everything  # backup_schema stays out
    assert sorted((row["order_id"], row["item_no"]) for row in data["order_item"]) == [
        ("ord_aaa-aaa", 1),
        ("ord_ccc-ccc", 1),
        ("ord_ccc-ccc", 2),
        ("ord_ddd-ddd", 1),
    ]


def test_erasure_leaves_customer_2s_card_and_verifies_clean(fides_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("fulfil", "erase", str(MAP), "--email", SUBJECT["email"], "--dry-run")
    dry = capsys.readouterr().out
    assert "payment_card: 1 rows" in dry and "dry run: nothing changed" in dry
    engine = sa.create_engine(fides_url)
    with engine.connect() as connection:
        before = connection.execute(sa.text("SELECT name, ccn, code FROM payment_card WHERE id = 'pay_bbb-bbb'")).one()
    call_command("fulfil", "erase", str(MAP), "--email", SUBJECT["email"])
    out = capsys.readouterr().out
    assert "sample-db.login: 6 rows changed, 0 left" in out
    with engine.connect() as connection:
        assert (
            connection.execute(sa.text("SELECT name, ccn, code FROM payment_card WHERE id = 'pay_bbb-bbb'")).one()
            == before
        )
        card_1 = sa.text("SELECT name, ccn, code FROM payment_card WHERE id = 'pay_aaa-aaa'")
        assert connection.execute(card_1).one() == (
            None,
            None,
            None,
        )
        assert connection.execute(sa.text("SELECT email, name FROM customer WHERE id = 1")).one() == ("erased-1", None)
        assert connection.execute(sa.text("SELECT count(*) FROM login WHERE customer_id = 1")).scalar() == 0
        assert connection.execute(sa.text("SELECT count(*) FROM visit")).scalar() == 1  # customer 2's
        assert connection.execute(sa.text("SELECT count(*) FROM orders WHERE customer_id = 1")).scalar() == 3  # held
        assert connection.execute(sa.text("SELECT name FROM customer WHERE id = 2")).scalar() == "Jill Customer"
        # Addresses 1 and 2 are also customer 2's (home, card billing): shared, kept.
        assert connection.execute(sa.text("SELECT count(*) FROM address WHERE street IS NOT NULL")).scalar() == 4
    engine.dispose()
    # Nothing of customer 1 is found any more but the held order records and masked account.
    located = FulfilmentEngine(load_map([MAP]).map, {"MAMORI_FIDES_SAMPLE_URL": fides_url}).locate([SUBJECT])  # type: ignore[arg-type]
    assert located["sample-db"]["state"]["roots"] == {}
