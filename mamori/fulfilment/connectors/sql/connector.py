"""The SQL connector (SQLAlchemy Core): PostgreSQL, MySQL/MariaDB, SQLite, others by driver.

Every operation is set-based: one statement per table for the whole batch of subjects. Rows only
come to Python when they are exported or when related rows (shared tables without an owner) must
be told apart by primary key.

An export reads everything on one connection, in one transaction (REPEATABLE READ where the
database has it), so the package is one consistent picture of the subject's data. A table's first
`STREAM_ROWS` rows come with a plain query, the usual case in one round trip; only a table with
more rows is read on through a server-side cursor, so memory stays bounded however many rows.
The statements are built once per connector and take the keys as an expanding parameter, so
SQLAlchemy's compiled-statement cache serves every later request.
"""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from django.utils.translation import gettext_lazy as _
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql.compiler import SQLCompiler

from mamori.fulfilment.connectors.base import (
    ConnectorError,
    Known,
    Located,
    PackageSink,
    Subjects,
    SystemNotConfigured,
    SystemPlan,
)
from mamori.fulfilment.connectors.sql import expressions, identities, streaming
from mamori.fulfilment.connectors.sql.identities import normalise
from mamori.fulfilment.connectors.sql.layout import SqlLayout, TableLayout, keys_in
from mamori.fulfilment.package_rows import RowChunks, jsonable

if TYPE_CHECKING:
    from mamori.catalog.mapfile import PrivacyMap
    from mamori.catalog.mapfile.schema import System

STREAM_ROWS = 1000  # rows read at once (first query, then per fetch from a server-side cursor)
KEYS = "mamori_keys"  # the expanding parameter of the prepared export and look-up statements
# Dialects whose transactions can be REPEATABLE READ (a snapshot for a whole export).
SNAPSHOT_DIALECTS = {"postgresql", "mysql", "mariadb"}
# Columns an access package leaves out: secrets that would only help an attacker (GDPR Art. 15(4)).
WITHHELD_COLUMN = re.compile(r"password|secret|token|salt", re.IGNORECASE)
_URL_SCHEMES = {
    "postgres": "postgresql+psycopg",
    "postgresql": "postgresql+psycopg",
    "mysql": "mysql+pymysql",
    "mariadb": "mysql+pymysql",
}


def normalise_url(url: str) -> str:
    """Accept the URLs people write (postgres://, mysql://) and pick the drivers mamori ships."""
    scheme, sep, rest = url.partition("://")
    return f"{_URL_SCHEMES.get(scheme, scheme)}{sep}{rest}" if sep else url


def _unbounded(column_type: sa.types.TypeEngine[Any]) -> sa.types.TypeEngine[Any]:
    """The type a look-up's values are cast to on PostgreSQL, without the column's length or
    precision: PostgreSQL cuts every value to `varchar(n)` on the cast (and rounds to
    `numeric(p, s)`), so a customer number one character longer than the column would find the
    customer whose number is its prefix, and an export or erasure would take another person's rows.
    Integers go as bigint (the index on an integer column serves it), so a large one is not found
    instead of failing the cast."""
    if isinstance(column_type, sa.String):  # VARCHAR, CHAR, TEXT and their national kinds
        return sa.String()
    if isinstance(column_type, sa.Integer):
        return sa.BigInteger()
    if isinstance(column_type, sa.Numeric) and not isinstance(column_type, sa.Float):
        return sa.Numeric()
    return column_type


def exported_columns(table: TableLayout) -> list[sa.Column[Any]]:
    """The columns an access package holds: not secrets, not what the map says to withhold
    (someone else's data inside the person's rows, `others_data: withhold`)."""
    withheld = {field.name for field in table.spec.fields if field.others_data == "withhold"}
    return [
        column for column in table.table.c if not WITHHELD_COLUMN.search(column.name) and column.name not in withheld
    ]


def labelled(table: TableLayout) -> list[str]:
    """Columns the package labels as someone else's data (`others_data: label`)."""
    return [field.name for field in table.spec.fields if field.others_data == "label"]


