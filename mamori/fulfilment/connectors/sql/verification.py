"""Verification of an SQL erasure: how many rows still hold what the plan erases (0 = done).

Two independent checks:

- the rows the plan targeted, by the keys it fixed (rows kept in place and shared rows masked by
  their primary keys, references emptied, rows past a dated hold), each counted with the
  condition "still holds a value the erasure removes";
- the person looked for again by every identity collected before the erasure (those given and
  those found in their rows): rows the identities reach now that the plan did not know of are
  left-overs too, so a masked e-mail hides nothing.

The look-up again runs first; then every count of the batch goes to the database as one
statement (a scalar sub-query per check), so verification costs a few round trips per batch
rather than one per table.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.sql import visitors

from mamori.fulfilment.connectors.base import SystemPlan
from mamori.fulfilment.connectors.sql import holds, references
from mamori.fulfilment.connectors.sql.connector import KEYS, jsonable
from mamori.fulfilment.connectors.sql.erasure import _in_place, _left_over_conditions, _target
from mamori.fulfilment.connectors.sql.identities import candidates, normalise
from mamori.fulfilment.connectors.sql.layout import integer_column

if TYPE_CHECKING:
    from mamori.fulfilment.connectors.sql.connector import SqlConnector

# Bound parameters per counting statement. SQLite allows 32,766 (PostgreSQL 65,535): a batch's
# counts are split into several statements rather than pass the limit.
MAX_PARAMETERS = 30_000
# Each check is one column of the counting statement: PostgreSQL refuses more than 1,664 columns
# (SQLite 2,000, MariaDB 4,096), which a map with many tables and references could reach.
MAX_COUNTS = 500
# (residue name, table counted, rows that still hold what the erasure removes)
Check = tuple[str, sa.Table, sa.ColumnElement[bool]]


def verify_erasure(connector: SqlConnector, plan: SystemPlan) -> dict[str, int]:
    """Rows per table that still hold what the plan erases; every value 0 means done.

    The names and their order: the tables the plan deletes from or updates (0 when there is
    nothing to look at), rows erased in place, the references it empties (`table.column`), tables
    where the identities now reach rows the plan did not know of (only when there are such rows),
    and tables with a dated hold."""
    layout = connector.layout
    state = plan["state"]
    entries = {entry["table"]: entry for entry in plan["tables"]}
    targets: list[tuple[str, sa.ColumnElement[bool] | None]] = [
        (entry["table"], _left_in_target(connector, entry, state))
        for entry in plan["tables"]
        if entry["action"] in ("delete", "update")
    ]
    in_place: list[Check] = []
    for name, keys, fields in _in_place(entries, state):
        table = layout.sa_table(name)
        conditions = _left_over_conditions(connector, table, fields)
        if conditions:
            in_place.append((name, table, sa.and_(layout.primary_key_predicate(name, keys), sa.or_(*conditions))))
    listed: list[Check] = [
        (f"{item['table']}.{item['column']}", layout.sa_table(item["table"]), predicate)
        for item, predicate in references._listed(connector, state)
    ]
    past_holds = _past_hold_checks(connector, plan)
    with connector.engine.connect() as connection:
        again = _found_again(connector, connection, plan)
        checks = [(name, layout.sa_table(name), rows) for name, rows in targets if rows is not None]
        checks += in_place + listed + again + past_holds
        # Counted in the reverse of the order the erasure changed the tables: the pages it
        # changed last are the likeliest still in the database's buffers, and reading the others
        # first would push them out (a batch changes more pages than PostgreSQL's default
        # 128 MB of buffers hold).
        position = {name: number for number, name in enumerate(plan["order"])}
        latest_first = sorted(range(len(checks)), key=lambda index: -position.get(checks[index][1].name, -1))
        numbers = count_rows(connection, [checks[index] for index in latest_first])
        by_check = dict(zip(latest_first, numbers, strict=True))
        counted = iter(by_check[index] for index in range(len(checks)))
    residue: dict[str, int] = {}
    for name, rows in targets:
        residue[name] = next(counted) if rows is not None else 0
    for name, _table, _rows in in_place + listed:
        residue[name] = residue.get(name, 0) + next(counted)
    for name, _table, _rows in again:
        number = next(counted)
        if number:
            residue[name] = residue.get(name, 0) + number
    for name, _table, _rows in past_holds:
        residue[name] = residue.get(name, 0) + next(counted)
    return residue


def _left_in_target(
    connector: SqlConnector, entry: Mapping[str, Any], state: Mapping[str, Any]
) -> sa.ColumnElement[bool] | None:
    """The targeted rows of a table that still hold what the erasure removes (a table the plan
    deletes from: any row); None when there is nothing to count."""
    predicate = _target(connector, entry, state)
    if predicate is None or entry["action"] != "update":
        return predicate
    conditions = _left_over_conditions(connector, connector.layout.sa_table(entry["table"]), entry["fields"])
    return sa.and_(predicate, sa.or_(*conditions)) if conditions else None


def _past_hold_checks(connector: SqlConnector, plan: SystemPlan) -> list[Check]:
    """Rows past their dated hold that still hold what the erasure removes."""
    checks: list[Check] = []
    for entry in plan["tables"]:
        dated = entry.get("dated_hold")
        mine = _target(connector, entry, plan["state"]) if dated else None
        if dated is None or mine is None:
            continue
        table = connector.layout.sa_table(entry["table"])
        conditions = _left_over_conditions(connector, table, dated["expired_fields"])
        left_over = sa.or_(*conditions) if conditions else None
        rows = holds.expired_left_over(connector, entry["table"], dated, mine, left_over)
        if rows is not None:
            checks.append((entry["table"], table, rows))
    return checks


def count_rows(connection: sa.Connection, checks: list[Check]) -> list[int]:
    """The rows of each check, in as few statements as the parameter and column limits allow
    (usually one):
    `SELECT (SELECT count(*) FROM a WHERE …), (SELECT count(*) FROM b WHERE …), …`."""
    numbers: list[int] = []
    group: list[Check] = []
    size = 0
    for check in checks:
        parameters = _parameters(check[2])
        if group and (size + parameters > MAX_PARAMETERS or len(group) >= MAX_COUNTS):
            numbers += _count_group(connection, group)
            group, size = [], 0
        group.append(check)
        size += parameters
    if group:
        numbers += _count_group(connection, group)
    return numbers


def _count_group(connection: sa.Connection, group: list[Check]) -> list[int]:
    counts = [
        sa.select(sa.func.count())
        .select_from(table)
        .where(rows)
        .correlate(None)
        .scalar_subquery()
        .label(f"mamori_left_{number}")
        for number, (_name, table, rows) in enumerate(group)
    ]
    row = connection.execute(sa.select(*counts)).one()
    return [int(value) for value in row]


def _parameters(clause: sa.ColumnElement[Any]) -> int:
    """Bound parameters the clause sends (an expanding IN list: one per value, none when its
    values are written into the statement)."""
    total = 0
    for element in visitors.iterate(clause):
        if not isinstance(element, sa.BindParameter) or element.literal_execute:
            continue
        value = element.value
        if element.expanding and isinstance(value, list | tuple):
            total += sum(len(item) if isinstance(item, list | tuple) else 1 for item in value)
        else:
            total += 1
    return total


def _found_again(connector: SqlConnector, connection: sa.Connection, plan: SystemPlan) -> list[Check]:
    """Rows of tables the plan erases that the collected identities reach now but the plan did
    not know of: one check per such table (none in the usual case)."""
    state = plan["state"]
    collected = state.get("identities", {})
    if not collected:
        return []
    if any(role == "visitor" for role, _table, _column in connector._lookups):
        again = connector.relocate(connection, collected)
        found = {root: {key for keys in per.values() for key in keys} for root, per in again["roots"].items()}
        visitor_values = again["visitors"]
    else:
        found, visitor_values = _roots_found_again(connector, connection, state), {}
    fresh: dict[str, Any] = {"roots": {}, "visitors": {}, "related": {}}
    for root, owners in found.items():
        known = {key for keys in state["roots"].get(root, {}).values() for key in keys}
        unknown = sorted(owners - known, key=str)
        if unknown:
            fresh["roots"][root] = {"0": unknown}
    for table, columns in visitor_values.items():
        for column, per_subject in columns.items():
            seen = {v for values in state.get("visitors", {}).get(table, {}).get(column, {}).values() for v in values}
            new = {index: [v for v in values if v not in seen] for index, values in per_subject.items()}
            new = {index: values for index, values in new.items() if values}
            if new:
                fresh["visitors"].setdefault(table, {})[column] = new
    checks: list[Check] = []
    for entry in plan["tables"]:
        table = connector.layout.tables[entry["table"]]
        if entry["action"] not in ("delete", "update") or not table.owned:
            continue
        predicate = connector.mine_predicate(table, fresh)
        if predicate is not None:
            checks.append((entry["table"], table.table, predicate))
    return checks


def _roots_found_again(
    connector: SqlConnector, connection: sa.Connection, state: Mapping[str, Any]
) -> dict[str, set[Any]]:
    """Per root, the owners the collected identities reach now: `relocate` for a system whose
    identities find no visitor rows (the identity expansion `relocate` does serves only visitor
    look-ups, so it is left out).

    A look-up by a root's own integer key column can only find the owner of that very key: values
    that are keys the plan already knew are not sent (whatever they found would be known, and
    only unknown owners count). Every other identity is looked up as given."""
    layout = connector.layout
    region = connector.phone_region
    collected = state["identities"]
    per_subject = [collected[str(index)] for index in range(len(collected))]
    found: dict[str, set[Any]] = defaultdict(set)
    for kind, refs in layout.identity_columns.items():
        for table_name, column_name in refs:
            lookup = connector._lookups.get(("root", table_name, column_name))
            if lookup is None:
                continue
            table = layout.tables[table_name]
            column = table.table.c[column_name]
            values = [set(given.get(kind, [])) for given in per_subject]
            if column_name == table.key and integer_column(column):
                known = {key for keys in state["roots"].get(table.root or "", {}).values() for key in keys}
                values = [
                    {value for value in own if not set(candidates(kind, value, column, region)) <= known}
                    for own in values
                ]
            wanted, sent = connector._wanted(kind, column, values)
            if not sent:
                continue
            for owner, matched in connection.execute(lookup, {KEYS: sent}):
                if owner is not None and wanted.get(normalise(kind, matched, region)):
                    found[table.root or ""].add(jsonable(owner))
    return found
