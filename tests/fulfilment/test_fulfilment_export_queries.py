"""What an access export asks of the database: one connection, one snapshot, one SELECT per table
with rows and no COUNT; a table larger than the first read continues through a cursor, in order."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from mamori.fulfilment.connectors.sql import SqlConnector
from mamori.fulfilment.connectors.sql.connector import STREAM_ROWS
from mamori.fulfilment.engine import FulfilmentEngine
from mamori.fulfilment.package import PackageWriter
from mamori.fulfilment.package_rows import jsonable

from .conftest import onemall_map

HANAKO = {"email": "hanako.yamada@example.jp"}
HANAKO_TABLES = {
    "customers": 1,
    "social_accounts": 1,
    "addresses": 2,
    "orders": 2,
    "order_items": 2,
    "payments": 1,
    "inquiries": 1,
    "newsletter_subscriptions": 1,
    "login_sessions": 2,
    "usage_events": 2,
}


def shop_engine(url: str) -> tuple[FulfilmentEngine, SqlConnector]:
    engine = FulfilmentEngine(onemall_map(), {"MAMORI_ONEMALL_SHOP_URL": url})
    shop = engine.connector("shop-db")
    assert isinstance(shop, SqlConnector)
    _ = shop.layout  # reading the schema is not part of a request
    return engine, shop


def watch(shop: SqlConnector) -> tuple[list[str], list[int]]:
    """Statements sent to the shop database, and connections checked out of its pool."""
    statements: list[str] = []
    checkouts: list[int] = []
    sa.event.listen(shop.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    sa.event.listen(shop.engine.pool, "checkout", lambda *args: checkouts.append(1))
    return statements, checkouts


def selects(statements: list[str]) -> list[str]:
    """The reads sent (on PostgreSQL a table's export selects from a subquery fenced by `OFFSET 0`)."""
    return [
        sql for sql in statements if sql.lstrip().upper().startswith(("SELECT", "WITH")) and sql.strip() != "SELECT 1"
    ]


def test_export_reads_each_table_once_on_one_connection_without_counts(shop_url: str, tmp_path: Path) -> None:
    engine, shop = shop_engine(shop_url)
    statements, checkouts = watch(shop)
    written = engine.export(HANAKO, tmp_path / "package.zip", "en")
    assert written["shop-db"] == HANAKO_TABLES
    assert len(checkouts) == 1  # one connection for the look-up and every table
    sent = selects(statements)
    assert not [sql for sql in sent if "count(" in sql.lower()]
    # The look-ups by e-mail (customers; visitor rows of inquiries and newsletter subscriptions),
    # the identities stored in her customer row (identity expansion), then one SELECT per table.
    assert len(sent) == 4 + len(HANAKO_TABLES)
    # A second request hits SQLAlchemy's statement cache: the same SQL text, only the keys differ.
    statements.clear()
    engine.export({"email": "emily.clark@example.com"}, tmp_path / "emily.zip", "en")
    assert set(selects(statements)) <= set(sent)
    engine.close()


def test_export_sees_one_snapshot_even_when_rows_arrive_meanwhile(shop_url: str, tmp_path: Path) -> None:
    if shop_url.startswith("sqlite"):
        pytest.skip("SQLite blocks the writer while the export reads: there is nothing to see meanwhile")
    privacy_map = onemall_map()
    shop = SqlConnector(privacy_map.system("shop-db"), privacy_map, shop_url)
    writer = sa.create_engine(shop_url)

    class WritingSink(PackageWriter):
        """After the first table, the shop records a new visit by the subject (and commits)."""

        def write_table(self, system_id: str, table: str, *args: Any, **kwargs: Any) -> int:
            count = super().write_table(system_id, table, *args, **kwargs)
            if table == "customers":
                with writer.begin() as connection:
                    connection.execute(
                        sa.text(
                            "INSERT INTO usage_events (id, customer_id, device_id, page_url, occurred_at) "
                            "VALUES (9001, 1, 'dev-hanako-1', 'https://www.onemall.jp/late', '2026-01-01 00:00:00')"
                        )
                    )
            return count

    with WritingSink(tmp_path / "package.zip", privacy_map, "en") as package:
        written = shop.export_subject(HANAKO, package)
    assert written["usage_events"] == 2  # the row committed during the export is not in it
    with writer.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM usage_events WHERE customer_id = 1")).scalar() == 3
    writer.dispose()
    shop.close()


@pytest.mark.parametrize("extra", [STREAM_ROWS - 2, STREAM_ROWS - 1, 2 * STREAM_ROWS + 5])
def test_large_tables_continue_through_a_cursor_in_order(sqlite_shop: str, tmp_path: Path, extra: int) -> None:
    """Hanako has 2 usage events: with `extra` more, exactly STREAM_ROWS, one more, and several pages."""
    store = sa.create_engine(sqlite_shop)
    with store.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO usage_events (id, customer_id, device_id, page_url, occurred_at) "
                "VALUES (:id, 1, 'dev-hanako-1', 'https://www.onemall.jp/p', '2024-10-01 00:00:00')"
            ),
            [{"id": 100_000 - n} for n in range(extra)],  # inserted in descending order: the export sorts
        )
        expected = [
            row[0]
            for row in connection.execute(sa.text("SELECT id FROM usage_events WHERE customer_id = 1 ORDER BY id"))
        ]
    store.dispose()
    engine, shop = shop_engine(sqlite_shop)
    statements, _ = watch(shop)
    written = engine.export(HANAKO, tmp_path / "package.zip", "en")
    assert written["shop-db"]["usage_events"] == len(expected) == extra + 2
    with zipfile.ZipFile(tmp_path / "package.zip") as archive:
        exported = json.loads(archive.read("data/shop-db/usage_events.json"))["rows"]
    assert [row["id"] for row in exported] == expected  # every row once, in key order
    usage_reads = [sql for sql in selects(statements) if "FROM usage_events" in sql]
    assert len(usage_reads) == (1 if len(expected) <= STREAM_ROWS else 2)
    engine.close()


