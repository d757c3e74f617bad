"""References between rows when some of them are erased: which must go, which block a deletion.

Real schemas point at a person's rows from rows that stay:

- another member's `referred_by` names the erased member (a self-reference);
- someone else's order, kept for tax, names the erased person's card;
- the erased person's own rows point at a row they share with others (a household address).

Rules (docs/fulfilment.md, "References"):

1. The erased person's own rows that stay (an order under a legal hold) keep their references:
   the row they point at is kept too, its fields erased ("rows that stay point at these rows").
2. Other people's rows that stay keep everything except a reference that the database's foreign
   key would refuse to leave dangling: that one column is emptied (NULL) in exactly those rows,
   before the deletion, and the plan lists it as "reference to the erased person removed" with
   the number of rows. Where the column cannot be emptied (NOT NULL), the row pointed at is kept
   and its fields erased instead. A link the map states but the database does not enforce is
   never changed in other people's rows: nothing forces it.
3. A shared row's link says what the erased person's own reference does (`shared: detach`
   empties it; `keep` and `mask` leave it).

Everything is set-based: one statement per reference for the whole batch; the values involved
are fixed when the plan is made (key values, never personal data), so the counts the plan shows
are the rows the run changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from mamori.fulfilment.connectors.sql.layout import Edge, keys_in

if TYPE_CHECKING:
    from mamori.fulfilment.connectors.sql.connector import SqlConnector


def public(item: Mapping[str, Any]) -> dict[str, Any]:
    """What the plan shows of a reference change: where and how many rows, never key values."""
    return {key: item[key] for key in ("table", "column", "references", "rows")}


def _jsonable(value: Any) -> Any:
    from mamori.fulfilment.connectors.sql.connector import jsonable

    return jsonable(value)


def _others_predicate(connector: SqlConnector, item: Mapping[str, Any]) -> sa.ColumnElement[bool]:
    """Rows of the referencing table that point at deleted rows and are not deleted themselves."""
    layout = connector.layout
    table = layout.sa_table(item["table"])
    predicate = keys_in(table.c[item["column"]], item["values"])
    if item["excluded"]:
        predicate = sa.and_(predicate, sa.not_(layout.primary_key_predicate(item["table"], item["excluded"])))
    return predicate


def rows_by_subject(
    connector: SqlConnector,
    connection: sa.Connection,
    name: str,
    state: Mapping[str, Any],
    erasable: Mapping[str, list[Any]],
) -> dict[tuple[Any, ...], set[str]]:
    """The batch's rows of `name` by primary key, each with the subjects (indices) it belongs to."""
    layout = connector.layout
    table = layout.tables[name]
    found: dict[tuple[Any, ...], set[str]] = {}
    key_columns = [table.table.c[key] for key in table.primary_key]
    if not key_columns:
        return found
    if not table.owned:
        allowed = {tuple(key) for key in erasable.get(name, [])}
        for index, keys in state.get("related", {}).get(name, {}).items():
            for key in keys:
                if tuple(key) in allowed:
                    found.setdefault(tuple(key), set()).add(index)
        return found
    keys = connector._keys(state, table.root or "")
    if keys:
        source, owner = layout.owner_join(name)
        owners = connector._owners(state, table.root or "")
        for *primary_key, owner_value in connection.execute(
            sa.select(*key_columns, owner).select_from(source).where(keys_in(owner, keys))
        ):
            subjects = owners.get(_jsonable(owner_value), [])
            found.setdefault(tuple(_jsonable(value) for value in primary_key), set()).update(subjects)
    values = connector._visitor_values(state, name)
    visitor = layout.visitor_predicate(name, values)
    if visitor is not None:
        columns = [table.table.c[column] for column in values]
        by_value = {column: connector._visitor_subjects(state, name, column) for column in values}
        for row in connection.execute(sa.select(*key_columns, *columns).where(visitor)):
            row_key = tuple(_jsonable(value) for value in row[: len(key_columns)])
            for column, value in zip(values, row[len(key_columns) :], strict=True):
                found.setdefault(row_key, set()).update(by_value[column].get(_jsonable(value), []))
    return found