@dataclass(frozen=True)
class ExportStatement:
    """One owned table's export, built once: the first rows, and the rest when there are more."""

    columns: list[str]
    categories: dict[str, str]
    first: sa.Select[Any]  # LIMIT STREAM_ROWS + 1 (ordered by the primary key)
    rest: sa.Select[Any]  # OFFSET STREAM_ROWS, or every row for a table without a primary key
    rest_compiled: SQLCompiler | None = None  # `rest` compiled once, where the driver's cursor reads it


class SqlConnector:
    kind = "sql"

    def __init__(self, system: System, privacy_map: PrivacyMap, url: str) -> None:
        self.system = system
        self.system_id = system.id
        self.map = privacy_map
        self.engine = sa.create_engine(normalise_url(url), pool_pre_ping=True)
        expressions.register_sqlite_functions(self.engine)
        self._layout: SqlLayout | None = None
        self._exports: dict[str, ExportStatement] = {}
        self._lookups: dict[tuple[str, str, str], sa.Select[Any]] = {}
        # Connectors are shared between threads (services keeps them per map version): the schema
        # is read, and the statements built, once under this lock.
        self._lock = threading.Lock()

    @classmethod
    def from_environment(cls, system: System, privacy_map: PrivacyMap, environ: Mapping[str, str]) -> SqlConnector:
        url = environ.get(system.connection_env or "", "")
        if not url:
            raise SystemNotConfigured(
                _("system %(system)s: set the environment variable %(env)s to its database URL"),
                system=system.id,
                env=system.connection_env,
            )
        return cls(system, privacy_map, url)

    def close(self) -> None:
        self.engine.dispose()

    # -- schema

    @property
    def layout(self) -> SqlLayout:
        layout = self._layout
        if layout is not None:
            return layout
        with self._lock:
            return self._layout or self._reflect()

    def _extra_tables(self) -> list[str]:
        """Tables the engine writes that the map lists no fields of (the restricted-keys table)."""
        restriction = self.system.restriction
        if restriction is not None and restriction.keys:
            name = restriction.keys.split(".", 1)[0]
            if self.system.table(name) is None:
                return [name]
        return []

    def _reflect(self) -> SqlLayout:
        if self._layout is None:
            metadata = sa.MetaData()
            try:
                metadata.reflect(self.engine, only=[table.name for table in self.system.tables] + self._extra_tables())
            except sa.exc.InvalidRequestError as exc:  # a table of the map is missing
                raise ConnectorError(
                    _("system %(system)s: a table of the map is missing from the database (%(error)s)"),
                    system=self.system_id,
                    error=str(exc),
                ) from None
            except SQLAlchemyError as exc:
                raise ConnectorError(
                    _("system %(system)s: cannot read the schema (%(error)s)"),
                    system=self.system_id,
                    error=type(exc).__name__,
                ) from None
            layout = SqlLayout(self.system, metadata)
            self._exports, self._lookups = self._prepare(layout)
            self._layout = layout
        return self._layout

    def _prepare(
        self, layout: SqlLayout
    ) -> tuple[dict[str, ExportStatement], dict[tuple[str, str, str], sa.Select[Any]]]:
        """The statements every request runs, with the keys left as an expanding parameter."""
        keys: sa.BindParameter[Any] = sa.bindparam(KEYS, expanding=True)
        exports: dict[str, ExportStatement] = {}
        for table in layout.tables.values():
            if not table.owned:
                continue  # related rows are selected by primary key, built per request
            columns = exported_columns(table)
            statement = sa.select(*columns).where(layout.owned_predicate(table.name, keys))
            if table.primary_key:
                ordered = self._ordered_by_key(statement, table)
                first, rest = ordered.limit(STREAM_ROWS + 1), ordered.offset(STREAM_ROWS)
            else:
                first = rest = statement  # no order to resume from: always streamed
            exports[table.name] = ExportStatement(
                [column.name for column in columns],
                {field.name: field.category for field in table.spec.fields},
                first,
                rest,
                streaming.compiled_for(self.engine.dialect, rest),
            )
        # Per identity column: on a root table, the owners it finds; elsewhere, the values it
        # holds in rows without an owner (a visitor's inquiry), so those rows are the person's too.
        # Columns are compared in the identity's normal form (identities.py), on every dialect.
        lookups: dict[tuple[str, str, str], sa.Select[Any]] = {}
        for kind, refs in layout.identity_columns.items():
            for table_name, column_name in refs:
                column = layout.tables[table_name].table.c[column_name]
                compared = (
                    identities.column_expression(kind, column, self.engine.dialect.name)
                    if identities.matches_column(kind, column)
                    else column
                )
                if layout.finds_roots(table_name):
                    source, owner = layout.owner_join(table_name)
                    lookups[("root", table_name, column_name)] = (
                        sa.select(owner, column).select_from(source).where(self._one_of(compared, column, keys))
                    )
                if any(found == column_name for _kind, found in layout.visitor_columns(table_name)):
                    predicate = layout.visitor_predicate(table_name, {column_name: keys}, compared=compared)
                    assert predicate is not None
                    lookups[("visitor", table_name, column_name)] = sa.select(column).where(predicate).distinct()
        return exports, lookups

    def _one_of(
        self, compared: sa.ColumnElement[Any], column: sa.Column[Any], keys: sa.BindParameter[Any]
    ) -> sa.ColumnElement[bool]:
        """A look-up's `compared IN (values)`. On PostgreSQL the values go as one array parameter
        (`= ANY(%(keys)s)`, served by the same index): a batch's 3,000 phone forms as 3,000
        parameters cost the client about 30 ms of converting per statement."""
        if self.engine.dialect.name != "postgresql" or isinstance(column.type, sa.types.NullType):
            return compared.in_(keys)  # (a column whose type reflection could not tell: no array type)
        return compared == sa.any_(sa.bindparam(keys.key, type_=postgresql.ARRAY(_unbounded(column.type))))

    def _ordered_by_key(self, statement: sa.Select[Any], table: TableLayout) -> sa.Select[Any]:
        """The subject's rows of a table in primary-key order, found through the subject's own index.

        Asked for `ORDER BY id LIMIT n` (or through a cursor, which plans for its first rows),
        PostgreSQL may walk the primary key and filter: for a subject whose rows have the highest
        ids it read nearly the whole table (a 100,000-row subject at the end of 4 million rows:
        1.9 s for the first 1,001 rows). Selecting the subject's rows in a subquery with `OFFSET 0`,
        which PostgreSQL never merges into the outer query, makes it find them by the subject's
        index first, then sort only those. (A MATERIALIZED common table expression did the same but
        copied every row into a tuplestore first: 78 + 164 ms for the two statements of that
        subject against 24 + 46 ms with the subquery, EXPLAIN ANALYZE.) Other databases get the
        plain statement."""
        if self.engine.dialect.name != "postgresql":
            return statement.order_by(*(table.table.c[name] for name in table.primary_key))
        mine = statement.offset(sa.literal_column("0")).subquery(f"mamori_{table.name}")
        return sa.select(*mine.c).order_by(*(mine.c[name] for name in table.primary_key))

    def test_connection(self) -> None:
        try:
            with self.engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
        except SQLAlchemyError as exc:
            raise ConnectorError(
                _("system %(system)s: cannot connect (%(error)s)"), system=self.system_id, error=type(exc).__name__
            ) from None
        with self._lock:
            self._layout = None
            self._reflect()

    @contextmanager
    def snapshot(self) -> Iterator[sa.Connection]:
        """One connection and one read transaction: every query in it sees the same data."""
        with self.engine.connect() as connection:
            dialect = self.engine.dialect.name
            if dialect in SNAPSHOT_DIALECTS:
                connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                if dialect == "sqlite":
                    # pysqlite starts a transaction only before a write: start it now, so the
                    # reads share one snapshot too.
                    connection.exec_driver_sql("BEGIN")
                yield connection

    # -- find

    def locate(self, subjects: Subjects, *, counts: bool = True, known: Known | None = None) -> Located:
        """Where each subject's rows are; `counts=False` leaves out the rows per owned table
        (one COUNT per table), which only plans and reviews show. `known`: identities an earlier
        erasure collected per subject (their e-mail may be masked by now, their key is not)."""
        with self.engine.connect() as connection:
            return self._locate(connection, subjects, counts=counts, known=known)

    def _locate(
        self,
        connection: sa.Connection,
        subjects: Subjects,
        *,
        counts: bool,
        known: Known | None = None,
        expand: bool = True,
    ) -> Located:
        region = self.phone_region
        # Every identity of each subject in its normal form: those given, and (identity expansion)
        # those stored in the root rows they resolve to. Kept with the run (encrypted), so
        # verification can find again whatever any of them reaches.
        collected: list[dict[str, set[Any]]] = [
            {kind: {normalise(kind, value, region)} for kind, value in identities_.items() if value}
            for identities_ in subjects
        ]
        for found, earlier in zip(collected, known or (), strict=False):
            for kind, values in earlier.items():
                found.setdefault(kind, set()).update(value for value in values if value is not None)
        roots, visitors = self._find(connection, collected, expand=expand)
        return self._located(connection, roots, visitors, collected, counts=counts)

    def relocate(self, connection: sa.Connection, collected: Mapping[str, Mapping[str, list[Any]]]) -> dict[str, Any]:
        """Roots and visitor rows the identities collected by an earlier look-up reach now."""
        sets = [{kind: set(values) for kind, values in collected[str(i)].items()} for i in range(len(collected))]
        roots, visitors = self._find(connection, sets)
        return {
            "roots": {root: {str(i): sorted(keys, key=str) for i, keys in per.items()} for root, per in roots.items()},
            "visitors": {
                table: {column: {str(i): sorted(v, key=str) for i, v in per.items()} for column, per in columns.items()}
                for table, columns in visitors.items()
            },
        }

    def _find(
        self, connection: sa.Connection, collected: list[dict[str, set[Any]]], *, expand: bool = True
    ) -> tuple[dict[str, dict[int, set[Any]]], dict[str, dict[str, dict[int, set[Any]]]]]:
        layout = self.layout
        roots: dict[str, dict[int, set[Any]]] = defaultdict(lambda: defaultdict(set))
        visitors: dict[str, dict[str, dict[int, set[Any]]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(set)))
        for table_name, _column, matched, owner_value in self._lookup(connection, "root", collected):
            if owner_value is not None:
                for index in matched:
                    roots[layout.tables[table_name].root or ""][index].add(jsonable(owner_value))
        if expand:
            self._expand(connection, roots, collected)
        for table_name, column_name, matched, value in self._lookup(connection, "visitor", collected):
            for index in matched:
                visitors[table_name][column_name][index].add(jsonable(value))
        return roots, visitors

    def _lookup(
        self, connection: sa.Connection, role: str, collected: list[dict[str, set[Any]]]
    ) -> Iterator[tuple[str, str, list[int], Any]]:
        """Run the prepared look-ups of one role ("root": owners found by an identity column of a
        root table; "visitor": identity values in rows without an owner) for the collected
        identities: (table, column, subjects matched, owner or value) per row returned."""
        for kind, refs in self.layout.identity_columns.items():
            for table_name, column_name in refs:
                lookup = self._lookups.get((role, table_name, column_name))
                if lookup is None:
                    continue
                column = self.layout.tables[table_name].table.c[column_name]
                wanted, sent = self._wanted(kind, column, [found.get(kind, set()) for found in collected])
                if not sent:
                    continue
                for row in connection.execute(lookup, {KEYS: sent}):
                    matched = row[-1]
                    subjects = wanted.get(normalise(kind, matched, self.phone_region), [])
                    yield table_name, column_name, subjects, row[0] if role == "root" else matched

    def _located(
        self,
        connection: sa.Connection,
        roots: Mapping[str, Mapping[int, set[Any]]],
        visitors: Mapping[str, Mapping[str, Mapping[int, set[Any]]]],
        collected: list[dict[str, set[Any]]],
        *,
        counts: bool,
    ) -> Located:
        layout = self.layout
        state: dict[str, Any] = {
            "roots": {root: {str(i): sorted(keys, key=str) for i, keys in per.items()} for root, per in roots.items()},
            # Identity values found in rows without an owner: {table: {column: {subject: [values]}}}.
            "visitors": {
                table: {
                    column: {str(i): sorted(values, key=str) for i, values in per.items()}
                    for column, per in columns.items()
                }
                for table, columns in visitors.items()
            },
            "related": {},
            "identities": {
                str(i): {kind: sorted(values, key=str) for kind, values in found.items()}
                for i, found in enumerate(collected)
            },
        }
        found: dict[str, dict[str, int]] = {}
        if counts:
            for table_layout in layout.tables.values():
                if table_layout.owned:
                    found[table_layout.name] = self._count_owned(connection, table_layout, state)
        for table_layout in layout.tables.values():
            if not table_layout.owned and table_layout.primary_key:
                related = self._related(connection, table_layout, state)
                state["related"][table_layout.name] = related
                found[table_layout.name] = {index: len(keys) for index, keys in related.items()}
        return {"state": state, "counts": found}

    @property
    def phone_region(self) -> str:
        """Where a phone number written without a country code is from (the map says)."""
        return self.system.phone_region or self.map.organisation.country

    def _wanted(
        self, kind: str, column: sa.Column[Any], per_subject: Sequence[set[Any]]
    ) -> tuple[dict[Any, list[int]], list[Any]]:
        """Subjects by the normal form of their identity, and the values to send to the database."""
        wanted: dict[Any, list[int]] = defaultdict(list)
        sent: set[Any] = set()
        for index, values in enumerate(per_subject):
            for value in values:
                found = identities.lookup_forms(kind, value, column, self.phone_region)
                if found:
                    normal, forms = found
                    wanted[normal].append(index)
                    sent.update(forms)
        return wanted, sorted(sent, key=str)

    def _expand(
        self,
        connection: sa.Connection,
        roots: Mapping[str, Mapping[int, set[Any]]],
        collected: list[dict[str, set[Any]]],
    ) -> None:
        """Identity expansion: the identities stored in the root rows a subject resolves to (their
        e-mail and phone, their customer number) are theirs too, so a visitor's inquiry sent from
        the same address is found whichever identity the request gave. Only rows without an owner
        are found this way: another owner's rows never are."""
        layout = self.layout
        for root, per_subject in roots.items():
            table = layout.tables[root]
            columns = [
                (kind, column)
                for kind, refs in layout.identity_columns.items()
                for name, column in refs
                if name == root
            ]
            keys = sorted({key for keys in per_subject.values() for key in keys}, key=str)
            if not columns or not keys or table.key is None:
                continue
            statement = sa.select(table.table.c[table.key], *(table.table.c[column] for _kind, column in columns))
            subjects_by_key: dict[Any, list[int]] = defaultdict(list)
            for index, found in per_subject.items():
                for key in found:
                    subjects_by_key[key].append(index)
            for key, *values in connection.execute(statement.where(keys_in(table.table.c[table.key], keys))):
                for index in subjects_by_key.get(jsonable(key), []):
                    for (kind, _column), value in zip(columns, values, strict=True):
                        if value is not None and str(value).strip():
                            collected[index].setdefault(kind, set()).add(
                                normalise(kind, jsonable(value), self.phone_region)
                            )

    def _keys(self, state: Mapping[str, Any], root: str, index: int | None = None) -> list[Any]:
        per_subject: Mapping[str, list[Any]] = state["roots"].get(root, {})
        if index is not None:
            return list(per_subject.get(str(index), []))
        return sorted({key for keys in per_subject.values() for key in keys}, key=str)

    def _owners(self, state: Mapping[str, Any], root: str) -> dict[Any, list[str]]:
        owners: dict[Any, list[str]] = defaultdict(list)
        for index, keys in state["roots"].get(root, {}).items():
            for key in keys:
                owners[key].append(index)
        return owners

    def _visitor_values(self, state: Mapping[str, Any], table: str, index: int | None = None) -> dict[str, list[Any]]:
        """{column: identity values} of the visitor rows of `table` (one subject, or the batch)."""
        found: dict[str, list[Any]] = {}
        for column, per_subject in state.get("visitors", {}).get(table, {}).items():
            if index is not None:
                values = list(per_subject.get(str(index), []))
            else:
                values = sorted({value for values in per_subject.values() for value in values}, key=str)
            if values:
                found[column] = values
        return found

    def mine_predicate(
        self, table: TableLayout, state: Mapping[str, Any], index: int | None = None
    ) -> sa.ColumnElement[bool] | None:
        """The rows of an owned table that are the subject's (or the batch's): owned by their
        roots, or a visitor's rows carrying their identity; None when there are none."""
        keys = self._keys(state, table.root or "", index)
        parts = [self.layout.owned_predicate(table.name, keys)] if keys else []
        visitor = self.layout.visitor_predicate(table.name, self._visitor_values(state, table.name, index))
        if visitor is not None:
            parts.append(visitor)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else sa.or_(*parts)

    def _count_owned(self, connection: sa.Connection, table: TableLayout, state: Mapping[str, Any]) -> dict[str, int]:
        assert table.root is not None
        keys = self._keys(state, table.root)
        counts: dict[str, int] = defaultdict(int)
        if keys:
            source, owner = self.layout.owner_join(table.name)
            statement = sa.select(owner, sa.func.count()).select_from(source).where(owner.in_(keys)).group_by(owner)
            owners = self._owners(state, table.root)
            for owner_value, number in connection.execute(statement):
                for index in owners.get(jsonable(owner_value), []):
                    counts[index] += number
        values = self._visitor_values(state, table.name)
        visitor = self.layout.visitor_predicate(table.name, values)
        if visitor is not None:
            # One grouped count for the batch; a row matching two subjects counts for both.
            columns = [table.table.c[name] for name in values]
            by_value = {column: self._visitor_subjects(state, table.name, column) for column in values}
            statement = sa.select(*columns, sa.func.count()).where(visitor).group_by(*columns)
            for *found, number in connection.execute(statement):
                subjects: set[str] = set()
                for column, value in zip(values, found, strict=True):
                    subjects |= set(by_value[column].get(jsonable(value), []))
                for index in subjects:
                    counts[index] += number
        return dict(counts)

    def _visitor_subjects(self, state: Mapping[str, Any], table: str, column: str) -> dict[Any, list[str]]:
        subjects: dict[Any, list[str]] = defaultdict(list)
        for index, values in state.get("visitors", {}).get(table, {}).get(column, {}).items():
            for value in values:
                subjects[value].append(index)
        return subjects

    def _related(self, connection: sa.Connection, table: TableLayout, state: Mapping[str, Any]) -> dict[str, list[Any]]:
        """Primary keys of the rows of an unowned table that a subject's own rows point at (or that point at them)."""
        layout = self.layout
        selects = []
        key_columns = [table.table.c[name] for name in table.primary_key]
        for edge in layout.edges:
            if edge.target == table.name and edge.table != table.name:
                other, own_column, other_column = edge.table, edge.target_column, edge.column
            elif edge.table == table.name and edge.target != table.name:
                other, own_column, other_column = edge.target, edge.column, edge.target_column
            else:
                continue
            other_layout = layout.tables[other]
            if not other_layout.owned or not self._keys(state, other_layout.root or ""):
                continue
            source, owner = layout.owner_join(other)
            joined = sa.join(table.table, source, table.table.c[own_column] == other_layout.table.c[other_column])
            keys = self._keys(state, other_layout.root or "")
            selects.append(
                sa.select(*key_columns, owner.label("mamori_owner"), sa.literal(other_layout.root).label("mamori_root"))
                .select_from(joined)
                .where(owner.in_(keys))
            )
        if not selects:
            return {}
        statement = selects[0] if len(selects) == 1 else sa.union_all(*selects)
        related: dict[str, set[tuple[Any, ...]]] = defaultdict(set)
        owners_by_root = {root: self._owners(state, root) for root in state["roots"]}
        for row in connection.execute(statement):
            *primary_key, owner_value, root = row
            for index in owners_by_root.get(root, {}).get(jsonable(owner_value), []):
                related[index].add(tuple(jsonable(value) for value in primary_key))
        return {index: sorted((list(key) for key in keys), key=str) for index, keys in related.items()}

    # -- export

    def export(self, located: Located, index: int, sink: PackageSink, *, idempotency_key: str = "") -> dict[str, int]:
        with self.snapshot() as connection:
            return self._export(connection, located, index, sink)

    def export_subject(
        self, identities: Mapping[str, str], sink: PackageSink, *, idempotency_key: str = ""
    ) -> dict[str, int]:
        """Find one subject and write their package, all from one snapshot (no counts needed).
        The identities stored in their root rows are looked up only where they can find more rows
        to export (visitor rows without an owner); the located state is not kept."""
        with self.snapshot() as connection:
            _ = self.layout  # the schema read and the look-ups prepared (first request)
            expand = any(role == "visitor" for role, _table, _column in self._lookups)
            located = self._locate(connection, [identities], counts=False, expand=expand)
            return self._export(connection, located, 0, sink)

    def _export(self, connection: sa.Connection, located: Located, index: int, sink: PackageSink) -> dict[str, int]:
        layout = self.layout
        written: dict[str, int] = {}
        state = located["state"]
        for table in layout.tables.values():
            if table.owned:
                keys = self._keys(state, table.root or "", index)
                prepared = self._exports[table.name]
                parameters: dict[str, Any] = {KEYS: keys}
                if self._visitor_values(state, table.name, index):
                    prepared = self._with_visitor_rows(table, prepared, state, index)
                    parameters = {}
                elif not keys:
                    continue
                rows = self._rows(connection, prepared, parameters)
                written[table.name] = sink.write_table(
                    self.system_id, table.name, prepared.columns, rows, prepared.categories, labelled(table)
                )
                continue
            predicate = self._subject_predicate(table, state, index)
            if predicate is None:
                continue
            columns = exported_columns(table)
            categories = {field.name: field.category for field in table.spec.fields}
            statement = sa.select(*columns).where(predicate)
            if table.primary_key:
                statement = statement.order_by(*(table.table.c[name] for name in table.primary_key))
            related = ExportStatement(
                [column.name for column in columns],
                categories,
                statement.limit(STREAM_ROWS + 1),
                statement.offset(STREAM_ROWS),
            )
            written[table.name] = sink.write_table(
                self.system_id,
                table.name,
                related.columns,
                self._rows(connection, related, {}),
                categories,
                labelled(table),
            )
        return written

    def _with_visitor_rows(
        self, table: TableLayout, prepared: ExportStatement, state: Mapping[str, Any], index: int
    ) -> ExportStatement:
        """The table's export for a subject who also has rows without an owner (built per request)."""
        predicate = self.mine_predicate(table, state, index)
        assert predicate is not None
        statement = sa.select(*(table.table.c[name] for name in prepared.columns)).where(predicate)
        if not table.primary_key:
            return ExportStatement(prepared.columns, prepared.categories, statement, statement)
        ordered = self._ordered_by_key(statement, table)
        return ExportStatement(
            prepared.columns, prepared.categories, ordered.limit(STREAM_ROWS + 1), ordered.offset(STREAM_ROWS)
        )

    def _rows(self, connection: sa.Connection, statement: ExportStatement, parameters: Mapping[str, Any]) -> RowChunks:
        """The rows of one table, as fetched (the package writer converts them a chunk at a time)."""
        return RowChunks(self._fetched(connection, statement, parameters))

    def _fetched(
        self, connection: sa.Connection, statement: ExportStatement, parameters: Mapping[str, Any]
    ) -> Iterator[Sequence[Sequence[Any]]]:
        """One plain query for up to STREAM_ROWS rows, a server-side cursor (in the same
        transaction, so the same snapshot) for the rest of a larger table (streaming.py)."""
        if statement.first is not statement.rest:
            first = connection.execute(statement.first, parameters).all()
            if first:
                yield first[:STREAM_ROWS]
            if len(first) <= STREAM_ROWS:
                return
        yield from streaming.read_rest(connection, statement.rest, parameters, statement.rest_compiled)

    def _subject_predicate(
        self, table: TableLayout, state: Mapping[str, Any], index: int | None
    ) -> sa.ColumnElement[bool] | None:
        if table.owned:
            return self.mine_predicate(table, state, index)
        related = state["related"].get(table.name, {})
        if index is None:
            primary_keys = [key for keys in related.values() for key in keys]
        else:
            primary_keys = related.get(str(index), [])
        return self.layout.primary_key_predicate(table.name, primary_keys) if primary_keys else None

    # -- erasure (plan, execute) lives in erasure.py, verification in verification.py; rectification here

    def plan_erasure(self, located: Located) -> SystemPlan:
        # Imported here: erasure.py builds on this module (jsonable, the connector type).
        from mamori.fulfilment.connectors.sql.erasure import plan_erasure

        return plan_erasure(self, located)

    def erase(self, plan: SystemPlan, *, idempotency_key: str = "") -> dict[str, int]:
        from mamori.fulfilment.connectors.sql.erasure import execute_erasure

        return execute_erasure(self, plan)

    def verify(self, plan: SystemPlan) -> dict[str, int]:
        from mamori.fulfilment.connectors.sql.verification import verify_erasure

        return verify_erasure(self, plan)

    def rectify(
        self, located: Located, index: int, values: Mapping[str, Any], *, idempotency_key: str = ""
    ) -> dict[str, int]:
        layout = self.layout
        held = self.held_categories()
        links = layout.key_columns()
        changes: dict[str, dict[str, Any]] = defaultdict(dict)
        for name, value in values.items():
            matched = False
            for table in layout.tables.values():
                for field in table.spec.fields:
                    if name not in (field.category, f"{table.name}.{field.name}"):
                        continue
                    matched = True
                    if (table.name, field.name) in links:
                        raise ConnectorError(
                            _("%(field)s links records together and cannot be rectified"),
                            field=f"{table.name}.{field.name}",
                        )
                    if field.category in held.get(table.name, set()):
                        continue  # records under a legal hold stay as they were made
                    changes[table.name][field.name] = value
            if not matched and "." in name and name.split(".", 1)[0] in layout.tables:
                raise ConnectorError(_("%(field)s is not a field of the map"), field=name)
        changed: dict[str, int] = {}
        state = located["state"]
        with self.engine.begin() as connection:
            for table_name, new_values in changes.items():
                table = layout.tables[table_name]
                if not table.owned:
                    continue  # shared rows are not one person's to change
                predicate = self._subject_predicate(table, state, index)
                if predicate is None:
                    continue
                result = connection.execute(sa.update(table.table).where(predicate).values(new_values))
                changed[table_name] = result.rowcount
        return changed

    def restrict(self, located: Located, index: int, *, restricted: bool, idempotency_key: str = "") -> dict[str, int]:
        """Record the restriction where the map says the system keeps it (`restriction:`): a flag
        column on a root table, or a table of restricted keys; set-based, for every key of the
        subject. Without it the applications read mamori's restriction list instead."""
        from mamori.fulfilment.connectors.sql.restriction import record_restriction

        return record_restriction(self, located["state"], index, restricted=restricted)

    def held_categories(self) -> dict[str, set[str]]:
        """Per table, the categories a legal hold keeps (from the table's retention rule)."""
        held: dict[str, set[str]] = {}
        for table in self.system.tables:
            rule = self.map.find("retention", table.retention) if table.retention else None
            if rule is not None and rule.legal_hold is not None:
                held[table.name] = set(rule.categories)
        return held