def test_summary_sections_on_the_categories_are_rendered_once_per_map_language_and_categories(
    sqlite_shop: str, tmp_path: Path
) -> None:
    from mamori.fulfilment import package as package_module

    engine, _shop = shop_engine(sqlite_shop)
    summaries = []
    for number in range(2):
        engine.export(HANAKO, tmp_path / f"{number}.zip", "ja")
        with zipfile.ZipFile(tmp_path / f"{number}.zip") as archive:
            summaries.append(archive.read("index.html").decode("utf-8"))
        if number == 0:
            cached = dict(package_module._about_cache)
    assert dict(package_module._about_cache) == cached  # the second package rendered nothing new
    assert "Alibaba Cloud" in summaries[1] and "注文・決済記録" in summaries[1]
    assert summaries[0].split("<h2>", 2)[2] == summaries[1].split("<h2>", 2)[2]  # the same sections
    engine.export(HANAKO, tmp_path / "en.zip", "en")  # another language: its own entry
    with zipfile.ZipFile(tmp_path / "en.zip") as archive:
        assert "Purposes of use" in archive.read("index.html").decode("utf-8")
    engine.close()


def test_small_and_streamed_tables_are_written_alike(tmp_path: Path) -> None:
    from mamori.fulfilment import package as package_module

    columns = ["id", "name", "note"]
    rows = [[n, f"名前 {n}", None if n % 2 else 'quote " and, comma\nnewline'] for n in range(1, 8)]
    files = []
    for limit in (package_module.SMALL_TABLE_ROWS, 3):  # built in memory, then streamed
        original = package_module.SMALL_TABLE_ROWS
        package_module.SMALL_TABLE_ROWS = limit
        try:
            path = tmp_path / f"{limit}.zip"
            with PackageWriter(path, onemall_map(), "en") as package:
                assert package.write_table("s", "t", columns, iter(rows), {"name": "contact.name"}) == len(rows)
        finally:
            package_module.SMALL_TABLE_ROWS = original
        with zipfile.ZipFile(path) as archive:
            files.append((archive.read("data/s/t.json"), archive.read("data/s/t.csv")))
    assert files[0] == files[1]
    assert json.loads(files[0][0])["rows"][1] == {"id": 2, "name": "名前 2", "note": 'quote " and, comma\nnewline'}


