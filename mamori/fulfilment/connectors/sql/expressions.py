"""Erasure expressions that run inside the database (set-based: no row ever comes to Python).

- mask: `erased-<primary key>`: unique per row (a UNIQUE e-mail column stays valid), the same
  value every time (running twice changes nothing), cut to the column's length; very short text
  columns (a card's last four digits) become asterisks.
- hash: SHA-256 hex of the stored text, so a company can keep a suppression list ("do not add
  this address again") without the address. PostgreSQL `sha256()`, MySQL/MariaDB `SHA2()`,
  SQLite a function registered on each connection.
"""

from __future__ import annotations

import hashlib
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

HASH_LENGTH = 64
MASK_PREFIX = "erased-"
SHORT_TEXT = 12  # text columns shorter than this are masked with asterisks


def sha256_text(value: Any) -> str | None:
    if value is None:
        return None
    return hashlib.sha256(str(value).encode("utf-8")).hexdigest()


def register_sqlite_functions(engine: sa.Engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _register(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.create_function("mamori_sha256", 1, sha256_text, deterministic=True)
        # SQLite checks foreign keys only when asked: ask, so an unsafe erasure fails and rolls back.
        dbapi_connection.execute("PRAGMA foreign_keys = ON")


def is_text(column: sa.Column[Any]) -> bool:
    return isinstance(column.type, sa.String)


def text_length(column: sa.Column[Any]) -> int | None:
    return getattr(column.type, "length", None)


def _cut(expression: sa.ColumnElement[Any], length: int | None) -> sa.ColumnElement[Any]:
    return sa.func.substr(expression, 1, length) if length else expression


def hash_expression(dialect: str, column: sa.Column[Any]) -> sa.ColumnElement[Any]:
    as_text = sa.cast(column, sa.String)
    expression: sa.ColumnElement[Any]
    if dialect == "postgresql":
        expression = sa.func.encode(sa.func.sha256(sa.func.convert_to(as_text, "UTF8")), "hex")
    elif dialect in ("mysql", "mariadb"):
        expression = sa.func.sha2(as_text, 256)
    else:
        expression = sa.func.mamori_sha256(as_text)
    length = text_length(column)
    return _cut(expression, length if length and length < HASH_LENGTH else None)


def hashed_length(column: sa.Column[Any]) -> int:
    length = text_length(column)
    return min(HASH_LENGTH, length) if length else HASH_LENGTH


def mask_expression(table: sa.Table, column: sa.Column[Any]) -> sa.ColumnElement[Any]:
    length = text_length(column)
    if length is not None and length < SHORT_TEXT:
        return sa.literal("*" * length, sa.String)
    key_columns = list(table.primary_key.columns)
    if not key_columns:
        return sa.literal(MASK_PREFIX.rstrip("-"), sa.String)
    expression: sa.ColumnElement[Any] = sa.literal(MASK_PREFIX, sa.String) + sa.cast(key_columns[0], sa.String)
    for key in key_columns[1:]:
        expression = expression + sa.literal("-", sa.String) + sa.cast(key, sa.String)
    return _cut(expression, length)
