"""Where the consent ledger's rows live, and how old months leave.

On PostgreSQL the ledger is partitioned by month of `chosen_at` (migration 0003_issue19): one
partition per month, named consent_consentevent_yYYYYmMM, and a DEFAULT partition for rows no
month takes (ids that are not v7, chosen_at 1970-01-01; any month nobody created in time).
`ensure_ledger_months` creates the coming months (a periodic job, idempotent);
`drop_expired_ledger_months` drops whole months, which costs the same at a billion rows as at ten.
SQLite and MariaDB keep one table; the same function deletes the rows there.

A row's ledger month is its chosen_at month; for ids without a time (1970-01-01) it is the
month it was recorded in, so those rows expire too.

Rows from before the partitioning (v4 ids) and rows of months nobody created in time stay in the
DEFAULT partition, where they can only leave by row delete. `repartition_default` moves them into
their month partitions (creating those), so their months too leave by dropping a partition.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from mamori.audit.models import AuditEntry
from mamori.audit.services import Actor, record
from mamori.consent.models import ConsentEvent
from mamori.consent.services.errors import ConsentError
from mamori.consent.services.eventids import LEGACY_CHOSEN_AT, PAST_MARGIN

TABLE = ConsentEvent._meta.db_table
MONTHS_AHEAD = 3
DROP_ACTION = "consent.ledger_months_dropped"
REPARTITION_ACTION = "consent.ledger_repartitioned"
DEFAULT_PARTITION = f"{TABLE}_default"
REPARTITION_BATCH = 20_000
_PARTITION = re.compile(rf"^{TABLE}_y(\d{{4}})m(\d{{2}})$")


def _connection() -> Any:
    return connections[router.db_for_write(ConsentEvent)]


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def is_partitioned() -> bool:
    connection = _connection()
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = %s::regclass", [TABLE])
        return cursor.fetchone() is not None


def ledger_months() -> list[date]:
    """The month partitions that exist (PostgreSQL), oldest first; [] where the ledger is one table."""
    if not is_partitioned():
        return []
    with _connection().cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass",
            [TABLE],
        )
        names = [row[0] for row in cursor.fetchall()]
    return sorted(date(int(m[1]), int(m[2]), 1) for m in map(_PARTITION.match, names) if m)


def ensure_ledger_months(now: datetime | None = None, ahead: int = MONTHS_AHEAD) -> list[str]:
    """Create the partitions of this month and the next `ahead` months if missing; returns those created."""
    if not is_partitioned():
        return []
    month = (now or timezone.now()).astimezone(UTC).date().replace(day=1)
    existing, created = set(ledger_months()), []
    with transaction.atomic(using=_connection().alias), _connection().cursor() as cursor:
        for _ in range(ahead + 1):
            if month not in existing:
                name = f"{TABLE}_y{month.year:04d}m{month.month:02d}"
                upper = _next_month(month)
                # Fails only if the DEFAULT partition already holds rows of this month (no
                # partition existed for months): that is loud on purpose, see docs/consent.md.
                cursor.execute(
                    f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF {TABLE} "
                    f"FOR VALUES FROM ('{month.isoformat()} 00:00+00') TO ('{upper.isoformat()} 00:00+00')"
                )
                created.append(name)
            month = _next_month(month)
    return created


def _expired(boundary: datetime) -> Q:
    legacy = Q(chosen_at=LEGACY_CHOSEN_AT)
    return (~legacy & Q(chosen_at__lt=boundary)) | (legacy & Q(recorded_at__lt=boundary))


def _delete_rows(boundary: datetime, table: str) -> int:
    """The one deliberate bypass of the ledger's append-only guard: raw SQL, only for expiry."""
    connection = _connection()
    query = ConsentEvent.objects.filter(_expired(boundary)).values("id").query
    where, params = query.get_compiler(connection=connection).compile(query.where)
    with connection.cursor() as cursor:
        # The WHERE names the ledger's table; a partition is aliased to that name (PostgreSQL only).
        alias = f" AS {connection.ops.quote_name(TABLE)}" if table != TABLE else ""
        cursor.execute(
            f"DELETE FROM {connection.ops.quote_name(table)}{alias} WHERE {where}",  # noqa: S608 (fixed names)
            params,
        )
        return int(cursor.rowcount)


