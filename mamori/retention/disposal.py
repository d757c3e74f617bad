"""Disposal in a company's SQL database: the due rows of one retention rule, found and disposed of
set-based through the fulfilment engine's SQL machinery (no Django here; services persist runs).

A row is *due* when its trigger date (on the row, or on the row it links to: an address's
customer's `closed_at`) plus the rule's period has passed and the `where` values hold. It is
*held* when the rule's legal hold has not run out, counted from the hold's own date column
(`counts_from`) or else from the trigger date, and *protected* when it belongs to a person with an
open rights request. What disposal does is the map's erase strategy per field: a `delete_row` table
loses the row, unless another row still points at it (FK-safe: then its fields are erased like an
`update_fields` table's), and an `update_fields` table has its fields nulled, masked or hashed.

Work is done in batches, ranges of the primary key (keyset) whose bound is read from the key's
index alone, one DELETE or UPDATE per table per batch, each batch its own transaction; batches
grow while they are quick (next_batch). Disposed rows leave the due set (gone, or nothing left to erase),
so a run cut off half-way and started again simply finds the rest: resumable and idempotent.
Verification counts the rows still due at the run's moment: 0 everywhere means done.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from django.utils.translation import gettext_lazy as _
from sqlalchemy.exc import SQLAlchemyError

from mamori.fulfilment.connectors.base import ConnectorError
from mamori.fulfilment.connectors.sql.connector import jsonable
from mamori.fulfilment.connectors.sql.erasure import _field_plan, _left_over, _new_values
from mamori.fulfilment.connectors.sql.holds import referenced_rows

if TYPE_CHECKING:
    from mamori.catalog.mapfile.schema import RetentionRule, RetentionTarget
    from mamori.catalog.mapfile.values import Duration
    from mamori.fulfilment.connectors.sql.connector import SqlConnector
    from mamori.fulfilment.connectors.sql.layout import TableLayout

BATCH = 20_000  # table rows in a run's first batch, one statement and transaction (a commit waits for the disk)
MAX_BATCH = 320_000  # batches grow up to this many rows while they stay quick (see next_batch)
BATCH_SECONDS = 2.0  # a batch's aim: short enough to hold locks briefly and lose little to a killed worker
FORECAST_DAYS = 30


class DisposalError(ConnectorError):
    """A rule cannot be applied to the live database (a missing column, a failed batch)."""


def before(moment: datetime, period: Duration, zone: str | None = None) -> datetime:
    """`moment` (naive UTC) minus `period`, on the calendar of `zone` (the organisation's)."""
    return period.before(moment, zone)


def naive_utc(moment: datetime) -> datetime:
    """Company databases keep naive timestamps in UTC (the shop schema's TIMESTAMP columns)."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def next_batch(size: int, seconds: float, smallest: int) -> int:
    """The next batch's size: doubled while a batch takes under half of BATCH_SECONDS (fewer
    commits and round trips on a large table), halved when one takes over twice as long (a busy
    database): what a batch locks, and what a killed worker leaves to redo, stay bounded by time."""
    if seconds < BATCH_SECONDS / 2:
        return min(size * 2, max(MAX_BATCH, smallest))
    if seconds > BATCH_SECONDS * 2:
        return max(size // 2, smallest)
    return size


@dataclass
class TableCounts:
    system: str
    table: str
    action: str  # delete | update | keep
    total: int = 0
    due: int = 0  # rows that would be disposed of now
    held: int = 0  # due by the trigger, kept by the legal hold
    protected: int = 0  # due, kept because the person has an open rights request
    forecast: int = 0  # rows becoming due in the next FORECAST_DAYS days
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Progress:
    """What one table's disposal has done so far (persisted by the caller after every batch)."""

    deleted: int = 0
    updated: int = 0
    batches: int = 0
    last_key: Any = None


