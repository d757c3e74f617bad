"""How the tables of one SQL system hang together: links, ownership paths, a safe order.

Links come from the map where a table lists them, otherwise from the database's foreign keys
(reflection). Ownership decides whose row a row is:

- a table whose `owner` column links nowhere is a *root* (customers: `owner: id`); a person's
  root keys are the owner values of the root rows their identities match;
- `owner: customer_id` with a link `customer_id -> customers.id` means "the customer's row":
  the owner is found by following links forward until a root (payments, orders);
- `owner: orders.customer_id` means "whoever owns the linked order" (order_items);
- a table without `owner` holds *related* rows: shared things (addresses in the fides sample)
  that belong to a person only because their own rows point at them, or that point at them.

A row reached through a link but owned by someone else (another customer's card named by one's
own order) is never anyone's but its owner's: fulfilment selects owned rows by owner, not by
reachability.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from django.utils.translation import gettext_lazy as _

from mamori.fulfilment.connectors.base import ConnectorError

if TYPE_CHECKING:
    from mamori.catalog.mapfile.schema import System, Table

MAX_PATH = 8  # ownership chains longer than this are a map error (or a cycle)
Keys = list[Any] | sa.BindParameter[Any]
LITERAL_KEYS = 32  # more keys than this are written as literals (keys_in)


def keys_in(column: sa.ColumnElement[Any], keys: Keys) -> sa.ColumnElement[bool]:
    """`column IN (keys)`. A batch's integer keys are written into the statement as literals when
    it runs instead of one bound parameter per key: for 1,000 keys the parameters cost the client
    about 7 ms per statement (expanded by SQLAlchemy, then every placeholder converted by psycopg)
    against under 1 ms, and no limit on parameters (SQLite: 32,766) applies. Only values that are
    plain `int`s of an integer column: nothing else is ever written into SQL text. A few keys (one
    request's) stay parameters, so such a statement's text is the same for every request and the
    statement caches serve it."""
    if (
        isinstance(keys, list)
        and len(keys) > LITERAL_KEYS
        and integer_column(column)
        and all(type(key) is int for key in keys)
    ):
        return column.in_(sa.bindparam(None, keys, type_=column.type, expanding=True, literal_execute=True))
    return column.in_(keys)


def integer_column(column: sa.ColumnElement[Any]) -> bool:
    try:
        return column.type.python_type is int
    except NotImplementedError:
        return False


@dataclass(frozen=True)
class Edge:
    """`table.column` refers to `target.target_column`: table is the child, target the parent."""

    table: str
    column: str
    target: str
    target_column: str
    origin: str  # "map" | "foreign_key"
    enforced: bool = False  # the database has this foreign key: a dangling reference is refused
    shared: str = "keep"  # the map's policy for a shared referenced row: keep | mask | detach


@dataclass
class TableLayout:
    name: str
    spec: Table
    table: sa.Table
    primary_key: list[str]
    path: list[Edge] = field(default_factory=list)  # forward links from this table to its root
    root: str | None = None  # None: a related (unowned) table
    key: str | None = None  # the owner column on the root

    @property
    def owned(self) -> bool:
        return self.root is not None


class SqlLayout:
    def __init__(self, system: System, metadata: sa.MetaData, schema: str | None = None) -> None:
        self.system = system
        self.metadata = metadata
        self.schema = schema
        self.tables: dict[str, TableLayout] = {}
        for spec in system.tables:
            table = metadata.tables.get(f"{schema}.{spec.name}" if schema else spec.name)
            if table is None:
                raise ConnectorError(
                    _("system %(system)s: table %(table)s does not exist in the database"),
                    system=system.id,
                    table=spec.name,
                )
            missing = sorted(column for column in spec.column_names() if column not in table.c)
            if missing:
                raise ConnectorError(
                    _("system %(system)s: table %(table)s has no column %(columns)s"),
                    system=system.id,
                    table=spec.name,
                    columns=", ".join(missing),
                )
            self.tables[spec.name] = TableLayout(
                name=spec.name, spec=spec, table=table, primary_key=[column.name for column in table.primary_key]
            )
        self.edges = self._edges()
        self.identity_columns: dict[str, list[tuple[str, str]]] = {}
        for kind, ref in system.identity_columns():
            table_name, column = ref.split(".", 1)
            if table_name not in self.tables:
                raise ConnectorError(
                    _("system %(system)s: identity %(kind)s names unknown table %(table)s"),
                    system=system.id,
                    kind=kind,
                    table=table_name,
                )
            self.identity_columns.setdefault(kind, []).append((table_name, column))
        for layout in self.tables.values():
            resolved = self._path_for_table(layout.name, depth=0)
            if resolved is not None:
                layout.path, layout.root, layout.key = resolved

    # -- links

    def database_links(self, name: str) -> set[tuple[str, str, str]]:
        """(column, target table, target column) of the single-column foreign keys of `name`."""
        found = set()
        for constraint in self.tables[name].table.foreign_key_constraints:
            if len(constraint.elements) == 1:
                element = constraint.elements[0]
                found.add((element.parent.name, element.column.table.name, element.column.name))
        return found

    def _edges(self) -> list[Edge]:
        edges: list[Edge] = []
        for layout in self.tables.values():
            enforced = self.database_links(layout.name)
            if layout.spec.links:  # the map overrides what reflection says for this table
                edges.extend(
                    Edge(
                        layout.name,
                        link.column,
                        link.table,
                        link.target_column,
                        "map",
                        (link.column, link.table, link.target_column) in enforced,
                        link.shared,
                    )
                    for link in layout.spec.links
                )
                continue
            for column, target, target_column in sorted(enforced):
                if target in self.tables:
                    edges.append(Edge(layout.name, column, target, target_column, "foreign_key", True))
        return edges

    def edges_from(self, table: str) -> list[Edge]:
        return [edge for edge in self.edges if edge.table == table]

    def edges_into(self, table: str) -> list[Edge]:
        return [edge for edge in self.edges if edge.target == table]

    # -- ownership

    def _path_for_table(self, name: str, depth: int) -> tuple[list[Edge], str, str] | None:
        spec = self.tables[name].spec
        if spec.owner is None:
            identity = next(
                (column for refs in self.identity_columns.values() for table, column in refs if table == name), None
            )
            # A table matched directly by an identity but without an owner: its rows are the
            # person's because they carry the identity itself.
            return ([], name, identity) if identity else None
        if "." in spec.owner:
            other, column = spec.owner.split(".", 1)
            edge = next((edge for edge in self.edges_from(name) if edge.target == other), None)
            if edge is None:
                raise ConnectorError(
                    _("system %(system)s: table %(table)s is owned through %(owner)s but has no link to it"),
                    system=self.system.id,
                    table=name,
                    owner=other,
                )
            rest = self._path_with_owner(other, column, depth + 1)
            return [edge, *rest[0]], rest[1], rest[2]
        return self._path_with_owner(name, spec.owner, depth)

    def _path_with_owner(self, name: str, column: str, depth: int) -> tuple[list[Edge], str, str]:
        if depth > MAX_PATH:
            raise ConnectorError(
                _("system %(system)s: the ownership of %(table)s goes round in a circle"),
                system=self.system.id,
                table=name,
            )
        edge = next((edge for edge in self.edges_from(name) if edge.column == column), None)
        if edge is None or edge.target == name:
            return [], name, column
        onward = self._path_for_table(edge.target, depth + 1)
        if onward is None:
            return [edge], edge.target, edge.target_column
        return [edge, *onward[0]], onward[1], onward[2]

    def finds_roots(self, name: str) -> bool:
        """Whether an identity column of `name` tells whose rows are the person's: only on a root
        table. On a table owned through a link it may be typed by anyone (the e-mail of an
        inquiry), so it finds only rows without an owner there (see `visitor_columns`)."""
        layout = self.tables[name]
        return layout.owned and not layout.path

    def owner_column(self, name: str) -> str | None:
        """The column of `name` itself that says whose a row is (NULL: nobody's account)."""
        layout = self.tables[name]
        if not layout.owned:
            return None
        return layout.path[0].column if layout.path else layout.key

    def visitor_columns(self, name: str) -> list[tuple[str, str]]:
        """(kind, column) identity columns of `name` that find a visitor's rows: rows that carry
        the identity and have no owner (an inquiry sent without an account). Never a row with an
        owner: that row is its owner's, whatever address was typed into it."""
        owner = self.owner_column(name)
        column = self.tables[name].table.c[owner] if owner else None
        if column is None or column.primary_key or not column.nullable:
            return []  # every row has an owner
        return [
            (kind, column)
            for kind, refs in self.identity_columns.items()
            for table, column in refs
            if table == name and column != owner
        ]

    def visitor_predicate(
        self,
        name: str,
        values: Mapping[str, Sequence[Any] | sa.BindParameter[Any]],
        *,
        compared: sa.ColumnElement[Any] | None = None,
    ) -> sa.ColumnElement[bool] | None:
        """`WHERE` clause for the rows of `name` without an owner whose identity column holds one
        of `values` ({column: values}); None when there are no values. `compared` replaces the
        column (one column only) by an expression of it (`lower(email)`)."""
        owner = self.owner_column(name)
        table = self.sa_table(name)
        matches = [
            (compared if compared is not None else table.c[column]).in_(
                found if isinstance(found, sa.BindParameter) else list(found)
            )
            for column, found in values.items()
            if isinstance(found, sa.BindParameter) or found
        ]
        if owner is None or not matches:
            return None
        return sa.and_(table.c[owner].is_(None), sa.or_(*matches))

    def roots(self) -> list[str]:
        return sorted({layout.root for layout in self.tables.values() if layout.root})

    def key_columns(self) -> set[tuple[str, str]]:
        """The roots' owner columns: a person's rows are found again by them, so erasure keeps them."""
        return {(layout.root, layout.key) for layout in self.tables.values() if layout.root and layout.key}

    def path_columns(self, name: str) -> set[tuple[str, str]]:
        """Columns the ownership path of `name` reads (both ends of each link)."""
        columns: set[tuple[str, str]] = set()
        for edge in self.tables[name].path:
            columns |= {(edge.table, edge.column), (edge.target, edge.target_column)}
        return columns

    # -- SQL fragments

    def sa_table(self, name: str) -> sa.Table:
        return self.tables[name].table

    def owned_predicate(self, name: str, keys: Keys) -> sa.ColumnElement[bool]:
        """`WHERE` clause selecting the rows of `name` owned by any of `keys` (root key values, or
        an expanding bind parameter for a statement built once and run with many key lists).

        Nested IN sub-queries rather than joins, so DELETE and UPDATE can use it on every dialect
        (MySQL refuses a sub-query on the table being changed; none of these touch it).
        """
        layout = self.tables[name]
        assert layout.key is not None
        return self._predicate(name, layout.path, layout.key, keys)

    def _predicate(self, name: str, path: list[Edge], key: str, keys: Keys) -> sa.ColumnElement[bool]:
        table = self.sa_table(name)
        if not path:
            return keys_in(table.c[key], keys)
        edge = path[0]
        if len(path) == 1 and edge.target_column == key:
            return keys_in(table.c[edge.column], keys)
        target = self.sa_table(edge.target)
        inner = sa.select(target.c[edge.target_column]).where(self._predicate(edge.target, path[1:], key, keys))
        return table.c[edge.column].in_(inner)

    def owner_join(self, name: str) -> tuple[sa.FromClause, sa.ColumnElement[Any]]:
        """FROM clause and owner expression, for SELECTs that say whose each row is."""
        layout = self.tables[name]
        assert layout.key is not None
        path = layout.path
        source: sa.FromClause = layout.table
        previous: sa.FromClause = layout.table
        shortcut = bool(path) and path[-1].target_column == layout.key
        joins = path[:-1] if shortcut else path
        for number, edge in enumerate(joins):
            target = self.sa_table(edge.target).alias(f"mamori_owner_{number}")
            source = source.join(target, previous.c[edge.column] == target.c[edge.target_column])
            previous = target
        if shortcut:
            return source, previous.c[path[-1].column]
        return source, previous.c[layout.key]

    def primary_key_predicate(self, name: str, keys: list[Any]) -> sa.ColumnElement[bool]:
        layout = self.tables[name]
        columns = [layout.table.c[column] for column in layout.primary_key]
        if len(columns) == 1:
            return keys_in(columns[0], [key[0] if isinstance(key, list | tuple) else key for key in keys])
        return sa.tuple_(*columns).in_([tuple(key) for key in keys])

    # -- order

    def children_first(self) -> list[str]:
        """Tables ordered so every table comes before the tables it links to (FK-safe deletes)."""
        order: list[str] = []
        state: dict[str, int] = {}

        def visit(name: str) -> None:
            if state.get(name) == 2 or state.get(name) == 1:  # done, or a cycle: break it here
                return
            state[name] = 1
            for edge in self.edges_into(name):
                if edge.table != name:
                    visit(edge.table)
            state[name] = 2
            order.append(name)

        for name in self.tables:
            visit(name)
        return order
