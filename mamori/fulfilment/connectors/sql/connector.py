"""The SQL connector (SQLAlchemy Core): PostgreSQL, MySQL/MariaDB, SQLite, others by driver.

Every operation is set-based: one statement per table for the whole batch of subjects. Rows only
come to Python when they are exported (streamed with a server-side cursor) or when related rows
(shared tables without an owner) must be told apart by primary key.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from mamori.fulfilment.connectors.base import (
    ConnectorError,
    Located,
    PackageSink,
    Subjects,
    SystemNotConfigured,
    SystemPlan,
)
from mamori.fulfilment.connectors.sql import expressions
from mamori.fulfilment.connectors.sql.layout import SqlLayout, TableLayout

if TYPE_CHECKING:
    from mamori.catalog.mapfile import PrivacyMap
    from mamori.catalog.mapfile.schema import System

STREAM_ROWS = 1000  # rows per fetch from a server-side cursor: memory stays bounded
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


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    return value


class SqlConnector:
    kind = "sql"

    def __init__(self, system: System, privacy_map: PrivacyMap, url: str) -> None:
        self.system = system
        self.system_id = system.id
        self.map = privacy_map
        self.engine = sa.create_engine(normalise_url(url), pool_pre_ping=True)
        expressions.register_sqlite_functions(self.engine)
        self._layout: SqlLayout | None = None

    @classmethod
    def from_environment(cls, system: System, privacy_map: PrivacyMap, environ: Mapping[str, str]) -> SqlConnector:
        url = environ.get(system.connection_env or "", "")
        if not url:
            raise SystemNotConfigured(
                f"system {system.id}: set the environment variable {system.connection_env} to its database URL"
            )
        return cls(system, privacy_map, url)

    def close(self) -> None:
        self.engine.dispose()

    # -- schema

    @property
    def layout(self) -> SqlLayout:
        if self._layout is None:
            metadata = sa.MetaData()
            try:
                metadata.reflect(self.engine, only=[table.name for table in self.system.tables])
            except sa.exc.InvalidRequestError as exc:  # a table of the map is missing
                raise ConnectorError(f"system {self.system_id}: {exc}") from None
            except SQLAlchemyError as exc:
                raise ConnectorError(
                    f"system {self.system_id}: cannot read the schema ({type(exc).__name__})"
                ) from None
            self._layout = SqlLayout(self.system, metadata)
        return self._layout

    def test_connection(self) -> None:
        try:
            with self.engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
        except SQLAlchemyError as exc:
            raise ConnectorError(f"system {self.system_id}: cannot connect ({type(exc).__name__})") from None
        self._layout = None
        _ = self.layout

    # -- find

    def locate(self, subjects: Subjects) -> Located:
        layout = self.layout
        roots: dict[str, dict[int, set[Any]]] = defaultdict(lambda: defaultdict(set))
        with self.engine.connect() as connection:
            for kind, (table_name, column_name) in layout.identity_columns.items():
                wanted: dict[Any, list[int]] = defaultdict(list)
                for index, identities in enumerate(subjects):
                    value = identities.get(kind)
                    if value:
                        for candidate in _candidates(kind, value, layout.tables[table_name].table.c[column_name]):
                            wanted[candidate].append(index)
                table_layout = layout.tables[table_name]
                if not wanted or not table_layout.owned:
                    continue
                source, owner = layout.owner_join(table_name)
                column = table_layout.table.c[column_name]
                statement = sa.select(owner, column).select_from(source).where(column.in_(list(wanted)))
                for owner_value, matched in connection.execute(statement):
                    if owner_value is None:
                        continue
                    for index in wanted.get(matched, []):
                        roots[table_layout.root or ""][index].add(jsonable(owner_value))
            state: dict[str, Any] = {
                "roots": {
                    root: {str(i): sorted(keys, key=str) for i, keys in per.items()} for root, per in roots.items()
                },
                "related": {},
            }
            counts: dict[str, dict[str, int]] = {}
            for table_layout in layout.tables.values():
                if table_layout.owned:
                    counts[table_layout.name] = self._count_owned(connection, table_layout, state)
            for table_layout in layout.tables.values():
                if not table_layout.owned and table_layout.primary_key:
                    related = self._related(connection, table_layout, state)
                    state["related"][table_layout.name] = related
                    counts[table_layout.name] = {index: len(keys) for index, keys in related.items()}
        return {"state": state, "counts": counts}

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

    def _count_owned(self, connection: sa.Connection, table: TableLayout, state: Mapping[str, Any]) -> dict[str, int]:
        assert table.root is not None
        keys = self._keys(state, table.root)
        if not keys:
            return {}
        source, owner = self.layout.owner_join(table.name)
        statement = sa.select(owner, sa.func.count()).select_from(source).where(owner.in_(keys)).group_by(owner)
        owners = self._owners(state, table.root)
        counts: dict[str, int] = defaultdict(int)
        for owner_value, number in connection.execute(statement):
            for index in owners.get(jsonable(owner_value), []):
                counts[index] += number
        return dict(counts)

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
        written: dict[str, int] = {}
        state = located["state"]
        for table in self.layout.tables.values():
            predicate = self._subject_predicate(table, state, index)
            if predicate is None:
                continue
            columns = [column for column in table.table.c if not WITHHELD_COLUMN.search(column.name)]
            categories = {field.name: field.category for field in table.spec.fields}
            statement = sa.select(*columns).where(predicate)
            if table.primary_key:
                statement = statement.order_by(*(table.table.c[name] for name in table.primary_key))
            count = sink.write_table(
                self.system_id, table.name, [column.name for column in columns], self._stream(statement), categories
            )
            written[table.name] = count
        return written

    def _stream(self, statement: sa.Select[Any]) -> Iterator[Sequence[Any]]:
        with self.engine.connect() as connection:
            result = connection.execution_options(stream_results=True, yield_per=STREAM_ROWS).execute(statement)
            for row in result:
                yield [jsonable(value) for value in row]

    def _subject_predicate(
        self, table: TableLayout, state: Mapping[str, Any], index: int | None
    ) -> sa.ColumnElement[bool] | None:
        if table.owned:
            keys = self._keys(state, table.root or "", index)
            return self.layout.owned_predicate(table.name, keys) if keys else None
        related = state["related"].get(table.name, {})
        if index is None:
            primary_keys = [key for keys in related.values() for key in keys]
        else:
            primary_keys = related.get(str(index), [])
        return self.layout.primary_key_predicate(table.name, primary_keys) if primary_keys else None

    # -- erasure (plan, execute, verify) lives in erasure.py; rectification here

    def plan_erasure(self, located: Located) -> SystemPlan:
        from mamori.fulfilment.connectors.sql.erasure import plan_erasure

        return plan_erasure(self, located)

    def erase(self, plan: SystemPlan, *, idempotency_key: str = "") -> dict[str, int]:
        from mamori.fulfilment.connectors.sql.erasure import execute_erasure

        return execute_erasure(self, plan)

    def verify(self, plan: SystemPlan) -> dict[str, int]:
        from mamori.fulfilment.connectors.sql.erasure import verify_erasure

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
                            f"{table.name}.{field.name} links records together and cannot be rectified"
                        )
                    if field.category in held.get(table.name, set()):
                        continue  # records under a legal hold stay as they were made
                    changes[table.name][field.name] = value
            if not matched and "." in name and name.split(".", 1)[0] in layout.tables:
                raise ConnectorError(f"{name} is not a field of the map")
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
        # A SQL datastore has no standard "restricted" flag: its applications read the
        # restriction list (/api/v1/restrictions) instead. Nothing to write here.
        return {}

    def held_categories(self) -> dict[str, set[str]]:
        """Per table, the categories a legal hold keeps (from the table's retention rule)."""
        held: dict[str, set[str]] = {}
        for table in self.system.tables:
            rule = self.map.find("retention", table.retention) if table.retention else None
            if rule is not None and rule.legal_hold is not None:
                held[table.name] = set(rule.categories)
        return held


def _candidates(kind: str, value: str, column: sa.Column[Any]) -> list[Any]:
    """The value as given (typed like the column), plus the lower-case form of an e-mail address."""
    value = str(value).strip()
    try:
        python_type = column.type.python_type
    except NotImplementedError:
        python_type = str
    if python_type is int:
        return [int(value)] if re.fullmatch(r"-?\d+", value) else []
    if kind == "email" and value.lower() != value:
        return [value, value.lower()]
    return [value]
