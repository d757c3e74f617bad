"""Rows of people without an account: the onemall map lists `inquiries.email` and
`newsletter_subscriptions.email` next to `customers.email`, so a visitor's inquiry and subscription
(customer_id NULL) are exported and erased; a row with a customer_id stays that customer's, whatever
e-mail address was typed into it."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import sqlalchemy as sa

from mamori.fulfilment.engine import FulfilmentEngine
from mamori.fulfilment.package import PackageWriter

from .conftest import erasure_statement_count, onemall_map
from .test_fulfilment_sql_connector import connector, rows

KENJI = {"email": "kenji.sato@example.jp"}  # demo shop: inquiry 2 and subscription 3, no customer row
HANAKO = {"email": "hanako.yamada@example.jp"}


def insert(url: str, sql: str, parameters: list[dict[str, object]]) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text(sql), parameters)
    engine.dispose()


def taro_inquiry_with_kenjis_address(url: str) -> None:
    """Taro (customer 2) typed Kenji's address into an inquiry: the row is Taro's, not Kenji's."""
    insert(
        url,
        "INSERT INTO inquiries (id, customer_id, name, email, subject, body, status, created_at) "
        "VALUES (:id, 2, 'Suzuki Taro', 'kenji.sato@example.jp', 'For a friend', 'Ask Kenji', 'open', "
        "'2024-10-05 10:00:00')",
        [{"id": 40}],
    )


def test_a_visitors_rows_are_located_and_exported_but_not_another_customers(shop_url: str, tmp_path: Path) -> None:
    taro_inquiry_with_kenjis_address(shop_url)
    privacy_map = onemall_map()
    shop = connector(shop_url, privacy_map)
    located = shop.locate([KENJI, HANAKO])
    assert located["state"]["roots"]["customers"] == {"1": [1]}  # Kenji has no account
    assert located["counts"]["inquiries"] == {"0": 1, "1": 1}
    assert located["counts"]["newsletter_subscriptions"] == {"0": 1, "1": 1}
    assert "0" not in located["counts"]["customers"]

    path = tmp_path / "kenji.zip"
    with PackageWriter(path, privacy_map, "ja") as package:
        written = shop.export(located, 0, package)
    assert written == {"inquiries": 1, "newsletter_subscriptions": 1}
    with zipfile.ZipFile(path) as archive:
        inquiries = json.loads(archive.read("data/shop-db/inquiries.json"))
        subscriptions = json.loads(archive.read("data/shop-db/newsletter_subscriptions.json"))
    assert [(row["id"], row["subject"]) for row in inquiries["rows"]] == [(2, "Gift wrapping")]
    assert [row["id"] for row in subscriptions["rows"]] == [3]
    assert "Ask Kenji" not in json.dumps(inquiries)  # Taro's inquiry stays Taro's
    shop.close()


def test_the_engine_export_of_a_visitor_holds_their_inquiry(sqlite_shop: str, tmp_path: Path) -> None:
    engine = FulfilmentEngine(onemall_map(), {"MAMORI_ONEMALL_SHOP_URL": sqlite_shop})
    written = engine.export({"email": "Kenji.Sato@Example.JP"}, tmp_path / "package.zip", "en")
    assert written["shop-db"] == {"inquiries": 1, "newsletter_subscriptions": 1}
    with zipfile.ZipFile(tmp_path / "package.zip") as archive:
        inquiries = json.loads(archive.read("data/shop-db/inquiries.json"))
    assert inquiries["rows"][0]["body"] == "Do you wrap gifts?"
    engine.close()


