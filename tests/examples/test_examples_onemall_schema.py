"""The onemall map and examples/onemall/shop-schema.sql describe the same shop database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

pytest.importorskip("mamori.catalog.mapfile", reason="the privacy-map loader is not importable yet")

SCHEMA = Path(__file__).resolve().parents[2] / "examples" / "onemall" / "shop-schema.sql"


@pytest.fixture(scope="module")
def database() -> dict[str, dict[str, object]]:
    """Table -> {"columns": set, "foreign_keys": {column: "table.column"}} of the schema, built in SQLite."""
    connection = sqlite3.connect(":memory:")
    try:
        connection.executescript(SCHEMA.read_text(encoding="utf-8"))
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        layout: dict[str, dict[str, object]] = {}
        for table in tables:
            columns = {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}
            keys = {row[3]: f"{row[2]}.{row[4]}" for row in connection.execute(f"PRAGMA foreign_key_list({table})")}
            layout[table] = {"columns": columns, "foreign_keys": keys}
        return layout
    finally:
        connection.close()


@pytest.fixture
def shop(example_map):
    return example_map("onemall").system("shop-db")


def test_schema_and_map_have_the_same_tables(database, shop) -> None:
    assert {table.name for table in shop.tables} == set(database)


def test_every_mapped_column_exists(database, shop) -> None:
    missing = [
        f"{table.name}.{name}"
        for table in shop.tables
        for name in [field.name for field in table.fields] + [link.column for link in table.links]
        if name not in database[table.name]["columns"]
    ]
    assert missing == []


def test_identities_and_owners_exist(database, shop) -> None:
    for _kind, target in shop.identity_columns():
        table, column = target.split(".")
        assert column in database[table]["columns"], target
    for table in shop.tables:
        owner_table, owner_column = table.owner.split(".") if "." in table.owner else (table.name, table.owner)
        assert owner_column in database[owner_table]["columns"], f"{table.name}: {table.owner}"


def test_links_are_the_foreign_keys(database, shop) -> None:
    for table in shop.tables:
        mapped = {link.column: link.references for link in table.links}
        assert mapped == database[table.name]["foreign_keys"], table.name
