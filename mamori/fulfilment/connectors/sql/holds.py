"""Dated legal holds inside an erasure.

A retention rule's legal hold that counts from a date column (`legal_hold.counts_from`: an
order's date for 7 years of tax records) keeps only the person's rows still inside it. Rows whose
hold has run out are erased like any other rows: deleted where the table deletes (unless a row
that stays points at them: then their fields are erased in place, so no link breaks), or every
erasable field erased, the held ones included. The plan states how many rows stay under which hold
and until when, and fixes the moment the hold is counted at, so the run and its verification
change exactly the rows the plan counted, however long staff take to approve it.

Set-based: one counting query per held table when planning, one statement per held table (two
for a deleting table with rows that stay pointing at it) when executing, one count to verify.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

if TYPE_CHECKING:
    from mamori.fulfilment.connectors.sql.connector import SqlConnector
    from mamori.fulfilment.connectors.sql.layout import TableLayout


def plan_dated_hold(
    connector: SqlConnector,
    connection: sa.Connection,
    table: TableLayout,
    mine: sa.ColumnElement[bool],
    erasable_fields: list[dict[str, str]],
    now: datetime,
) -> dict[str, Any] | None:
    """The person's rows of `table` (`mine`) split by the table's dated hold, or None when the
    table has none. `now` is naive UTC; the hold is counted on the organisation's calendar."""
    rule = connector.map.find("retention", table.spec.retention) if table.spec.retention else None
    hold = rule.legal_hold if rule is not None else None
    column_name = hold.counts_from.get(table.name) if hold is not None else None
    if hold is None or column_name is None or column_name not in table.table.c:
        return None
    zone = connector.map.organisation.time_zone
    cutoff = hold.period.before(now, zone)
    column = table.table.c[column_name]
    # A row without the date cannot be shown to be outside the hold: it stays.
    inside = sa.or_(column.is_(None), column > cutoff)
    statement = sa.select(
        sa.func.count(),
        sa.func.coalesce(sa.func.sum(sa.case((inside, 1), else_=0)), 0),
        sa.func.max(column),
    ).where(mine)
    total, kept, latest = connection.execute(statement).one()
    spec = table.spec
    deletes = spec.erase == "delete_row" or any(field.erase == "delete" for field in spec.fields)
    if isinstance(latest, date) and not isinstance(latest, datetime):
        latest = datetime.combine(latest, time())  # a DATE column: the hold counts from its start
    until = hold.period.after(latest, zone) if isinstance(latest, datetime) and kept else None
    # Only the organisation's date: the plan is stored in clear, and the minute a person's last
    # record was made is theirs.
    until_day = until.replace(tzinfo=UTC).astimezone(ZoneInfo(zone)).date().isoformat() if until else ""
    return {
        "rule": rule.id if rule is not None else "",
        "counts_from": column_name,
        "cutoff": cutoff.isoformat(sep=" "),
        "zone": zone,
        "kept_rows": int(kept),
        "expired_rows": int(total) - int(kept),
        # The organisation's date on which the last row kept leaves the hold.
        "kept_until": until_day,
        "expired_action": "delete" if deletes else "update",
        "expired_fields": erasable_fields,
    }


def expired_rows(
    connector: SqlConnector, table_name: str, hold: Mapping[str, Any], mine: sa.ColumnElement[bool]
) -> sa.ColumnElement[bool]:
    column = connector.layout.sa_table(table_name).c[hold["counts_from"]]
    return sa.and_(mine, column.is_not(None), column <= datetime.fromisoformat(hold["cutoff"]))


def referenced_rows(connector: SqlConnector, table_name: str) -> sa.ColumnElement[bool] | None:
    """Rows another table's row points at: deleting them would break a link, so they are erased
    in place instead (shared by retention's disposal)."""
    layout = connector.layout
    table = layout.sa_table(table_name)
    parts = []
    for edge in layout.edges_into(table_name):
        if edge.table == table_name:
            continue
        child = layout.sa_table(edge.table)
        parts.append(
            table.c[edge.target_column].in_(sa.select(child.c[edge.column]).where(child.c[edge.column].is_not(None)))
        )
    return sa.or_(*parts) if parts else None


def erase_expired(
    connector: SqlConnector,
    connection: sa.Connection,
    table_name: str,
    hold: Mapping[str, Any],
    mine: sa.ColumnElement[bool],
    new_values: dict[str, Any],
) -> int:
    """Erase the person's rows of the table whose hold has run out; the rows changed or deleted."""
    if not hold["expired_rows"]:
        return 0
    table = connector.layout.sa_table(table_name)
    rows = expired_rows(connector, table_name, hold, mine)
    changed = 0
    if hold["expired_action"] == "delete":
        referenced = referenced_rows(connector, table_name)
        free = rows if referenced is None else sa.and_(rows, sa.not_(referenced))
        changed += connection.execute(sa.delete(table).where(free)).rowcount
        if referenced is None:
            return changed
        rows = sa.and_(rows, referenced)
    if new_values:
        changed += connection.execute(sa.update(table).where(rows).values(new_values)).rowcount
    return changed


def expired_left_over(
    connector: SqlConnector,
    table_name: str,
    hold: Mapping[str, Any],
    mine: sa.ColumnElement[bool],
    left_over: sa.ColumnElement[bool] | None,
) -> sa.ColumnElement[bool] | None:
    """Rows past the hold that still hold what the erasure removes (verification): for a deleting
    table any such row nothing points at, and referenced ones with a field left; else a field left."""
    if not hold["expired_rows"]:
        return None
    rows = expired_rows(connector, table_name, hold, mine)
    if hold["expired_action"] == "delete":
        referenced = referenced_rows(connector, table_name)
        if referenced is None:
            return rows
        free = sa.and_(rows, sa.not_(referenced))
        return sa.or_(free, sa.and_(rows, left_over)) if left_over is not None else free
    return sa.and_(rows, left_over) if left_over is not None else None