def test_a_large_table_reads_on_alike_on_every_database(shop_url: str, tmp_path: Path) -> None:
    """Past the first rows (a plain query) the rest comes through a server-side cursor (on
    PostgreSQL the driver's own): the package holds every row once, in key order, each value
    written the same way whichever read it came from."""
    store = sa.create_engine(shop_url)
    extra = 2 * STREAM_ROWS + 5
    with store.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO usage_events (id, customer_id, device_id, page_url, occurred_at, duration_ms) "
                "VALUES (:id, 1, :device, :url, :at, :ms)"
            ),
            [
                {
                    "id": 100_000 - n,
                    "device": None if n % 3 else f"dev-{n}",
                    "url": f'https://www.onemall.jp/p?q="{n}",x' if n % 7 == 0 else f"https://www.onemall.jp/p/{n}",
                    "at": datetime(2024, 10, 1) + timedelta(seconds=n),
                    "ms": None if n % 5 == 0 else n,
                }
                for n in range(extra)
            ],
        )
        # Read as the connector reads it (reflected types: SQLite's dates come back as datetimes).
        events = sa.Table("usage_events", sa.MetaData(), autoload_with=connection)
        expected = [
            [jsonable(value) for value in row]
            for row in connection.execute(
                sa.select(
                    *(
                        events.c[name]
                        for name in ("id", "customer_id", "device_id", "page_url", "occurred_at", "duration_ms")
                    )
                )
                .where(events.c.customer_id == 1)
                .order_by(events.c.id)
            )
        ]
    store.dispose()
    engine, _shop = shop_engine(shop_url)
    written = engine.export(HANAKO, tmp_path / "package.zip", "en")
    engine.close()
    assert written["shop-db"]["usage_events"] == len(expected) == extra + 2
    with zipfile.ZipFile(tmp_path / "package.zip") as archive:
        document = json.loads(archive.read("data/shop-db/usage_events.json"))
        table = list(csv.reader(io.StringIO(archive.read("data/shop-db/usage_events.csv").decode("utf-8"))))
    columns = document["columns"]
    assert [[row[column] for column in columns] for row in document["rows"]] == expected
    assert table[0] == columns
    assert table[1:] == [["" if value is None else str(value) for value in row] for row in expected]


def test_values_sqlalchemy_converts_are_read_through_sqlalchemy(postgres_database: str) -> None:
    """A column type whose values SQLAlchemy processes (an ARRAY) is not read past it."""
    from mamori.fulfilment.connectors.sql import streaming

    store = sa.create_engine(postgres_database)
    metadata = sa.MetaData()
    table = sa.Table(
        "tagged",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("tags", sa.ARRAY(sa.Text)),
        sa.Column("at", sa.DateTime),
    )
    metadata.create_all(store)
    with store.begin() as connection:
        connection.execute(
            table.insert(), [{"id": n, "tags": [f"t{n}", "x"], "at": datetime(2026, 1, 1)} for n in range(7)]
        )
    plain = sa.select(table.c.id, table.c.at).order_by(table.c.id)
    tagged = sa.select(table).order_by(table.c.id)
    with store.connect() as connection, connection.begin():
        for statement in (plain, tagged):
            via_sqlalchemy = [tuple(row) for row in connection.execute(statement)]
            chunks = list(streaming.read_rest(connection, statement, {}))
            assert [tuple(row) for chunk in chunks for row in chunk] == via_sqlalchemy
            raw = all(type(row) is tuple for chunk in chunks for row in chunk)
            assert raw == (statement is plain)  # the driver's tuples only where nothing is processed
    store.dispose()


def test_a_read_given_up_early_leaves_the_connection_usable(
    postgres_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The next fetch runs in a thread: when the package writer stops early (an error), the
    thread is stopped and waited for, and the transaction goes on."""
    from mamori.fulfilment.connectors.sql import streaming

    monkeypatch.setattr(streaming, "FETCH_ROWS", 2)
    store = sa.create_engine(postgres_database)
    metadata = sa.MetaData()
    table = sa.Table("numbers", metadata, sa.Column("id", sa.Integer, primary_key=True))
    metadata.create_all(store)
    with store.begin() as connection:
        connection.execute(table.insert(), [{"id": n} for n in range(40)])
    statement = sa.select(table).order_by(table.c.id)
    with store.connect() as connection, connection.begin():
        chunks = streaming.read_rest(connection, statement, {})
        assert list(next(chunks)) == [(0,), (1,)]
        chunks.close()  # given up after the first list, with later fetches waiting
        assert connection.execute(sa.select(sa.func.count()).select_from(table)).scalar() == 40
        assert [row for chunk in streaming.read_rest(connection, statement, {}) for row in chunk] == [
            (n,) for n in range(40)
        ]
    store.dispose()