def drop_expired_ledger_months(before: date, actor: Actor) -> dict[str, Any]:
    """Remove every ledger month that ends on or before the first of `before`'s month.

    PostgreSQL: each such month's partition is dropped whole, and expired rows of the DEFAULT
    partition are deleted. Elsewhere the expired rows are deleted. Audited; the proof export
    says which months are gone. Refused while the months could still hold a valid choice.
    """
    boundary_day = before.replace(day=1)
    boundary = datetime(boundary_day.year, boundary_day.month, 1, tzinfo=UTC)
    lifetime = timedelta(days=int(getattr(settings, "MAMORI_CONSENT_DAYS", 180)) + 31)
    if boundary > timezone.now() - lifetime:
        raise ConsentError(
            _("months before %(month)s may still prove a valid choice; keep them"),
            code="ledger_months_in_use",
            month=boundary_day.strftime("%Y-%m"),
        )
    dropped: list[str] = []
    with transaction.atomic(using=_connection().alias):
        if is_partitioned():
            with _connection().cursor() as cursor:
                for month in ledger_months():
                    if _next_month(month) <= boundary_day:
                        cursor.execute(f"DROP TABLE {TABLE}_y{month.year:04d}m{month.month:02d}")
                        dropped.append(month.strftime("%Y-%m"))
            rows = _delete_rows(boundary, f"{TABLE}_default")
        else:
            rows = _delete_rows(boundary, TABLE)
        kept_from = boundary_day.strftime("%Y-%m")
        result = {"before": kept_from, "partitions_dropped": dropped, "rows_deleted": rows}
        record(actor, DROP_ACTION, target_type="consent_ledger", target_id=kept_from, details=result)
    return result


def _legacy_cutoff(now: datetime) -> datetime:
    """Legacy rows recorded before this move; younger ones wait in DEFAULT.

    A moved legacy row gets chosen_at = recorded_at, so a retry of its id (which derives 1970-01-01)
    no longer meets it in the unique constraint; the ledger then finds it by id alone
    (services.ledger.record). Moving only rows past a choice's lifetime and the banner's retry
    margin, the age at which a v7 id is refused, keeps that lookup for retries that hardly come.
    """
    return now - timedelta(days=int(getattr(settings, "MAMORI_CONSENT_DAYS", 180))) - PAST_MARGIN


# The month a DEFAULT row belongs to, and which rows may move: v7 rows always; legacy rows once old.
_MONTH_OF = (
    "date_trunc('month', (CASE WHEN chosen_at = %(legacy)s THEN recorded_at ELSE chosen_at END) AT TIME ZONE 'UTC')"
)
_MOVABLE = "(chosen_at <> %(legacy)s OR recorded_at < %(cutoff)s)"


def _default_months(params: dict[str, Any]) -> list[tuple[date, int]]:
    with _connection().cursor() as cursor:
        cursor.execute(
            f"SELECT {_MONTH_OF} AS month, count(*) FROM {DEFAULT_PARTITION} "  # noqa: S608 (fixed names)
            f"WHERE {_MOVABLE} GROUP BY month ORDER BY month",
            params,
        )
        return [(month.date(), int(count)) for month, count in cursor.fetchall()]


def _copy_statement(source: str) -> str:
    """INSERT through the parent, which routes each row to its month partition; a legacy row's
    chosen_at becomes its recorded_at on the way (its month is the month it was recorded in)."""
    columns = [str(field.column) for field in ConsentEvent._meta.concrete_fields]
    chosen = "CASE WHEN chosen_at = %(legacy)s THEN recorded_at ELSE chosen_at END"
    selected = ", ".join(chosen if column == "chosen_at" else column for column in columns)
    return f"INSERT INTO {TABLE} ({', '.join(columns)}) SELECT {selected} FROM {source}"  # noqa: S608


def _move_batch(cursor: Any, params: dict[str, Any], limit: int) -> int:
    """Move at most `limit` of the month's rows from DEFAULT to the month's partition."""
    batch = f"SELECT ctid FROM {DEFAULT_PARTITION} WHERE {_MOVABLE} AND {_MONTH_OF} = %(month)s LIMIT {int(limit)}"  # noqa: S608
    cursor.execute(
        f"WITH moved AS (DELETE FROM {DEFAULT_PARTITION} WHERE ctid IN ({batch}) RETURNING *) "  # noqa: S608
        + _copy_statement("moved"),
        params,
    )
    return int(cursor.rowcount)


