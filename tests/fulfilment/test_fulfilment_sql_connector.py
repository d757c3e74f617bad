"""The SQL connector against real databases (SQLite, PostgreSQL, MariaDB) holding the onemall shop."""

from __future__ import annotations

import json
import re
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from mamori.catalog.mapfile import PrivacyMap
from mamori.fulfilment.connectors import ConnectorError
from mamori.fulfilment.connectors.sql import SqlConnector
from mamori.fulfilment.connectors.sql.connector import _unbounded
from mamori.fulfilment.connectors.sql.expressions import sha256_text
from mamori.fulfilment.connectors.sql.verification import count_rows
from mamori.fulfilment.package import PackageWriter

from .conftest import erasure_statement_count, onemall_map

HANAKO = {"email": "hanako.yamada@example.jp"}
EMILY = {"email": "emily.clark@example.com"}


def rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    engine = sa.create_engine(url.replace("sqlite:///", "sqlite:///", 1))
    with engine.connect() as connection:
        result = [tuple(row) for row in connection.execute(sa.text(sql))]
    engine.dispose()
    return result


def connector(url: str, privacy_map: PrivacyMap | None = None) -> SqlConnector:
    privacy_map = privacy_map or onemall_map()
    return SqlConnector(privacy_map.system("shop-db"), privacy_map, url)


def test_locate_finds_owned_rows_and_not_the_gift_payment_of_someone_else(shop_url: str) -> None:
    shop = connector(shop_url)
    shop.test_connection()
    located = shop.locate([HANAKO, EMILY, {"email": "nobody@example.jp"}])
    counts = located["counts"]
    assert located["state"]["roots"]["customers"] == {"0": [1], "1": [3]}
    assert counts["orders"] == {"0": 2, "1": 1}
    assert counts["order_items"] == {"0": 2, "1": 1}
    # Order 2 is Hanako's, but its payment is Taro's (payments.customer_id = 2): not hers.
    assert counts["payments"] == {"0": 1, "1": 1}
    assert counts["addresses"] == {"0": 2, "1": 1}
    assert "2" not in counts["customers"]
    shop.close()


def test_identities_are_matched_exactly_and_case_insensitively_for_email(sqlite_shop: str) -> None:
    shop = connector(sqlite_shop)
    assert shop.locate([{"email": "Hanako.Yamada@Example.JP"}])["state"]["roots"]["customers"] == {"0": [1]}
    assert shop.locate([{"customer_id": "3"}])["state"]["roots"]["customers"] == {"0": [3]}
    assert shop.locate([{"customer_id": "3 OR 1=1"}])["state"]["roots"] == {}
    assert shop.locate([{"phone": "+81 80-2345-6789"}])["state"]["roots"]["customers"] == {"0": [2]}


def test_export_streams_every_owned_row_into_json_and_csv(shop_url: str, tmp_path: Path) -> None:
    privacy_map = onemall_map()
    shop = connector(shop_url, privacy_map)
    located = shop.locate([HANAKO])
    path = tmp_path / "package.zip"
    with PackageWriter(path, privacy_map, "ja") as package:
        written = shop.export(located, 0, package)
    assert written["orders"] == 2 and written["payments"] == 1 and written["usage_events"] == 2
    with zipfile.ZipFile(path) as archive:
        payments = json.loads(archive.read("data/shop-db/payments.json"))
        customers = json.loads(archive.read("data/shop-db/customers.json"))
        csv_text = archive.read("data/shop-db/orders.csv").decode("utf-8")
        summary = archive.read("index.html").decode("utf-8")
    assert [payment["provider_reference"] for payment in payments["rows"]] == ["pi_3Hanako001"]
    assert "PAYID-TARO-7788" not in json.dumps(payments)
    assert customers["rows"][0]["email"] == "hanako.yamada@example.jp"
    assert "password_hash" not in customers["columns"]  # secrets are withheld
    assert csv_text.splitlines()[0].startswith("id,customer_id,ordered_at")
    assert len(csv_text.strip().splitlines()) == 3
    assert "メールアドレス" in summary  # the subject's language
    assert "Alibaba Cloud" in summary  # recipients of the categories found
    shop.close()