@dataclass
class TableDisposal:
    """One table of a rule: its predicates, built once against the reflected schema."""

    connector: SqlConnector
    rule: RetentionRule
    target: RetentionTarget
    layout: TableLayout
    action: str
    fields: list[Mapping[str, str]]
    protected_state: Mapping[str, Any] | None = None
    reason: str = ""
    _values: dict[str, Any] = field(default_factory=dict)

    @property
    def table(self) -> sa.Table:
        return self.layout.table

    @property
    def name(self) -> str:
        return self.layout.name

    @property
    def zone(self) -> str:
        """Periods are counted on the organisation's calendar (a year ends on its local day)."""
        return self.connector.map.organisation.time_zone

    # -- predicates

    def _date_source(self) -> tuple[sa.Table, sa.ColumnElement[Any], Callable[[sa.ColumnElement[bool]], Any]]:
        """The table holding the trigger date, its date column, and how a condition on that table
        becomes a condition on this one (itself, or `fk IN (SELECT key FROM parent WHERE ...)`)."""
        layout = self.connector.layout
        date = self.target.date or ""
        if "." not in date:
            return self.table, self._column(self.table, date), lambda condition: condition
        parent_name, column = date.split(".", 1)
        edge = next((edge for edge in layout.edges_from(self.name) if edge.target == parent_name), None)
        if edge is None or parent_name not in layout.tables:
            raise DisposalError(
                _("retention rule %(rule)s: table %(table)s has no link to %(parent)s in %(system)s"),
                rule=self.rule.id,
                table=self.name,
                parent=parent_name,
                system=self.connector.system_id,
            )
        parent = layout.sa_table(parent_name)
        child_column = self.table.c[edge.column]
        parent_key = parent.c[edge.target_column]
        return (
            parent,
            self._column(parent, column),
            lambda condition: child_column.in_(sa.select(parent_key).where(condition)),
        )

    def _column(self, table: sa.Table, name: str) -> sa.ColumnElement[Any]:
        if name not in table.c:
            raise DisposalError(
                _("retention rule %(rule)s: table %(table)s of system %(system)s has no column %(column)s"),
                rule=self.rule.id,
                table=table.name,
                system=self.connector.system_id,
                column=name,
            )
        return table.c[name]

    def triggered(self, cutoff: datetime) -> sa.ColumnElement[bool]:
        """Rows whose trigger happened on or before `cutoff` (and whose `where` values hold)."""
        source, date, lift = self._date_source()
        conditions: list[sa.ColumnElement[bool]] = [date.is_not(None), date <= cutoff]
        for name, wanted in self.target.where.items():
            column = self._column(source, name)
            values = wanted if isinstance(wanted, list) else [wanted]
            conditions.append(column.in_(values) if len(values) > 1 else column == values[0])
        return lift(sa.and_(*conditions))

    def held(self, as_of: datetime) -> sa.ColumnElement[bool]:
        hold = self.rule.legal_hold
        if hold is None:
            return sa.false()
        hold_cutoff = before(as_of, hold.period, self.zone)
        column_name = hold.counts_from.get(self.name)
        if column_name is None:
            return sa.not_(self.triggered(hold_cutoff))
        column = self._column(self.table, column_name)
        # A row without the date the hold counts from cannot be shown to be outside it: kept.
        return sa.or_(column.is_(None), column > hold_cutoff)

    def protected(self) -> sa.ColumnElement[bool]:
        if not self.protected_state or not self.layout.owned:
            return sa.false()
        mine = self.connector.mine_predicate(self.layout, self.protected_state)
        return mine if mine is not None else sa.false()

    def referenced(self) -> sa.ColumnElement[bool] | None:
        """Rows another row still points at (they cannot be deleted without breaking the link)."""
        return referenced_rows(self.connector, self.name)

    def left_over(self) -> sa.ColumnElement[bool] | None:
        """Rows still holding something the erase strategy would change."""
        conditions = [_left_over(self.connector, self.table, f) for f in self.fields]
        present = [condition for condition in conditions if condition is not None]
        return sa.or_(*present) if present else None

    def work(self, as_of: datetime) -> sa.ColumnElement[bool] | None:
        """The rows disposal still has to do something to at `as_of`; None: nothing ever."""
        assert self.rule.period is not None
        due = self.triggered(before(as_of, self.rule.period, self.zone))
        base = sa.and_(due, sa.not_(self.held(as_of)), sa.not_(self.protected()))
        left_over = self.left_over()
        if self.action == "delete":
            referenced = self.referenced()
            if referenced is None:
                return base
            free = sa.not_(referenced)
            return sa.and_(base, sa.or_(free, left_over) if left_over is not None else free)
        if left_over is None:
            return None
        return sa.and_(base, left_over)

    # -- counting

    def count(self, connection: sa.Connection, as_of: datetime) -> TableCounts:
        assert self.rule.period is not None
        counts = TableCounts(self.connector.system_id, self.name, self.action, reason=self.reason)

        def number(predicate: sa.ColumnElement[bool] | None) -> int:
            statement = sa.select(sa.func.count()).select_from(self.table)
            if predicate is not None:
                statement = statement.where(predicate)
            return int(connection.execute(statement).scalar_one())

        counts.total = number(None)
        work = self.work(as_of)
        if work is None:
            return counts
        triggered = self.triggered(before(as_of, self.rule.period, self.zone))
        counts.due = number(work)
        counts.held = number(sa.and_(triggered, self.held(as_of))) if self.rule.legal_hold else 0
        if self.protected_state:
            counts.protected = number(sa.and_(triggered, sa.not_(self.held(as_of)), self.protected()))
        later = self.work(as_of + timedelta(days=FORECAST_DAYS))
        counts.forecast = max(0, number(later) - counts.due)
        return counts

    # -- disposing

    def _keys(self) -> list[sa.Column[Any]]:
        return [self.table.c[name] for name in self.layout.primary_key]

    def dispose(
        self, as_of: datetime, progress: Progress, on_batch: Callable[[Progress], None], batch: int = BATCH
    ) -> Progress:
        """Dispose of the due rows batch by batch, calling `on_batch` after each committed one."""
        work = self.work(as_of)
        if work is None:
            return progress
        keys = self._keys()
        engine = self.connector.engine
        if len(keys) != 1:  # no single-column key to walk: one statement for the whole table
            with engine.begin() as connection:
                self._apply(connection, work, progress)
            progress.batches += 1
            on_batch(progress)
            return progress
        key = keys[0]
        size = batch
        while True:
            # The batch is a key range, (last key, the key `size` rows further]: the bound is read
            # from the primary key index alone (no row is visited), and the statement changes the
            # due rows of the range, read once by a range scan of that index. It re-applies the due
            # predicate, so a row that stopped being due meanwhile (a new request) is left alone.
            after: sa.ColumnElement[bool] = key > progress.last_key if progress.last_key is not None else sa.true()
            bound = sa.select(key).where(after).order_by(key).offset(size - 1).limit(1)
            started = time.perf_counter()
            try:
                with engine.begin() as connection:
                    upper = connection.execute(bound).scalar()
                    rows = sa.and_(work, after) if upper is None else sa.and_(work, after, key <= upper)
                    self._apply(connection, rows, progress)
            except SQLAlchemyError as exc:
                raise DisposalError(
                    _("system %(system)s: disposal in %(table)s was rolled back (%(error)s)"),
                    system=self.connector.system_id,
                    table=self.name,
                    error=type(exc).__name__,
                ) from None
            progress.batches += 1
            if upper is not None:
                progress.last_key = jsonable(upper)
            on_batch(progress)
            if upper is None:
                return progress
            size = next_batch(size, time.perf_counter() - started, batch)

    def _apply(self, connection: sa.Connection, rows: sa.ColumnElement[bool], progress: Progress) -> None:
        values = self._values or _new_values(self.connector, self.fields, self.name)
        self._values = values
        if self.action == "delete":
            referenced = self.referenced()
            if referenced is None:
                progress.deleted += connection.execute(sa.delete(self.table).where(rows)).rowcount
                return
            progress.deleted += connection.execute(sa.delete(self.table).where(rows, sa.not_(referenced))).rowcount
            left_over = self.left_over()
            if values and left_over is not None:
                statement = sa.update(self.table).where(rows, referenced, left_over).values(values)
                progress.updated += connection.execute(statement).rowcount
            return
        progress.updated += connection.execute(sa.update(self.table).where(rows).values(values)).rowcount

    def residue(self, connection: sa.Connection, as_of: datetime) -> int:
        work = self.work(as_of)
        if work is None:
            return 0
        return int(connection.execute(sa.select(sa.func.count()).select_from(self.table).where(work)).scalar_one())