def test_a_visitors_erasure_removes_their_rows_and_nobody_elses(shop_url: str) -> None:
    taro_inquiry_with_kenjis_address(shop_url)
    shop = connector(shop_url)
    plan = shop.plan_erasure(shop.locate([KENJI]))
    tables = {table["table"]: table for table in plan["tables"]}
    assert tables["inquiries"]["rows"] == 1 and tables["inquiries"]["action"] == "delete"
    assert tables["newsletter_subscriptions"]["rows"] == 1
    assert tables["customers"]["rows"] == 0 and tables["orders"]["rows"] == 0
    assert shop.verify(plan)["inquiries"] == 1

    affected = shop.erase(plan)
    assert affected == {"inquiries": 1, "newsletter_subscriptions": 1}
    assert not any(shop.verify(plan).values())
    assert rows(shop_url, "SELECT id FROM inquiries ORDER BY id") == [(1,), (3,), (4,), (5,), (40,)]
    assert rows(shop_url, "SELECT id FROM newsletter_subscriptions ORDER BY id") == [(1,), (2,)]
    assert rows(shop_url, "SELECT email FROM inquiries WHERE id = 40") == [("kenji.sato@example.jp",)]
    assert rows(shop_url, "SELECT email FROM customers WHERE id = 2") == [("taro.suzuki@example.jp",)]
    shop.erase(plan)  # idempotent
    assert not any(shop.verify(plan).values())
    shop.close()


def test_a_members_erasure_takes_their_own_visitor_rows_and_leaves_others(shop_url: str) -> None:
    # Hanako wrote once before she had an account; Kenji's rows are not hers.
    insert(
        shop_url,
        "INSERT INTO inquiries (id, customer_id, name, email, subject, body, status, created_at) "
        "VALUES (41, NULL, 'Yamada Hanako', 'hanako.yamada@example.jp', 'Sizes', 'Before I signed up', 'open', "
        "'2023-01-05 10:00:00')",
        [{}],
    )
    shop = connector(shop_url)
    plan = shop.plan_erasure(shop.locate([HANAKO]))
    tables = {table["table"]: table for table in plan["tables"]}
    assert tables["inquiries"]["rows_by_subject"] == {"0": 2}
    affected = shop.erase(plan)
    assert affected["inquiries"] == 2
    assert not any(shop.verify(plan).values())
    assert rows(shop_url, "SELECT id FROM inquiries ORDER BY id") == [(2,), (3,), (4,), (5,)]
    assert rows(shop_url, "SELECT id, email FROM newsletter_subscriptions WHERE id = 3") == [
        (3, "kenji.sato@example.jp")
    ]
    assert rows(shop_url, "SELECT email FROM customers WHERE id IN (2, 3) ORDER BY id") == [
        ("taro.suzuki@example.jp",),
        ("emily.clark@example.com",),
    ]
    shop.close()


def test_visitor_rows_keep_bulk_erasure_set_based(sqlite_shop: str) -> None:
    insert(
        sqlite_shop,
        "INSERT INTO inquiries (id, customer_id, name, email, subject, body, status, created_at) "
        "VALUES (:id, NULL, 'Visitor', :email, 'Hello', 'Hi', 'open', '2024-01-01')",
        [{"id": 100 + n, "email": f"visitor{n}@example.jp"} for n in range(40)],
    )
    insert(
        sqlite_shop,
        "INSERT INTO newsletter_subscriptions (id, customer_id, email, source, subscribed_at) "
        "VALUES (:id, NULL, :email, 'footer', '2024-01-01')",
        [{"id": 100 + n, "email": f"visitor{n}@example.jp"} for n in range(40)],
    )
    privacy_map = onemall_map()

    one = erasure_statement_count(privacy_map, sqlite_shop, [{"email": "visitor0@example.jp"}])
    visitors = [{"email": f"visitor{n}@example.jp"} for n in range(1, 40)]
    many = erasure_statement_count(privacy_map, sqlite_shop, visitors)
    assert many == one
    assert rows(sqlite_shop, "SELECT count(*) FROM inquiries WHERE id >= 100") == [(0,)]
    assert rows(sqlite_shop, "SELECT count(*) FROM newsletter_subscriptions WHERE id >= 100") == [(0,)]
