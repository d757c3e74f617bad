"""Erasure for SQL systems: plan (shown to staff first), execute (one transaction); the
verification pass is in verification.py.

The plan states per table what happens to the batch's rows: deleted, fields nulled / masked /
hashed, or kept — under a legal hold (the table's retention rule has one: fields of the held
categories stay; a hold counting from a date keeps only the rows still inside it, holds.py),
because rows that stay point at them (deleting would break a foreign key), or
because a shared row is also someone else's. Columns that tie rows to owners or to each other
are never changed, so the verification pass can find the same rows again afterwards.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from django.utils.translation import gettext_lazy as _
from sqlalchemy.exc import SQLAlchemyError

from mamori.fulfilment.connectors.base import ConnectorError, Located, SystemPlan
from mamori.fulfilment.connectors.sql import expressions, holds, references
from mamori.fulfilment.connectors.sql.connector import jsonable
from mamori.fulfilment.connectors.sql.layout import TableLayout, keys_in

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
    with connector.engine.connect() as connection:
        # Related rows (no owner): erased only where nobody else's rows point at them.
        # A row kept because rows that stay point at it may in turn keep pointing at a related row
        # another person of the batch shares: settled again then (bulk ends as one by one).
        kept: dict[str, list[Any]] = {}
        referrers = {edge.table for name in state["related"] for edge in layout.edges_into(name)}
        for _round in range(4):  # kept rows only add shared rows: settles in a round or two
            erasable, shared_keys = _related_rows(connector, connection, entries, state, kept)
            removals, settled, gone = references.settle(connector, connection, entries, state, erasable)
            done = settled == kept or not any(settled.get(name) for name in referrers)
            kept = settled
            if done:
                break
        for name, keys in kept.items():
            entries[name]["kept_rows"] = len(keys)
            entries[name]["reason"] = entries[name]["reason"] or "referenced"
        for table in layout.tables.values():
            entry = entries[table.name]
            entry["fields"] = [
                _field_plan(table, field.name, field.category, field.erase, entry["action"], links, held)
                for field in table.spec.fields
            ]
            if entry["action"] == "update" and not any(
                f["strategy"] in ("null", "mask", "hash") for f in entry["fields"]
            ):
                entry["action"] = "keep"
                entry["reason"] = entry["reason"] or "no_erasable_fields"
        now = datetime.now(UTC).replace(tzinfo=None)
        for table in layout.tables.values():
            if table.name in held and table.owned:
                _plan_dated_hold(connector, connection, table, entries[table.name], state, links, now)
        changing = {
            (entry["table"], field["name"])
            for entry in entries.values()
            if entry["action"] == "update"
            for field in entry["fields"]
            if field["strategy"] in ("null", "mask", "hash")
        }
        pinned: dict[str, list[Any]] = {}
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
        detached = references.detach_shared(connector, connection, state, gone)
        masked = _mask_shared(connector, entries, shared_keys, links, held)
        for name in kept:  # rows kept because rows that stay point at them: their fields erased
            entries[name]["kept_fields"] = [
                _field_plan(layout.tables[name], field.name, field.category, field.erase, "update", links, held)
                for field in layout.tables[name].spec.fields
            ]
    for entry in entries.values():
        # An owned table located without counts (bulk erasure, whose plan nobody reads) has no
        # number of rows: None, never a 0 that would read as "nothing found".
        counted = entry["ownership"] == "related" or entry["table"] in counts
        entry["rows"] = sum(entry["rows_by_subject"].values()) if counted else None
        if entry["ownership"] == "related":
            entry["rows"] = len(erasable.get(entry["table"], [])) + entry["shared_rows"]
    order = [name for name in layout.children_first() if name in entries]
    return {
        "system": connector.system_id,
        "kind": "sql",
        "tables": [entries[table.name] for table in layout.tables.values()],
        "order": order,
        # References in rows that stay, emptied first: forced by a foreign key to a deleted row
        # (another member's referrer, someone's kept order naming the card), or the erased
        # person's own reference to a shared row the map says to detach. Counts only, no keys.
        "references_removed": [references.public(item) for item in removals],
        "detached": [references.public(item) for item in detached],
        "state": {
            **state,
            "erasable": erasable,
            "pinned": pinned,
            "removals": removals,
            "detached": detached,
            "masked": masked,
            "kept": kept,
        },
    }


def _plan_dated_hold(
    connector: SqlConnector,
    connection: sa.Connection,
    table: TableLayout,
    entry: dict[str, Any],
    state: Mapping[str, Any],
    links: set[tuple[str, str]],
    now: datetime,
) -> None:
    """A hold counting from a date keeps only the rows inside it (see holds.py): the entry gets
    how many rows stay until when, and what happens to the rest (every erasable field, held too)."""
    mine = connector.mine_predicate(table, state)
    if mine is None:
        return
    fields = [_field_plan(table, f.name, f.category, f.erase, "update", links, {}) for f in table.spec.fields]
    erasable = [field for field in fields if field["strategy"] in ("null", "mask", "hash")]
    dated = holds.plan_dated_hold(connector, connection, table, mine, erasable, now)
    if dated is not None:
        entry["dated_hold"] = dated
        if entry["action"] == "keep":
            entry["reason"] = "legal_hold"


def _related_rows(
    connector: SqlConnector,
    connection: sa.Connection,
    entries: dict[str, dict[str, Any]],
    state: Mapping[str, Any],
    kept: Mapping[str, list[Any]],
) -> tuple[dict[str, list[Any]], dict[str, list[Any]]]:
    """Related rows (no owner) the batch may erase, and those shared with others (kept or masked)."""
    erasable: dict[str, list[Any]] = {}
    shared_keys: dict[str, list[Any]] = {}
    for table in connector.layout.tables.values():
        if table.owned or table.name not in state["related"]:
            continue
        candidates = sorted({tuple(key) for keys in state["related"][table.name].values() for key in keys}, key=str)
        shared, sharers = _shared_rows(connector, connection, table, candidates, state, entries, kept)
        erasable[table.name] = [list(key) for key in candidates if key not in shared]
        entries[table.name]["shared_rows"] = len(shared)
        entries[table.name]["sharers"] = sharers  # how many other people, never who
        shared_keys[table.name] = sorted((list(key) for key in shared), key=str)
    return erasable, shared_keys


def _mask_shared(
    connector: SqlConnector,
    entries: dict[str, dict[str, Any]],
    shared_keys: Mapping[str, list[Any]],
    links: set[tuple[str, str]],
    held: Mapping[str, set[str]],
) -> dict[str, list[Any]]:
    """Shared rows whose link says `shared: mask`: their fields are erased in place (the row stays
    for the other sharers). The entry lists the fields as for an update."""
    layout = connector.layout
    masked: dict[str, list[Any]] = {}
    for name, keys in shared_keys.items():
        if not keys or not any(edge.shared == "mask" for edge in layout.edges_into(name)):
            continue
        table = layout.tables[name]
        entry = entries[name]
        entry["shared_fields"] = [
            _field_plan(table, field.name, field.category, field.erase, "update", links, held)
            for field in table.spec.fields
        ]
        entry["shared_action"] = "mask"
        masked[name] = keys
    for name, entry in entries.items():
        if entry["ownership"] == "related" and entry.get("shared_rows") and name not in masked:
            entry["shared_action"] = (
                "detach" if any(edge.shared == "detach" for edge in layout.edges_into(name)) else "keep"
            )
    return masked


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


def _shared_rows(
    connector: SqlConnector,
    connection: sa.Connection,
    table: TableLayout,
    candidates: list[tuple[Any, ...]],
    state: Mapping[str, Any],
    entries: Mapping[str, Mapping[str, Any]],
    kept: Mapping[str, list[Any]],
) -> tuple[set[tuple[Any, ...]], int]:
    """Related rows that rows of other people (or of nobody in this batch) also point at, and
    how many other people (owners, or rows without one) point at them.

    Bulk ends as one by one: erased one at a time, a person whose row stays (updated, not deleted)
    still points at the row when the next sharer is erased. So a row two people of the batch point
    at is shared too when one of them keeps pointing at it (`keep` and `mask`; `detach` empties
    the reference)."""
    if not candidates:
        return set(), 0
    layout = connector.layout
    key_columns = [table.table.c[name] for name in table.primary_key]
    shared: set[tuple[Any, ...]] = set()
    sharers: set[tuple[str, Any]] = set()
    staying: dict[tuple[Any, ...], set[tuple[str, Any]]] = {}  # row -> the batch's staying pointers
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
        pointing = keys_in(referrer.table.c[edge.column], list(by_value))
        if referrer.owned:
            mine = connector.mine_predicate(referrer, state)
            if mine is None:
                mine = sa.false()
            source, owner = layout.owner_join(referrer.name)
            others = sa.select(referrer.table.c[edge.column], owner).select_from(source)
            values = []
            for value, other in connection.execute(others.where(pointing, sa.not_(mine)).distinct()):
                values.append(value)
                sharers.add((referrer.root or "", jsonable(other)))
            stays: sa.ColumnElement[bool] | None = mine
            if entries[referrer.name]["action"] == "delete":  # only the rows kept as referenced stay
                keys = kept.get(referrer.name)
                stays = sa.and_(mine, layout.primary_key_predicate(referrer.name, keys)) if keys else None
            if stays is not None and edge.shared != "detach":
                for value, own in connection.execute(others.where(pointing, stays).distinct()):
                    for key in by_value.get(value, set()):
                        staying.setdefault(key, set()).add((referrer.root or "", jsonable(own)))
        else:
            related = {tuple(key) for keys in state["related"].get(referrer.name, {}).values() for key in keys}
            referrer_keys = [referrer.table.c[name] for name in referrer.primary_key]
            values = []
            for row in connection.execute(sa.select(*referrer_keys, referrer.table.c[edge.column]).where(pointing)):
                other_key = tuple(jsonable(value) for value in row[:-1])
                if other_key not in related:
                    values.append(row[-1])
                    sharers.add((referrer.name, other_key))
        for value in values:
            shared |= by_value.get(value, set())
    subjects_of = _pointing_subjects(state, table.name)
    for key, pointers in staying.items():
        if pointers and len(subjects_of.get(key, set())) > 1:
            shared.add(key)
            sharers |= pointers
    return shared, len(sharers)


def _pointing_subjects(state: Mapping[str, Any], table: str) -> dict[tuple[Any, ...], set[str]]:
    """Per related row, the subjects of the batch whose rows point at it."""
    found: dict[tuple[Any, ...], set[str]] = {}
    for index, keys in state["related"].get(table, {}).items():
        for key in keys:
            found.setdefault(tuple(key), set()).add(index)
    return found


def _target(
    connector: SqlConnector, entry: Mapping[str, Any], state: Mapping[str, Any]
) -> sa.ColumnElement[bool] | None:
    layout = connector.layout
    table = layout.tables[entry["table"]]
    if table.name in state.get("pinned", {}):
        pinned = state["pinned"][table.name]
        return layout.primary_key_predicate(table.name, pinned) if pinned else None
    kept = state.get("kept", {}).get(table.name, []) if entry["action"] == "delete" else []
    if table.owned:
        predicate = connector.mine_predicate(table, state)
    else:
        erasable = [key for key in state.get("erasable", {}).get(table.name, []) if key not in kept]
        return layout.primary_key_predicate(table.name, erasable) if erasable else None
    if predicate is not None and kept:
        # Rows kept because rows that stay point at them: updated instead (see references.py).
        predicate = sa.and_(predicate, sa.not_(layout.primary_key_predicate(table.name, kept)))
    return predicate


def _new_values(connector: SqlConnector, fields: list[Mapping[str, str]], name: str) -> dict[str, Any]:
    table = connector.layout.sa_table(name)
    dialect = connector.engine.dialect.name
    values: dict[str, Any] = {}
    for field in fields:
        column = table.c[field["name"]]
        if field["strategy"] == "null":
            values[column.name] = None
        elif field["strategy"] == "mask":
            values[column.name] = expressions.mask_expression(table, column)
        elif field["strategy"] == "hash":
            values[column.name] = expressions.hash_expression(dialect, column)
    return values


def execute_erasure(connector: SqlConnector, plan: SystemPlan) -> dict[str, int]:
    """One transaction for the whole datastore: all of it happens or none of it.

    First the references the plan lists are emptied (so no foreign key is left dangling), then
    the tables are changed children first, then shared rows the map says to mask."""
    entries = {entry["table"]: entry for entry in plan["tables"]}
    state = plan["state"]
    affected: dict[str, int] = {}
    try:
        with connector.engine.begin() as connection:
            affected.update(references.execute(connector, connection, state))
            targets = {
                name: _target(connector, entries[name], state)
                for name in plan["order"]
                if entries[name]["action"] in ("delete", "update")
            }
            references.unlink_deleted(connector, connection, entries, plan["order"], targets)
            for name in plan["order"]:
                predicate = targets.get(name)
                if predicate is None:
                    continue
                entry = entries[name]
                table = connector.layout.sa_table(name)
                if entry["action"] == "delete":
                    result = connection.execute(sa.delete(table).where(predicate))
                else:
                    result = connection.execute(
                        sa.update(table).where(predicate).values(_new_values(connector, entry["fields"], name))
                    )
                affected[name] = result.rowcount
            for name, keys, fields in _in_place(entries, state):
                predicate = connector.layout.primary_key_predicate(name, keys)
                values = _new_values(connector, fields, name)
                if values:
                    table = connector.layout.sa_table(name)
                    result = connection.execute(sa.update(table).where(predicate).values(values))
                    affected[name] = affected.get(name, 0) + result.rowcount
            _erase_past_holds(connector, connection, plan, affected)
    except SQLAlchemyError as exc:
        raise ConnectorError(
            _("system %(system)s: the erasure was rolled back (%(error)s)"),
            system=connector.system_id,
            error=f"{type(exc).__name__}: {str(exc.orig if hasattr(exc, 'orig') else exc).splitlines()[0][:200]}",
        ) from None
    return affected


def _erase_past_holds(
    connector: SqlConnector, connection: sa.Connection, plan: SystemPlan, affected: dict[str, int]
) -> None:
    """The rows whose dated hold has run out, children first, after everything else (so rows that
    stay pointing at them are known): erased like any other rows (holds.py)."""
    entries = {entry["table"]: entry for entry in plan["tables"]}
    for name in plan["order"]:
        dated = entries[name].get("dated_hold")
        mine = _target(connector, entries[name], plan["state"]) if dated else None
        if dated is None or mine is None:
            continue
        values = _new_values(connector, dated["expired_fields"], name)
        changed = holds.erase_expired(connector, connection, name, dated, mine, values)
        affected[name] = max(affected.get(name, 0), changed)


def _in_place(
    entries: Mapping[str, Mapping[str, Any]], state: Mapping[str, Any]
) -> list[tuple[str, list[Any], list[Mapping[str, str]]]]:
    """Rows erased in place rather than as their table's action says: shared rows the map says to
    mask, and rows of a deleted table kept because rows that stay point at them."""
    found = [(name, keys, entries[name]["shared_fields"]) for name, keys in state.get("masked", {}).items()]
    found += [(name, keys, entries[name]["kept_fields"]) for name, keys in state.get("kept", {}).items()]
    return found


def _left_over_conditions(
    connector: SqlConnector, table: sa.Table, fields: list[Mapping[str, str]]
) -> list[sa.ColumnElement[bool]]:
    leftovers = [_left_over(connector, table, field) for field in fields]
    return [condition for condition in leftovers if condition is not None]


def _left_over(connector: SqlConnector, table: sa.Table, field: Mapping[str, str]) -> sa.ColumnElement[bool] | None:
    column = table.c[field["name"]]
    if field["strategy"] == "null":
        return column.is_not(None)
    if field["strategy"] == "mask":
        return column != expressions.mask_expression(table, column)
    if field["strategy"] == "hash":
        return sa.and_(column.is_not(None), sa.func.length(column) != expressions.hashed_length(column))
    return None
