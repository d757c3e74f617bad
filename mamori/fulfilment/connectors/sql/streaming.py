"""The rest of a large table's rows, read through a server-side cursor in the export's transaction.

On PostgreSQL with psycopg the rows are fetched with the driver's own named cursor, in lists of
FETCH_ROWS plain tuples: SQLAlchemy's streaming result re-buffers each row in Python and wraps it
in a Row, about 1 µs per row, as much as the driver takes to read it. The statement is still
SQLAlchemy's, compiled for the dialect, with its parameters expanded by SQLAlchemy
(`construct_expanded_state`), and run on the same connection and transaction (so the same
snapshot). Only when SQLAlchemy would not hand over the driver's values as they are (a column
type with a result processor, such as an ARRAY) does it read the rows itself. The next fetch runs
in a thread while the package converts the last one. Elsewhere, and with other drivers,
SQLAlchemy streams them (MySQL's unbuffered cursor; SQLite reads as it goes).
"""

from __future__ import annotations

import contextlib
import itertools
import queue
import threading
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.compiler import SQLCompiler

FETCH_ROWS = 5000  # rows per fetch from the server-side cursor (bounded memory, few round trips)
FETCHES_AHEAD = 2  # fetched lists waiting for the package writer, at most
_cursor_numbers = itertools.count()  # a cursor name per read, unique in the process


def by_driver(dialect: sa.Dialect) -> bool:
    """Whether the rest of a table is read with the driver's own cursor on this dialect."""
    return dialect.name == "postgresql" and dialect.driver == "psycopg"


def compiled_for(dialect: sa.Dialect, statement: sa.Select[Any]) -> SQLCompiler | None:
    """The statement compiled once, when it will be read with the driver's cursor."""
    return _compile(dialect, statement) if by_driver(dialect) else None


def _compile(dialect: sa.Dialect, statement: sa.Select[Any]) -> SQLCompiler:
    compiled = statement.compile(dialect=dialect)
    assert isinstance(compiled, SQLCompiler)
    return compiled


def read_rest(
    connection: sa.Connection,
    statement: sa.Select[Any],
    parameters: Mapping[str, Any],
    compiled: SQLCompiler | None = None,
) -> Iterator[Sequence[Sequence[Any]]]:
    """Every row `statement` selects, in lists, through a server-side cursor."""
    if by_driver(connection.dialect):
        compiled = compiled or _compile(connection.dialect, statement)
        expanded = compiled.construct_expanded_state(dict(parameters))
        values = dict(expanded.parameters)
        for name, process in expanded.processors.items():
            if name in values:
                values[name] = process(values[name])
        driver = connection.connection.driver_connection
        assert driver is not None
        with driver.cursor(name=f"mamori_export_{next(_cursor_numbers)}") as cursor:
            cursor.execute(expanded.statement, values)
            if not _processed(connection.dialect, statement, cursor.description or ()):
                yield from _prefetched(cursor)
                return
    result = connection.execute(
        statement, parameters, execution_options={"stream_results": True, "yield_per": FETCH_ROWS}
    )
    try:
        yield from result.partitions()
    finally:
        result.close()


def _prefetched(cursor: Any) -> Iterator[Sequence[Sequence[Any]]]:
    """The cursor's rows, FETCH_ROWS at a time, the next fetch running in a thread while the caller
    converts and writes the last one: the database's time for each fetch (reading the sorted rows,
    sending them) overlaps the package's work instead of adding to it. At most FETCHES_AHEAD
    fetches wait, so memory stays bounded. Only the thread uses the connection until the rows are
    all read, or it has stopped (the caller gave up early: it is told, and waited for)."""
    ready: queue.Queue[Sequence[Sequence[Any]] | BaseException | None] = queue.Queue(maxsize=FETCHES_AHEAD)
    stop = threading.Event()

    def fetch() -> None:
        try:
            while not stop.is_set():
                rows = cursor.fetchmany(FETCH_ROWS)
                ready.put(rows or None)
                if not rows:
                    return
        except BaseException as exc:  # raised again in the caller's thread
            ready.put(exc)

    thread = threading.Thread(target=fetch, name="mamori-export-fetch", daemon=True)
    thread.start()
    try:
        while (item := ready.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # let a thread blocked on a full queue finish its last fetch
            with contextlib.suppress(queue.Empty):
                ready.get(timeout=0.1)
        thread.join()


def _processed(dialect: sa.Dialect, statement: sa.Select[Any], description: Sequence[Any]) -> bool:
    """Whether SQLAlchemy would change any column's values on their way from the driver."""
    columns = list(statement.selected_columns)
    if len(columns) != len(description):
        return True
    return any(
        column.type.dialect_impl(dialect).result_processor(dialect, described[1]) is not None
        for column, described in zip(columns, description, strict=True)
    )