def repartition_default(actor: Actor, *, batch: int = REPARTITION_BATCH, now: datetime | None = None) -> dict[str, Any]:
    """Move the DEFAULT partition's rows into their month partitions, oldest month first.

    Idempotent and resumable: every transaction leaves each row in exactly one place, and a second
    run moves only what is left. Into a month partition that exists, rows move in batches of
    `batch`, one transaction each. A month without a partition is made in one transaction: its
    rows are held aside, the partition created (PostgreSQL refuses it while DEFAULT holds rows of
    that month), and the rows put back through the parent, so no reader ever misses a row.
    """
    if not is_partitioned():
        return {"moved": 0, "months": [], "partitions_created": [], "legacy_waiting": 0}
    now = now or timezone.now()
    params: dict[str, Any] = {"legacy": LEGACY_CHOSEN_AT, "cutoff": _legacy_cutoff(now)}
    alias = _connection().alias
    moved, months, created = 0, [], []
    for month, _count in _default_months(params):
        params["month"] = datetime(month.year, month.month, 1)
        name = f"{TABLE}_y{month.year:04d}m{month.month:02d}"
        if month in ledger_months():
            while True:
                with transaction.atomic(using=alias), _connection().cursor() as cursor:
                    count = _move_batch(cursor, params, batch)
                moved += count
                if count < batch:
                    break
        else:
            upper = _next_month(month)
            with transaction.atomic(using=alias), _connection().cursor() as cursor:
                cursor.execute(f"LOCK TABLE {DEFAULT_PARTITION} IN SHARE ROW EXCLUSIVE MODE")
                cursor.execute(f"CREATE TEMPORARY TABLE mamori_ledger_hold (LIKE {TABLE}) ON COMMIT DROP")
                cursor.execute(
                    f"WITH held AS (DELETE FROM {DEFAULT_PARTITION} WHERE {_MOVABLE} "  # noqa: S608 (fixed names)
                    f"AND {_MONTH_OF} = %(month)s RETURNING *) INSERT INTO mamori_ledger_hold SELECT * FROM held",
                    params,
                )
                cursor.execute(
                    f"CREATE TABLE {name} PARTITION OF {TABLE} "
                    f"FOR VALUES FROM ('{month.isoformat()} 00:00+00') TO ('{upper.isoformat()} 00:00+00')"
                )
                cursor.execute(_copy_statement("mamori_ledger_hold"), params)
                moved += int(cursor.rowcount)
                cursor.execute("DROP TABLE mamori_ledger_hold")  # now: an outer transaction may go on
            created.append(month.strftime("%Y-%m"))
        months.append(month.strftime("%Y-%m"))
    with _connection().cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {DEFAULT_PARTITION} WHERE chosen_at = %(legacy)s",  # noqa: S608 (fixed names)
            params,
        )
        waiting = int(cursor.fetchone()[0])
    result = {"moved": moved, "months": months, "partitions_created": created, "legacy_waiting": waiting}
    if moved:
        with transaction.atomic(using=alias):
            record(actor, REPARTITION_ACTION, target_type="consent_ledger", target_id="default", details=result)
    return result


def ledger_kept_from() -> str | None:
    """The first month the ledger still holds ("YYYY-MM"), if months were ever dropped."""
    months = AuditEntry.objects.filter(action=DROP_ACTION).values_list("target_id", flat=True)
    return max(months, default=None)  # "YYYY-MM" sorts as months do; a later, smaller drop changes nothing


def configured_drop_boundary(now: datetime | None = None) -> date | None:
    """The month before which the ledger may go, from MAMORI_CONSENT_LEDGER_MONTHS (0: keep all)."""
    months = int(getattr(settings, "MAMORI_CONSENT_LEDGER_MONTHS", 0))
    if not months:
        return None
    # Never fewer months than a choice lasts (plus the retry margin): those months are proof.
    months = max(months, (int(getattr(settings, "MAMORI_CONSENT_DAYS", 180)) + 31) // 28 + 1)
    month = (now or timezone.now()).astimezone(UTC).date().replace(day=1)
    total = month.year * 12 + month.month - 1 - months
    return date(total // 12, total % 12 + 1, 1)


@task()
def maintain_ledger() -> None:
    """Periodic: create the coming months' partitions; drop months the retention setting lets go."""
    ensure_ledger_months()
    boundary = configured_drop_boundary()
    if boundary is not None:
        drop_expired_ledger_months(boundary, Actor.system("consent ledger retention"))
