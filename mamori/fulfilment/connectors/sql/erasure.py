"""Erasure for SQL systems: plan (shown to staff first), execute (one transaction), verify.

The plan states per table what happens to the batch's rows: deleted, fields nulled / masked /
hashed, or kept — under a legal hold (the table's retention rule has one: fields of the held
categories stay), because rows that stay point at them (deleting would break a foreign key), or
because a shared row is also someone else's. Columns that tie rows to owners or to each other
are never changed, so the verification pass can find the same rows again afterwards.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from mamori.fulfilment.connectors.base import ConnectorError, Located, SystemPlan
from mamori.fulfilment.connectors.sql import expressions
from mamori.fulfilment.connectors.sql.connector import jsonable
from mamori.fulfilment.connectors.sql.layout import TableLayout

if TYPE_CHECKING:
    from mamori.fulfilment.connectors.sql.connector import SqlConnector


def plan_erasure(connector: SqlConnector, located: Located) -> SystemPlan:
    layout = connector.layout
    state = located["state"]
    counts: Mapping[str, Mapping[str, int]] = located["counts"]
    held = connector.held_categories()
    links = layout.key_columns()
    entries: dict[str, dict[str, Any]] = {}
    for table in layout.tables.values():
        spec = table.spec
        rule = connector.map.find("retention", spec.retention) if spec.retention else None
        deletes = spec.erase == "delete_row" or any(field.erase == "delete" for field in spec.fields)
        entry: dict[str, Any] = {
            "table": table.name,
            "ownership": "owned" if table.owned else "related",
            "rows_by_subject": dict(counts.get(table.name, {})),
            "action": "delete" if deletes else "update",
            "reason": "",
            "retention": spec.retention or "",
            "hold_basis": rule.legal_hold.basis.model_dump() if rule and rule.legal_hold else None,
            "hold_period": str(rule.legal_hold.period) if rule and rule.legal_hold else "",
            "shared_rows": 0,
        }
        if table.name in held and deletes:
            entry["action"], entry["reason"] = "update", "legal_hold"
        entries[table.name] = entry
    # A row that stays must not point at a deleted one: downgrade until nothing changes.
    changed = True
    while changed:
        changed = False
        for edge in layout.edges:
            parent, child = entries[edge.target], entries[edge.table]
            stays = child["action"] != "delete" and sum(child["rows_by_subject"].values())
            if parent["action"] == "delete" and stays and edge.table != edge.target:
                parent["action"], parent["reason"] = "update", "referenced"
                changed = True
    for table in layout.tables.values():
        entry = entries[table.name]
        entry["fields"] = [
            _field_plan(table, field.name, field.category, field.erase, entry["action"], links, held)
            for field in table.spec.fields
        ]
        _add_hold_expiry(connector, table, entry, links)
        if entry["action"] == "update" and not any(f["strategy"] in ("null", "mask", "hash") for f in entry["fields"]):
            # Rows inside the hold stay as they are; older ones still lose their held fields.
            entry["action"] = "keep"
            entry["reason"] = entry["reason"] or "no_erasable_fields"
    erasable: dict[str, list[Any]] = {}
    changing = {
        (entry["table"], field["name"])
        for entry in entries.values()
        if entry["action"] == "update"
        for field in entry["fields"]
        if field["strategy"] in ("null", "mask", "hash")
    }
    pinned: dict[str, list[Any]] = {}
    with connector.engine.connect() as connection:
        for table in layout.tables.values():
            # The erasure changes a column this table's owner is found through (say the e-mail
            # address visits are linked by): remember the rows by primary key, so execution and
            # verification still find them afterwards.
            # Likewise a visitor's rows, found by the identity column the erasure may change.
            finding = layout.path_columns(table.name) | {
                (table.name, column) for _kind, column in layout.visitor_columns(table.name)
            }
            if table.owned and table.primary_key and finding & changing:
                mine = connector.mine_predicate(table, state)
                if mine is not None:
                    key_columns = [table.table.c[name] for name in table.primary_key]
                    rows = connection.execute(sa.select(*key_columns).where(mine))
                    pinned[table.name] = [[jsonable(value) for value in row] for row in rows]
        for table in layout.tables.values():
            if table.owned or table.name not in state["related"]:
                continue
            candidates = sorted({tuple(key) for keys in state["related"][table.name].values() for key in keys}, key=str)
            shared = _shared_rows(connector, connection, table, candidates, state)
            erasable[table.name] = [list(key) for key in candidates if key not in shared]
            entries[table.name]["shared_rows"] = len(shared)
    for entry in entries.values():
        entry["rows"] = sum(entry["rows_by_subject"].values())
        if entry["ownership"] == "related":
            entry["rows"] = len(erasable.get(entry["table"], [])) + entry["shared_rows"]
    order = [name for name in layout.children_first() if name in entries]
    return {
        "system": connector.system_id,
        "kind": "sql",
        "tables": [entries[table.name] for table in layout.tables.values()],
        "order": order,
        "state": {**state, "erasable": erasable, "pinned": pinned},
    }


def _field_plan(
    table: TableLayout,
    name: str,
    category: str,
    strategy: str,
    action: str,
    links: set[tuple[str, str]],
    held: Mapping[str, set[str]],
) -> dict[str, str]:
    column = table.table.c[name]
    note = ""
    if strategy == "delete":
        strategy = "null"
    if action == "delete":
        return {"name": name, "category": category, "strategy": "delete" if strategy != "keep" else "keep", "note": ""}
    if strategy != "keep" and (table.name, name) in links:
        strategy, note = "keep", "links_records"
    elif strategy != "keep" and category in held.get(table.name, set()):
        strategy, note = "hold", "legal_hold"
    if strategy == "null" and not column.nullable:
        strategy, note = "mask", "not_nullable"
    if strategy == "mask" and not expressions.is_text(column):
        strategy, note = ("null", "not_text") if column.nullable else ("keep", "cannot_mask")
    if strategy == "hash" and not expressions.is_text(column) and not column.nullable:
        strategy, note = "keep", "cannot_hash"
    return {"name": name, "category": category, "strategy": strategy, "note": note}


def _add_hold_expiry(
    connector: SqlConnector, table: TableLayout, entry: dict[str, Any], links: set[tuple[str, str]]
) -> None:
    """A hold that counts from a date column keeps only the rows still inside it: the rows whose
    hold has run out (an order older than the 7 tax years) get their held fields erased too."""
    if not any(field["strategy"] == "hold" for field in entry["fields"]):
        return
    rule = connector.map.find("retention", table.spec.retention) if table.spec.retention else None
    hold = rule.legal_hold if rule is not None else None
    column = hold.counts_from.get(table.name) if hold is not None else None
    if hold is None or column is None or column not in table.table.c:
        return
    fields = [
        _field_plan(table, field.name, field.category, field.erase, "update", links, {}) for field in table.spec.fields
    ]
    cutoff = hold.period.before(datetime.now(UTC).replace(tzinfo=None))
    entry["hold_expired"] = {
        "column": column,
        "before": cutoff.isoformat(sep=" "),
        "fields": [field for field in fields if field["strategy"] in ("null", "mask", "hash")],
    }


def _hold_expired_rows(
    connector: SqlConnector, entry: Mapping[str, Any], predicate: sa.ColumnElement[bool]
) -> sa.ColumnElement[bool]:
    expired = entry["hold_expired"]
    column = connector.layout.sa_table(entry["table"]).c[expired["column"]]
    return sa.and_(predicate, column <= datetime.fromisoformat(expired["before"]))


def _shared_rows(
    connector: SqlConnector,
    connection: sa.Connection,
    table: TableLayout,
    candidates: list[tuple[Any, ...]],
    state: Mapping[str, Any],
) -> set[tuple[Any, ...]]:
    """Related rows that rows of other people (or of nobody in this batch) also point at."""
    if not candidates:
        return set()
    layout = connector.layout
    key_columns = [table.table.c[name] for name in table.primary_key]
    shared: set[tuple[Any, ...]] = set()
    for edge in layout.edges_into(table.name):
        referrer = layout.tables[edge.table]
        if edge.table == table.name:
            continue
        target_column = table.table.c[edge.target_column]
        # Values of the referenced column for the candidate rows, with their primary keys.
        rows = connection.execute(
            sa.select(*key_columns, target_column).where(layout.primary_key_predicate(table.name, candidates))
        ).all()
        by_value: dict[Any, set[tuple[Any, ...]]] = {}
        for row in rows:
            by_value.setdefault(row[-1], set()).add(tuple(jsonable(value) for value in row[:-1]))
        if not by_value:
            continue
        pointing = referrer.table.c[edge.column].in_(list(by_value))
        if referrer.owned:
            mine = connector.mine_predicate(referrer, state)
            if mine is None:
                mine = sa.false()
            others = sa.select(referrer.table.c[edge.column]).where(pointing, sa.not_(mine)).distinct()
            values = [row[0] for row in connection.execute(others)]
        else:
            related = {tuple(key) for keys in state["related"].get(referrer.name, {}).values() for key in keys}
            referrer_keys = [referrer.table.c[name] for name in referrer.primary_key]
            values = [
                row[-1]
                for row in connection.execute(sa.select(*referrer_keys, referrer.table.c[edge.column]).where(pointing))
                if tuple(jsonable(value) for value in row[:-1]) not in related
            ]
        for value in values:
            shared |= by_value.get(value, set())
    return shared


def _target(
    connector: SqlConnector, entry: Mapping[str, Any], state: Mapping[str, Any]
) -> sa.ColumnElement[bool] | None:
    layout = connector.layout
    table = layout.tables[entry["table"]]
    if table.name in state.get("pinned", {}):
        pinned = state["pinned"][table.name]
        return layout.primary_key_predicate(table.name, pinned) if pinned else None
    if table.owned:
        return connector.mine_predicate(table, state)
    erasable = state.get("erasable", {}).get(table.name, [])
    return layout.primary_key_predicate(table.name, erasable) if erasable else None


def _new_values(connector: SqlConnector, entry: Mapping[str, Any]) -> dict[str, Any]:
    table = connector.layout.sa_table(entry["table"])
    dialect = connector.engine.dialect.name
    values: dict[str, Any] = {}
    for field in entry["fields"]:
        column = table.c[field["name"]]
        if field["strategy"] == "null":
            values[column.name] = None
        elif field["strategy"] == "mask":
            values[column.name] = expressions.mask_expression(table, column)
        elif field["strategy"] == "hash":
            values[column.name] = expressions.hash_expression(dialect, column)
    return values


def execute_erasure(connector: SqlConnector, plan: SystemPlan) -> dict[str, int]:
    """One transaction for the whole datastore: all of it happens or none of it."""
    entries = {entry["table"]: entry for entry in plan["tables"]}
    state = plan["state"]
    affected: dict[str, int] = {}
    try:
        with connector.engine.begin() as connection:
            for name in plan["order"]:
                entry = entries[name]
                if entry["action"] not in ("delete", "update") and not entry.get("hold_expired"):
                    continue
                predicate = _target(connector, entry, state)
                if predicate is None:
                    continue
                table = connector.layout.sa_table(name)
                if entry["action"] == "delete":
                    result = connection.execute(sa.delete(table).where(predicate))
                    affected[name] = result.rowcount
                    continue
                values = _new_values(connector, entry)
                if entry["action"] == "update" and values:
                    affected[name] = connection.execute(sa.update(table).where(predicate).values(values)).rowcount
                if entry.get("hold_expired"):
                    expired = {"table": name, "fields": entry["hold_expired"]["fields"]}
                    rows = _hold_expired_rows(connector, entry, predicate)
                    changed = connection.execute(sa.update(table).where(rows).values(_new_values(connector, expired)))
                    if changed.rowcount:
                        affected[name] = max(affected.get(name, 0), changed.rowcount)
    except SQLAlchemyError as exc:
        raise ConnectorError(
            f"system {connector.system_id}: the erasure was rolled back ({type(exc).__name__}: "
            f"{str(exc.orig if hasattr(exc, 'orig') else exc).splitlines()[0][:200]})"
        ) from None
    return affected


def verify_erasure(connector: SqlConnector, plan: SystemPlan) -> dict[str, int]:
    """Rows per table that still hold what the plan erases; every value 0 means done."""
    residue: dict[str, int] = {}
    state = plan["state"]
    with connector.engine.connect() as connection:
        for entry in plan["tables"]:
            if entry["action"] not in ("delete", "update") and not entry.get("hold_expired"):
                continue
            predicate = _target(connector, entry, state)
            if predicate is None:
                residue[entry["table"]] = 0
                continue
            table = connector.layout.sa_table(entry["table"])
            residue[entry["table"]] = 0
            if entry.get("hold_expired"):
                # Rows whose hold has run out must have lost their held fields too.
                expired = [_left_over(connector, table, field) for field in entry["hold_expired"]["fields"]]
                conditions = [condition for condition in expired if condition is not None]
                if conditions:
                    rows = sa.and_(_hold_expired_rows(connector, entry, predicate), sa.or_(*conditions))
                    statement = sa.select(sa.func.count()).select_from(table).where(rows)
                    residue[entry["table"]] += int(connection.execute(statement).scalar_one())
            if entry["action"] not in ("delete", "update"):
                continue
            if entry["action"] == "update":
                leftovers = [_left_over(connector, table, field) for field in entry["fields"]]
                conditions = [condition for condition in leftovers if condition is not None]
                if not conditions:
                    continue
                predicate = sa.and_(predicate, sa.or_(*conditions))
            statement = sa.select(sa.func.count()).select_from(table).where(predicate)
            residue[entry["table"]] += int(connection.execute(statement).scalar_one())
    return residue


def _left_over(connector: SqlConnector, table: sa.Table, field: Mapping[str, str]) -> sa.ColumnElement[bool] | None:
    column = table.c[field["name"]]
    if field["strategy"] == "null":
        return column.is_not(None)
    if field["strategy"] == "mask":
        return column != expressions.mask_expression(table, column)
    if field["strategy"] == "hash":
        return sa.and_(column.is_not(None), sa.func.length(column) != expressions.hashed_length(column))
    return None