def settle(
    connector: SqlConnector,
    connection: sa.Connection,
    entries: dict[str, dict[str, Any]],
    state: Mapping[str, Any],
    erasable: Mapping[str, list[Any]],
) -> tuple[list[dict[str, Any]], dict[str, list[Any]], dict[str, set[tuple[Any, ...]]]]:
    """Which rows the plan deletes can go (the others are kept, their fields erased: "rows that
    stay point at these rows"), and the forced reference removals that let them go.

    Per row, so erasing people together does what erasing them one by one does: a row that stays
    and points at a deleted row keeps it when the row is the same person's, or when the database
    enforces the link and the column cannot be emptied; when the row is someone else's and the
    database enforces the link, the reference is emptied instead; a link only the map states
    leaves someone else's row alone."""
    layout = connector.layout
    links = layout.key_columns()
    needed = _tables_to_read(connector, entries)
    mine = {name: rows_by_subject(connector, connection, name, state, erasable) for name in needed}
    # A deleted table no link points at, and whose own links nothing settles, needs no keys:
    # its rows go by the plan's predicate (reading them all into Python cost most of a bulk plan).
    deleted = {name: set(mine.get(name, {})) for name, entry in entries.items() if entry["action"] == "delete"}
    kept: dict[str, set[tuple[Any, ...]]] = {name: set() for name in deleted}
    target_values = _target_values(connector, connection, deleted)
    while True:
        changed = False
        for edge in layout.edges:
            if edge.target not in deleted:
                continue
            gone = deleted[edge.target] - kept[edge.target]
            by_value: dict[Any, set[tuple[Any, ...]]] = {}
            for key in gone:
                value = target_values[edge.target].get(key, {}).get(edge.target_column)
                if value is not None:
                    by_value.setdefault(value, set()).add(key)
            child = layout.tables[edge.table]
            if not by_value or not child.primary_key:
                continue
            child_gone = deleted.get(edge.table, set()) - kept.get(edge.table, set())
            removable = edge.enforced and _can_empty(connector, edge, links) and not _held(connector, edge)
            detached = detaches(connector, edge)
            key_columns = [child.table.c[key] for key in child.primary_key]
            statement = sa.select(*key_columns, child.table.c[edge.column]).where(
                keys_in(child.table.c[edge.column], sorted(by_value, key=str))
            )
            for row in connection.execute(statement):
                primary_key = tuple(_jsonable(value) for value in row[:-1])
                if primary_key in child_gone:
                    continue  # deleted too
                subjects = mine.get(edge.table, {}).get(primary_key, set())
                if detached and subjects:
                    continue  # the person's own reference is emptied (detach_shared)
                for parent in by_value.get(_jsonable(row[-1]), set()):
                    same_person = bool(subjects & mine.get(edge.target, {}).get(parent, set()))
                    if (same_person or (edge.enforced and not removable)) and parent not in kept[edge.target]:
                        kept[edge.target].add(parent)
                        changed = True
        if not changed:
            break
    removals = []
    for edge in layout.edges:
        if not (edge.enforced and edge.target in deleted and _can_empty(connector, edge, links)):
            continue
        if _held(connector, edge) or not layout.tables[edge.table].primary_key:
            continue
        gone = deleted[edge.target] - kept[edge.target]
        values = sorted(
            {target_values[edge.target].get(key, {}).get(edge.target_column) for key in gone} - {None}, key=str
        )
        if not values:
            continue
        item: dict[str, Any] = {
            "table": edge.table,
            "column": edge.column,
            "references": f"{edge.target}.{edge.target_column}",
            "values": values,
            "excluded": sorted(
                (list(key) for key in deleted.get(edge.table, set()) - kept.get(edge.table, set())), key=str
            ),
        }
        count = sa.select(sa.func.count()).select_from(layout.sa_table(edge.table))
        item["rows"] = int(connection.execute(count.where(_others_predicate(connector, item))).scalar_one())
        if item["rows"]:
            removals.append(item)
    remaining = {name: deleted[name] - kept[name] for name in deleted}
    kept_keys = {name: sorted((list(key) for key in keys), key=str) for name, keys in kept.items() if keys}
    return removals, kept_keys, remaining


def _tables_to_read(connector: SqlConnector, entries: Mapping[str, Mapping[str, Any]]) -> set[str]:
    """The tables whose batch rows `settle` needs by key: both ends of every link into a table
    the plan deletes from (which rows go, whose rows point at them), and the referencing table of
    every link the person's own reference is emptied along (`detach_shared` skips rows that go)."""
    needed: set[str] = set()
    for edge in connector.layout.edges:
        if entries[edge.target]["action"] == "delete":
            needed |= {edge.table, edge.target}
        if detaches(connector, edge):
            needed.add(edge.table)
    return needed


def _target_values(
    connector: SqlConnector, connection: sa.Connection, deleted: Mapping[str, set[tuple[Any, ...]]]
) -> dict[str, dict[tuple[Any, ...], dict[str, Any]]]:
    """For the rows about to be deleted, the values of the columns links point at."""
    layout = connector.layout
    found: dict[str, dict[tuple[Any, ...], dict[str, Any]]] = {}
    for name, keys in deleted.items():
        found[name] = {}
        targets = sorted({edge.target_column for edge in layout.edges_into(name)})
        if not keys or not targets:
            continue
        table = layout.tables[name]
        key_columns = [table.table.c[key] for key in table.primary_key]
        statement = sa.select(*key_columns, *(table.table.c[column] for column in targets)).where(
            layout.primary_key_predicate(name, sorted((list(key) for key in keys), key=str))
        )
        for row in connection.execute(statement):
            primary_key = tuple(_jsonable(value) for value in row[: len(key_columns)])
            found[name][primary_key] = {
                column: _jsonable(value) for column, value in zip(targets, row[len(key_columns) :], strict=True)
            }
    return found


def _held(connector: SqlConnector, edge: Edge) -> bool:
    """The referencing column is a field kept under a legal hold (a tax record's own content)."""
    table = connector.layout.tables[edge.table]
    held = connector.held_categories().get(edge.table, set())
    return any(field.name == edge.column and field.category in held for field in table.spec.fields)


