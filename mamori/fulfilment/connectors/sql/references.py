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

from mamori.fulfilment.connectors.sql.layout import Edge

if TYPE_CHECKING:
    from mamori.fulfilment.connectors.sql.connector import SqlConnector


def public(item: Mapping[str, Any]) -> dict[str, Any]:
    """What the plan shows of a reference change: where and how many rows, never key values."""
    return {key: item[key] for key in ("table", "column", "references", "rows")}


def _jsonable(value: Any) -> Any:
    from mamori.fulfilment.connectors.sql.connector import jsonable

    return jsonable(value)


def _target_keys(
    connector: SqlConnector,
    connection: sa.Connection,
    name: str,
    entries: Mapping[str, Mapping[str, Any]],
    state: Mapping[str, Any],
    erasable: Mapping[str, list[Any]],
    column: str | None = None,
) -> list[Any]:
    """Values of `column` (default: the primary key) in the rows of `name` the plan deletes."""
    layout = connector.layout
    table = layout.tables[name]
    if entries[name]["action"] != "delete":
        return []
    if table.owned:
        predicate = connector.mine_predicate(table, state)
    else:
        keys = erasable.get(name, [])
        predicate = layout.primary_key_predicate(name, keys) if keys and table.primary_key else None
    if predicate is None:
        return []
    columns = [table.table.c[column]] if column else [table.table.c[key] for key in table.primary_key]
    if not columns:
        return []
    rows = connection.execute(sa.select(*columns).where(predicate)).all()
    if column:
        return sorted({_jsonable(row[0]) for row in rows if row[0] is not None}, key=str)
    return [[_jsonable(value) for value in row] for row in rows]


def _others_predicate(connector: SqlConnector, item: Mapping[str, Any]) -> sa.ColumnElement[bool]:
    """Rows of the referencing table that point at deleted rows and are not deleted themselves."""
    layout = connector.layout
    table = layout.sa_table(item["table"])
    predicate = table.c[item["column"]].in_(item["values"])
    if item["excluded"]:
        predicate = sa.and_(predicate, sa.not_(layout.primary_key_predicate(item["table"], item["excluded"])))
    return predicate


def settle(
    connector: SqlConnector,
    connection: sa.Connection,
    entries: dict[str, dict[str, Any]],
    state: Mapping[str, Any],
    erasable: Mapping[str, list[Any]],
) -> list[dict[str, Any]]:
    """Decide which deletions can go ahead (downgrading the others to "update", reason
    `referenced`) and the forced reference removals that let them; returns the removals."""
    layout = connector.layout
    links = layout.key_columns()
    while True:
        changed = False
        for edge in layout.edges:
            parent, child = entries[edge.target], entries[edge.table]
            if parent["action"] != "delete":
                continue
            if edge.table != edge.target:
                stays = child["action"] != "delete" and sum(child["rows_by_subject"].values())
                if stays:  # rule 1: the person's own rows that stay keep what they point at
                    parent["action"], parent["reason"] = "update", "referenced"
                    changed = True
                    continue
            if not edge.enforced:
                continue
            item = _removal(connector, connection, edge, entries, state, erasable)
            if item is not None and item["rows"] and not _can_empty(connector, edge, links):
                parent["action"], parent["reason"] = "update", "referenced"
                changed = True
        if not changed:
            break
    removals = []
    for edge in layout.edges:
        if edge.enforced and entries[edge.target]["action"] == "delete":
            item = _removal(connector, connection, edge, entries, state, erasable)
            if item is not None and item["rows"]:
                removals.append(item)
    return removals


def _can_empty(connector: SqlConnector, edge: Edge, links: set[tuple[str, str]]) -> bool:
    column = connector.layout.sa_table(edge.table).c[edge.column]
    return bool(column.nullable) and (edge.table, edge.column) not in links and not column.primary_key


def _removal(
    connector: SqlConnector,
    connection: sa.Connection,
    edge: Edge,
    entries: Mapping[str, Mapping[str, Any]],
    state: Mapping[str, Any],
    erasable: Mapping[str, list[Any]],
) -> dict[str, Any] | None:
    values = _target_keys(connector, connection, edge.target, entries, state, erasable, edge.target_column)
    if not values:
        return None
    table = connector.layout.tables[edge.table]
    if not table.primary_key:
        return None  # rows without a key cannot be told apart: leave them to the foreign key
    item: dict[str, Any] = {
        "table": edge.table,
        "column": edge.column,
        "references": f"{edge.target}.{edge.target_column}",
        "values": values,
        "excluded": _target_keys(connector, connection, edge.table, entries, state, erasable),
    }
    count = sa.select(sa.func.count()).select_from(table.table).where(_others_predicate(connector, item))
    item["rows"] = int(connection.execute(count).scalar_one())
    return item