def test_erasure_plan_execute_verify_keeps_legal_holds_and_other_peoples_rows(shop_url: str) -> None:
    shop = connector(shop_url)
    plan = shop.plan_erasure(shop.locate([HANAKO]))
    tables = {table["table"]: table for table in plan["tables"]}
    # Every field of a payment is held, and her one payment (2024) is inside the 7 tax years.
    assert tables["payments"]["action"] == "keep" and tables["payments"]["reason"] == "legal_hold"
    assert tables["payments"]["dated_hold"]["kept_rows"] == 1 and tables["payments"]["dated_hold"]["expired_rows"] == 0
    assert {f["name"]: f["strategy"] for f in tables["payments"]["fields"]}["provider_reference"] == "hold"
    assert tables["orders"]["action"] == "update"
    assert tables["login_sessions"]["action"] == "delete"
    assert tables["customers"]["action"] == "update"
    order = plan["order"]
    assert order.index("order_items") < order.index("orders") < order.index("customers")
    assert shop.verify(plan)["login_sessions"] == 2  # before: everything is still there

    affected = shop.erase(plan)
    assert affected["login_sessions"] == 2 and affected["addresses"] == 2
    assert not any(shop.verify(plan).values())
    assert rows(shop_url, "SELECT count(*) FROM login_sessions WHERE customer_id = 1") == [(0,)]
    assert rows(shop_url, "SELECT email, first_name, phone FROM customers WHERE id = 1") == [
        ("erased-1", "erased-1", None)
    ]
    # Tax records stay; her personal fields on her orders are masked.
    assert rows(shop_url, "SELECT shipping_name, ip_address FROM orders WHERE id = 1") == [("erased-1", None)]
    assert rows(shop_url, "SELECT provider_reference FROM payments WHERE id = 1") == [("pi_3Hanako001",)]
    # Nobody else's rows changed: Taro's payment for her order, Taro himself, Emily.
    assert rows(shop_url, "SELECT provider_reference FROM payments WHERE id = 2") == [("PAYID-TARO-7788",)]
    assert rows(shop_url, "SELECT email FROM customers WHERE id IN (2, 3) ORDER BY id") == [
        ("taro.suzuki@example.jp",),
        ("emily.clark@example.com",),
    ]
    assert rows(shop_url, "SELECT count(*) FROM login_sessions") == [(1,)]

    # Running it again changes nothing and still verifies clean (idempotent).
    shop.erase(plan)
    assert not any(shop.verify(plan).values())
    assert rows(shop_url, "SELECT email FROM customers WHERE id = 1") == [("erased-1",)]
    shop.close()


def test_hash_strategy_replaces_the_value_by_its_sha256(shop_url: str) -> None:
    document = onemall_map().to_document()
    shop_db = next(system for system in document["systems"] if system["id"] == "shop-db")
    newsletter = next(table for table in shop_db["tables"] if table["name"] == "newsletter_subscriptions")
    newsletter["erase"] = "update_fields"
    shop = connector(shop_url, PrivacyMap.from_document(document))
    plan = shop.plan_erasure(shop.locate([HANAKO]))
    shop.erase(plan)
    assert not any(shop.verify(plan).values())
    assert rows(shop_url, "SELECT email FROM newsletter_subscriptions WHERE customer_id = 1") == [
        (sha256_text("hanako.yamada@example.jp"),)
    ]
    shop.close()


def test_rectification_changes_named_fields_of_the_subject_only(shop_url: str) -> None:
    shop = connector(shop_url)
    located = shop.locate([HANAKO])
    changed = shop.rectify(located, 0, {"contact.phone": "+81 90-0000-1111", "customers.first_name": "Hana"})
    assert changed["customers"] == 1
    assert changed["addresses"] == 2  # addresses.phone is contact.phone too
    assert "orders" in changed  # shipping_phone
    assert rows(shop_url, "SELECT first_name, phone FROM customers WHERE id = 1") == [("Hana", "+81 90-0000-1111")]
    assert rows(shop_url, "SELECT phone FROM customers WHERE id = 2") == [("+81 80-2345-6789",)]
    with pytest.raises(ConnectorError):
        shop.rectify(located, 0, {"customers.id": "9"})  # the owner key links records
    with pytest.raises(ConnectorError):
        shop.rectify(located, 0, {"customers.created_at": "x"})  # not a field of the map
    shop.close()


def test_bulk_uses_one_statement_per_table_whatever_the_batch_size(sqlite_shop: str) -> None:
    privacy_map = onemall_map()
    engine_sa = sa.create_engine(sqlite_shop)
    with engine_sa.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO customers (id, email, preferred_language, status, created_at) "
                "VALUES (:id, :email, 'ja', 'active', '2024-01-01')"
            ),
            [{"id": 100 + n, "email": f"bulk{n}@example.jp"} for n in range(60)],
        )
        connection.execute(
            sa.text(
                "INSERT INTO login_sessions (id, customer_id, started_at, last_seen_at) VALUES (:id, :c, 'x', 'x')"
            ),
            [{"id": 100 + n, "c": 100 + n} for n in range(60)],
        )
    engine_sa.dispose()

    one = erasure_statement_count(privacy_map, sqlite_shop, [{"email": "bulk0@example.jp"}])
    many = erasure_statement_count(privacy_map, sqlite_shop, [{"email": f"bulk{n}@example.jp"} for n in range(1, 60)])
    assert many == one
    assert rows(sqlite_shop, "SELECT count(*) FROM login_sessions WHERE customer_id >= 100") == [(0,)]


