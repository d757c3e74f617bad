"""`mamori map inspect MAP`: the privacy map against the live databases it describes.

For each `sql` system: reflect the schema and read a bounded sample of each table, and report

- tables and columns that look personal (by name, or by sampled values: e-mail, phone, My Number,
  corporate number, postal code, card number, IP address) but that the map does not list;
- foreign keys the map does not know (a table that lists `links` uses only those), and links the
  map states that the database does not enforce (an erasure cannot rely on them: a shared address
  without a foreign key is exactly where one goes wrong);
- owner columns that may be NULL on tables where nobody is expected without an owner;
- identity columns without an index (every request reads the whole table), with the fix.

Read-only: reflection and SELECTs with LIMIT only (a guard refuses anything else), and sampled
values are classified, never printed. Findings point at the map as `FILE:LINE:COL: message`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from mamori.catalog.mapfile import LoadResult
from mamori.catalog.mapfile.i18n import _
from mamori.catalog.mapfile.locations import Location
from mamori.catalog.mapfile.schema import System, Table
from mamori.fulfilment.connectors.sql.connector import normalise_url
from mamori.fulfilment.connectors.sql.identities import index_expression, index_statement
from mamori.fulfilment.inspect import detectors

READ_ONLY = ("select", "pragma", "show", "describe", "explain", "with")


class WriteRefused(RuntimeError):
    """The inspector tried to send something other than a read: a bug, never done."""


@dataclass(frozen=True)
class Finding:
    file: str
    line: int
    col: int
    system: str
    kind: str  # unmapped_table | unmapped_column | unmapped_foreign_key | link_without_foreign_key
    # | nullable_owner | identity_without_index | cannot_connect
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def guard_read_only(engine: sa.Engine) -> None:
    """Refuse any statement that is not a read (defence in depth: the inspector only reads)."""

    def check(_connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().lower().startswith(READ_ONLY):
            raise WriteRefused(statement.split(None, 1)[0] if statement.strip() else "")

    sa.event.listen(engine, "before_cursor_execute", check)


class Inspector:
    def __init__(
        self, result: LoadResult, environ: Mapping[str, str], on_engine: Callable[[sa.Engine], None] | None = None
    ) -> None:
        assert result.map is not None
        self.result = result
        self.map = result.map
        self.environ = environ
        self.on_engine = on_engine
        self.findings: list[Finding] = []
        self.inspected: list[str] = []

    def at(self, *path: str | int) -> Location:
        return self.result.index.value(tuple(path))

    def key_at(self, *path: str | int) -> Location:
        return self.result.index.key(tuple(path))

    def report(self, location: Location, system: System, kind: str, message: str) -> None:
        self.findings.append(Finding(location.file, location.line, location.col, system.id, kind, message))

    def run(self) -> list[Finding]:
        for position, system in enumerate(self.map.systems):
            if system.connector == "sql":
                self.inspect_system(position, system)
        self.findings.sort(key=lambda finding: (finding.file, finding.line, finding.col, finding.message))
        return self.findings

    def inspect_system(self, position: int, system: System) -> None:
        url = self.environ.get(system.connection_env or "", "")
        base = ("systems", position)
        if not url:
            self.report(
                self.at(*base, "connection_env"),
                system,
                "cannot_connect",
                _("system '{system}': {env} is not set, so the database was not inspected").format(
                    system=system.id, env=system.connection_env
                ),
            )
            return
        engine = sa.create_engine(normalise_url(url))
        guard_read_only(engine)
        if self.on_engine is not None:
            self.on_engine(engine)
        try:
            with engine.connect() as connection:
                self._inspect(connection, position, system)
            self.inspected.append(system.id)
        except SQLAlchemyError as exc:
            self.report(
                self.at(*base, "connection_env"),
                system,
                "cannot_connect",
                _("system '{system}': cannot read the database ({error})").format(
                    system=system.id, error=type(exc).__name__
                ),
            )
        finally:
            engine.dispose()

    def _inspect(self, connection: sa.Connection, position: int, system: System) -> None:
        base = ("systems", position)
        region = system.phone_region or self.map.organisation.country
        reflected = sa.inspect(connection)
        names = set(reflected.get_table_names())
        mapped = {table.name: (number, table) for number, table in enumerate(system.tables)}
        for name in sorted(names - set(mapped)):
            personal = self._personal_columns(connection, reflected, name, set(), region)
            if personal:
                self.report(
                    self.key_at(*base, "tables"),
                    system,
                    "unmapped_table",
                    _("table '{table}' looks personal ({columns}) but is not in the map").format(
                        table=name, columns=", ".join(personal)
                    ),
                )
        for name, (number, table) in sorted(mapped.items()):
            if name not in names:
                continue  # `mamori fulfil` reports a missing table; nothing to inspect here
            where = (*base, "tables", number)
            known = table.column_names() | self._identity_columns(system, name)
            known |= self._restriction_columns(system, name)
            for column in self._personal_columns(connection, reflected, name, known, region):
                self.report(
                    self.at(*where, "name"),
                    system,
                    "unmapped_column",
                    _("column '{table}.{column}' looks personal ({why}) but is not in the map").format(
                        table=name, column=column.split(" ", 1)[0], why=column.split(" ", 1)[1].strip("()")
                    ),
                )
            self._links(reflected, system, where, table, set(mapped))
            self._owner(reflected, system, where, table)
        self._indexes(reflected, system, base, names)

    # -- personal data not in the map

    def _personal_columns(
        self, connection: sa.Connection, reflected: Any, table: str, known: set[str], region: str
    ) -> list[str]:
        """'column (why)' for each column of `table` not in `known` that looks personal."""
        columns = [column for column in reflected.get_columns(table) if column["name"] not in known]
        if not columns:
            return []
        texts = [column["name"] for column in columns if _is_text(column["type"])]
        samples: dict[str, list[Any]] = {name: [] for name in texts}
        if texts:
            sample_table = sa.table(table, *(sa.column(name) for name in texts))
            statement = sa.select(*sample_table.c).limit(detectors.SAMPLE_ROWS)
            for row in connection.execute(statement):
                for name, value in zip(texts, row, strict=True):
                    samples[name].append(value)
        found = []
        for column in columns:
            name = column["name"]
            kind = detectors.detect(samples.get(name, []), region)
            if kind:
                why = _("values look like {kind}").format(kind=kind)
                found.append(f"{name} ({why})")
            elif detectors.name_looks_personal(name):
                why = _("by its name")
                found.append(f"{name} ({why})")
        return found

    @staticmethod
    def _identity_columns(system: System, table: str) -> set[str]:
        return {ref.split(".", 1)[1] for _kind, ref in system.identity_columns() if ref.split(".", 1)[0] == table}

    @staticmethod
    def _restriction_columns(system: System, table: str) -> set[str]:
        restriction = system.restriction
        refs = [restriction.flag, restriction.keys] if restriction else []
        return {ref.split(".", 1)[1] for ref in refs if ref and ref.split(".", 1)[0] == table}

    # -- links

    def _links(
        self, reflected: Any, system: System, where: tuple[str | int, ...], table: Table, mapped: set[str]
    ) -> None:
        database = set()
        for key in reflected.get_foreign_keys(table.name):
            if len(key["constrained_columns"]) == 1 and key["referred_table"] in mapped:
                database.add((key["constrained_columns"][0], key["referred_table"], key["referred_columns"][0]))
        stated = {(link.column, link.table, link.target_column): number for number, link in enumerate(table.links)}
        if table.links:
            for column, target, target_column in sorted(database - set(stated)):
                self.report(
                    self.key_at(*where, "links"),
                    system,
                    "unmapped_foreign_key",
                    _(
                        "foreign key {table}.{column} -> {target}.{target_column} is not among the table's "
                        "links: add it, or erasure will not follow it"
                    ).format(table=table.name, column=column, target=target, target_column=target_column),
                )
        for (column, target, target_column), number in sorted(stated.items()):
            if (column, target, target_column) not in database:
                self.report(
                    self.at(*where, "links", number),
                    system,
                    "link_without_foreign_key",
                    _(
                        "link {table}.{column} -> {target}.{target_column} has no foreign key in the "
                        "database: nothing stops a row from pointing at a deleted one; add FOREIGN KEY "
                        "({column}) REFERENCES {target} ({target_column}), or say with 'shared:' what "
                        "erasing one of its sharers does"
                    ).format(table=table.name, column=column, target=target, target_column=target_column),
                )

    def _owner(self, reflected: Any, system: System, where: tuple[str | int, ...], table: Table) -> None:
        if not table.owner or "." in table.owner:
            return
        if not any(link.column == table.owner for link in table.links) and not any(
            key["constrained_columns"] == [table.owner] for key in reflected.get_foreign_keys(table.name)
        ):
            return  # a root: its owner column is its own key
        if self._identity_columns(system, table.name) - {table.owner}:
            return  # visitors' rows (no owner) are expected here: the map lists their identity column
        column = next((c for c in reflected.get_columns(table.name) if c["name"] == table.owner), None)
        if column is not None and column.get("nullable"):
            self.report(
                self.at(*where, "owner"),
                system,
                "nullable_owner",
                _(
                    "owner column {table}.{column} may be NULL: such rows are nobody's and no request "
                    "finds them; make it NOT NULL or list an identity column for them"
                ).format(table=table.name, column=table.owner),
            )

    # -- indexes

    def _indexes(self, reflected: Any, system: System, base: tuple[str | int, ...], names: set[str]) -> None:
        for kind, targets in system.identities.items():
            listed = (
                [((kind,), targets)]
                if isinstance(targets, str)
                else [((kind, number), target) for number, target in enumerate(targets)]
            )
            for path, ref in listed:
                table, column = ref.split(".", 1)
                if table not in names:
                    continue
                expression = self._expression_index(reflected, kind, table, column)
                if expression is not None:
                    if not _indexed_expression(reflected, table, expression[0]):
                        self.report(
                            self.at(*base, "identities", *path),
                            system,
                            "identity_without_index",
                            _(
                                "identity column {table}.{column} is compared as {expression}, which no index "
                                "serves: every request reads the whole table; fix: {fix}"
                            ).format(table=table, column=column, expression=expression[0], fix=expression[1]),
                        )
                    continue
                if _indexed(reflected, table, column):
                    continue
                fix = f"CREATE INDEX ix_{table}_{column} ON {table} ({column})"
                self.report(
                    self.at(*base, "identities", *path),
                    system,
                    "identity_without_index",
                    _(
                        "identity column {table}.{column} has no index: every request reads the whole table; fix: {fix}"
                    ).format(table=table, column=column, fix=fix),
                )

    def _expression_index(self, reflected: Any, kind: str, table: str, column: str) -> tuple[str, str] | None:
        """(expression, CREATE INDEX) when look-ups compare the column through an expression that
        only an expression index serves: e-mail and phone text columns on PostgreSQL."""
        if reflected.dialect.name != "postgresql":
            return None
        types = {found["name"]: found["type"] for found in reflected.get_columns(table)}
        if column not in types or not _is_text(types[column]):
            return None
        expression = index_expression(kind, column)
        statement = index_statement(kind, table, column)
        return (expression, statement) if expression and statement else None


def _comparable(expression: str) -> str:
    """An index expression as PostgreSQL reflects it (`lower((email)::text)`), without casts,
    brackets and spaces, so it compares with `lower(email)`."""
    return re.sub(r"::[a-z ]+|[\s()\"]", "", expression.lower())


def _indexed_expression(reflected: Any, table: str, expression: str) -> bool:
    wanted = _comparable(expression)
    for index in reflected.get_indexes(table):
        expressions = index.get("expressions") or []
        if expressions and _comparable(str(expressions[0])) == wanted:
            return True
    return False


def _is_text(column_type: Any) -> bool:
    return isinstance(column_type, sa.String | sa.Text)


def _indexed(reflected: Any, table: str, column: str) -> bool:
    primary = reflected.get_pk_constraint(table).get("constrained_columns") or []
    if primary[:1] == [column]:
        return True
    for index in reflected.get_indexes(table):
        if (index.get("column_names") or [])[:1] == [column]:
            return True
    return any((unique.get("column_names") or [])[:1] == [column] for unique in reflected.get_unique_constraints(table))


def inspect_map(
    result: LoadResult, environ: Mapping[str, str], on_engine: Callable[[sa.Engine], None] | None = None
) -> tuple[list[Finding], list[str]]:
    """Findings for every sql system of a valid map, and the ids of the systems inspected."""
    inspector = Inspector(result, environ, on_engine)
    return inspector.run(), inspector.inspected


__all__: Sequence[str] = ["Finding", "WriteRefused", "inspect_map"]