def detach_shared(
    connector: SqlConnector,
    connection: sa.Connection,
    entries: Mapping[str, Mapping[str, Any]],
    state: Mapping[str, Any],
    shared_keys: Mapping[str, list[Any]],
) -> list[dict[str, Any]]:
    """The erased person's own references to shared rows whose link says `shared: detach`."""
    layout = connector.layout
    detached = []
    for edge in layout.edges:
        keys = shared_keys.get(edge.target, [])
        referrer = layout.tables[edge.table]
        if edge.shared != "detach" or not keys or not referrer.owned or entries[edge.table]["action"] == "delete":
            continue
        if not _can_empty(connector, edge, layout.key_columns()):
            continue
        target = layout.sa_table(edge.target)
        rows = connection.execute(
            sa.select(target.c[edge.target_column]).where(layout.primary_key_predicate(edge.target, keys))
        )
        values = sorted({_jsonable(row[0]) for row in rows if row[0] is not None}, key=str)
        mine = connector.mine_predicate(referrer, state)
        if not values or mine is None:
            continue
        own_keys = [
            [_jsonable(value) for value in row]
            for row in connection.execute(
                sa.select(*(referrer.table.c[key] for key in referrer.primary_key)).where(
                    mine, referrer.table.c[edge.column].in_(values)
                )
            )
        ]
        if own_keys:
            detached.append({
                "table": edge.table, "column": edge.column, "references": f"{edge.target}.{edge.target_column}",
                "values": values, "keys": own_keys, "rows": len(own_keys),
            })  # fmt: skip
    return detached


def _detached_predicate(connector: SqlConnector, item: Mapping[str, Any]) -> sa.ColumnElement[bool]:
    table = connector.layout.sa_table(item["table"])
    return sa.and_(
        connector.layout.primary_key_predicate(item["table"], item["keys"]), table.c[item["column"]].in_(item["values"])
    )


def execute(connector: SqlConnector, connection: sa.Connection, state: Mapping[str, Any]) -> dict[str, int]:
    """Empty the references the plan listed (before anything is deleted); rows per `table.column`."""
    changed: dict[str, int] = {}
    for item in state.get("removals", []):
        table = connector.layout.sa_table(item["table"])
        result = connection.execute(
            sa.update(table).where(_others_predicate(connector, item)).values({item["column"]: None})
        )
        changed[f"{item['table']}.{item['column']}"] = changed.get(f"{item['table']}.{item['column']}", 0) + (
            result.rowcount
        )
    for item in state.get("detached", []):
        table = connector.layout.sa_table(item["table"])
        result = connection.execute(
            sa.update(table).where(_detached_predicate(connector, item)).values({item["column"]: None})
        )
        changed[f"{item['table']}.{item['column']}"] = changed.get(f"{item['table']}.{item['column']}", 0) + (
            result.rowcount
        )
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
            keys = [list(row) for row in connection.execute(
                sa.select(*(table.table.c[key] for key in table.primary_key)).where(predicate)
            )]  # fmt: skip
            if not keys:
                continue
            predicate = layout.primary_key_predicate(edge.table, keys)
        connection.execute(
            sa.update(layout.sa_table(edge.table)).where(predicate, column.is_not(None)).values({edge.column: None})
        )


def residue(connector: SqlConnector, connection: sa.Connection, state: Mapping[str, Any]) -> dict[str, int]:
    """References the plan removed that still point at erased rows (0 each = done)."""
    left: dict[str, int] = {}
    for item in state.get("removals", []):
        table = connector.layout.sa_table(item["table"])
        count = sa.select(sa.func.count()).select_from(table).where(_others_predicate(connector, item))
        left[f"{item['table']}.{item['column']}"] = int(connection.execute(count).scalar_one())
    for item in state.get("detached", []):
        table = connector.layout.sa_table(item["table"])
        count = sa.select(sa.func.count()).select_from(table).where(_detached_predicate(connector, item))
        left[f"{item['table']}.{item['column']}"] = int(connection.execute(count).scalar_one())
    return left