def table_disposals(
    connector: SqlConnector, rule: RetentionRule, protected_state: Mapping[str, Any] | None = None
) -> list[TableDisposal]:
    """The rule's tables in this connector's system, children before parents (FK-safe)."""
    layout = connector.layout
    links = layout.key_columns()
    found: dict[str, TableDisposal] = {}
    for target in rule.applies_to:
        if target.system != connector.system_id:
            continue
        table_layout = layout.tables.get(target.table)
        if table_layout is None:
            raise DisposalError(
                _("retention rule %(rule)s: system %(system)s has no table %(table)s"),
                rule=rule.id,
                system=target.system,
                table=target.table,
            )
        spec = table_layout.spec
        deletes = spec.erase == "delete_row" or any(f.erase == "delete" for f in spec.fields)
        # Rows that stay (referenced, or an update_fields table) have their fields erased as in
        # an erasure, minus the legal hold: held rows are left out of the due set altogether.
        fields = [_field_plan(table_layout, f.name, f.category, f.erase, "update", links, {}) for f in spec.fields]
        erased: list[Mapping[str, str]] = [f for f in fields if f["strategy"] in ("null", "mask", "hash")]
        action, reason = ("delete" if deletes else "update"), ""
        if not deletes and not erased:
            action, reason = "keep", "no_erasable_fields"
        found[target.table] = TableDisposal(
            connector, rule, target, table_layout, action, erased, protected_state, reason
        )
    return [found[name] for name in layout.children_first() if name in found]


def count_all(disposals: list[TableDisposal], as_of: datetime) -> Iterator[TableCounts]:
    if not disposals:
        return
    with disposals[0].connector.engine.connect() as connection:
        for disposal in disposals:
            yield disposal.count(connection, as_of)