def test_a_plan_located_without_counts_says_so_instead_of_showing_nothing(sqlite_shop: str) -> None:
    """Bulk erasure locates without counts (its plan is not shown); such a plan must not claim
    that a table has 0 of the person's rows, and it erases exactly what the counted plan does."""
    shop = connector(sqlite_shop)
    counted = {entry["table"]: entry for entry in shop.plan_erasure(shop.locate([HANAKO]))["tables"]}
    uncounted = {entry["table"]: entry for entry in shop.plan_erasure(shop.locate([HANAKO], counts=False))["tables"]}
    assert counted["customers"]["rows"] == 1
    assert counted["orders"]["rows"] > 0
    owned = [name for name, entry in counted.items() if entry["ownership"] == "owned"]
    assert owned and all(uncounted[name]["rows"] is None for name in owned)
    assert {name: entry["action"] for name, entry in uncounted.items()} == {
        name: entry["action"] for name, entry in counted.items()
    }


def test_export_memory_stays_bounded_for_many_rows(sqlite_shop: str, tmp_path: Path) -> None:
    engine_sa = sa.create_engine(sqlite_shop)
    with engine_sa.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO usage_events (id, customer_id, device_id, page_url, occurred_at) "
                "VALUES (:id, 1, 'dev-hanako-1', :url, '2024-10-01 00:00:00')"
            ),
            [
                {"id": 1000 + n, "url": f"https://www.onemall.jp/products/{n:08d}?ref=newsletter"}
                for n in range(150_000)
            ],
        )
    engine_sa.dispose()
    privacy_map = onemall_map()
    shop = connector(sqlite_shop, privacy_map)
    located = shop.locate([HANAKO])
    tracemalloc.start()
    with PackageWriter(tmp_path / "big.zip", privacy_map, "en") as package:
        written = shop.export(located, 0, package)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert written["usage_events"] == 150_002
    assert peak < 20 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"  # the rows alone are ~15 MB as JSON
    shop.close()


def test_missing_table_or_column_is_a_clear_error(sqlite_shop: str) -> None:
    document = onemall_map().to_document()
    shop_db = next(system for system in document["systems"] if system["id"] == "shop-db")
    shop_db["tables"][0]["fields"].append({"name": "nickname", "category": "contact.name", "erase": "null"})
    shop = connector(sqlite_shop, PrivacyMap.from_document(document))
    with pytest.raises(ConnectorError, match="customers has no column nickname"):
        shop.locate([HANAKO])


def test_a_lookup_value_longer_than_the_column_finds_nobody(shop_url: str) -> None:
    """On PostgreSQL the look-up's values go as one array. Cast to the column's own type, each value
    was cut to the column's length (`varchar(8)`: 'AB1234567' became 'AB123456', another customer's
    number) and an integer beyond 32 bits failed the cast instead of finding nobody."""
    shop = connector(shop_url)
    assert shop.locate([{"customer_id": str(2**40)}])["state"]["roots"].get("customers", {}) == {}
    assert shop.locate([{"customer_id": "3"}])["state"]["roots"]["customers"] == {"0": [3]}
    if shop.engine.dialect.name == "postgresql":
        for statement in shop._lookups.values():
            sql = str(statement.compile(dialect=shop.engine.dialect))
            assert not re.search(r"::\w+\(\d+(,\s*\d+)?\)\[\]", sql), sql  # no VARCHAR(254)[] or NUMERIC(12, 2)[]


def test_lookup_arrays_cast_to_types_without_length_or_precision() -> None:
    assert isinstance(_unbounded(sa.String(8)), sa.String) and _unbounded(sa.String(8)).length is None
    assert _unbounded(sa.CHAR(2)).length is None
    assert isinstance(_unbounded(sa.Integer()), sa.BigInteger)
    numeric = _unbounded(sa.Numeric(12, 0))
    assert isinstance(numeric, sa.Numeric) and numeric.precision is None and numeric.scale is None
    assert isinstance(_unbounded(sa.Date()), sa.Date)


def test_verification_counts_any_number_of_checks(shop_url: str) -> None:
    """Each check is a column of one counting statement; PostgreSQL refuses more than 1,664 columns,
    so a map with many tables and references is counted in several statements."""
    engine = sa.create_engine(shop_url)
    customers = sa.Table("customers", sa.MetaData(), autoload_with=engine)
    checks = [("customers", customers, customers.c.id == number % 7) for number in range(1_700)]
    with engine.connect() as connection:
        counted = count_rows(connection, checks)
    engine.dispose()
    assert counted == [1 if 1 <= number % 7 <= 3 else 0 for number in range(1_700)]