def _can_empty(connector: SqlConnector, edge: Edge, links: set[tuple[str, str]]) -> bool:
    layout = connector.layout
    column = layout.sa_table(edge.table).c[edge.column]
    ownership = (edge.table, edge.column) in layout.path_columns(edge.table)
    return bool(column.nullable) and (edge.table, edge.column) not in links and not column.primary_key and not ownership


def detaches(connector: SqlConnector, edge: Edge) -> bool:
    """The erased person's own references along `edge` are emptied: the map says `shared: detach`
    on a link to rows without an owner (a household address) and the column can be empty."""
    layout = connector.layout
    return (
        edge.shared == "detach"
        and layout.tables[edge.table].owned
        and not layout.tables[edge.target].owned
        and _can_empty(connector, edge, layout.key_columns())
    )


def detach_shared(
    connector: SqlConnector,
    connection: sa.Connection,
    state: Mapping[str, Any],
    gone: Mapping[str, set[tuple[Any, ...]]],
) -> list[dict[str, Any]]:
    """The erased person's own references along links that say `shared: detach`, in the rows
    that stay. Always, whether others still share the row or not, so erasing the sharers one by
    one ends as erasing them together: the row itself goes once nobody else points at it."""
    layout = connector.layout
    detached = []
    for edge in layout.edges:
        if not detaches(connector, edge):
            continue
        referrer = layout.tables[edge.table]
        mine = connector.mine_predicate(referrer, state)
        if mine is None or not referrer.primary_key:
            continue
        column = referrer.table.c[edge.column]
        key_columns = [referrer.table.c[key] for key in referrer.primary_key]
        own_keys = [
            [_jsonable(value) for value in row]
            for row in connection.execute(sa.select(*key_columns).where(mine, column.is_not(None)))
            if tuple(_jsonable(value) for value in row) not in gone.get(edge.table, set())
        ]
        if own_keys:
            detached.append(
                {
                    "table": edge.table,
                    "column": edge.column,
                    "references": f"{edge.target}.{edge.target_column}",
                    "keys": own_keys,
                    "rows": len(own_keys),
                }
            )
    return detached


def _detached_predicate(connector: SqlConnector, item: Mapping[str, Any]) -> sa.ColumnElement[bool]:
    table = connector.layout.sa_table(item["table"])
    return sa.and_(
        connector.layout.primary_key_predicate(item["table"], item["keys"]), table.c[item["column"]].is_not(None)
    )


def _listed(connector: SqlConnector, state: Mapping[str, Any]) -> list[tuple[dict[str, Any], sa.ColumnElement[bool]]]:
    """The reference changes of a plan, each with the rows it empties."""
    found = [(item, _others_predicate(connector, item)) for item in state.get("removals", [])]
    return found + [(item, _detached_predicate(connector, item)) for item in state.get("detached", [])]


def execute(connector: SqlConnector, connection: sa.Connection, state: Mapping[str, Any]) -> dict[str, int]:
    """Empty the references the plan listed (before anything is deleted); rows per `table.column`."""
    changed: dict[str, int] = {}
    for item, predicate in _listed(connector, state):
        table = connector.layout.sa_table(item["table"])
        result = connection.execute(sa.update(table).where(predicate).values({item["column"]: None}))
        name = f"{item['table']}.{item['column']}"
        changed[name] = changed.get(name, 0) + result.rowcount
    return changed


def unlink_deleted(
    connector: SqlConnector,
    connection: sa.Connection,
    entries: Mapping[str, Mapping[str, Any]],
    order: list[str],
    targets: Mapping[str, sa.ColumnElement[bool] | None],
) -> None:
    """Rows deleted together may point at each other (a member who referred another member of
    the same batch, a cycle of tables): MySQL/MariaDB check a foreign key row by row, so empty
    those references in the rows about to be deleted first. Not reported: the rows go anyway."""
    layout = connector.layout
    position = {name: number for number, name in enumerate(order)}
    for edge in layout.edges:
        if not edge.enforced or entries[edge.table]["action"] != "delete" or entries[edge.target]["action"] != "delete":
            continue
        if edge.table != edge.target and position[edge.table] < position[edge.target]:
            continue  # the referencing rows go first: nothing dangles
        predicate = targets.get(edge.table)
        column = layout.sa_table(edge.table).c[edge.column]
        if predicate is None or not column.nullable:
            continue
        if edge.table == edge.target and connector.engine.dialect.name in ("mysql", "mariadb"):
            # MySQL cannot read the table it updates in a sub-query: fix the keys first.
            table = layout.tables[edge.table]
            keys = [
                list(row)
                for row in connection.execute(
                    sa.select(*(table.table.c[key] for key in table.primary_key)).where(predicate)
                )
            ]
            if not keys:
                continue
            predicate = layout.primary_key_predicate(edge.table, keys)
        connection.execute(
            sa.update(layout.sa_table(edge.table)).where(predicate, column.is_not(None)).values({edge.column: None})
        )
