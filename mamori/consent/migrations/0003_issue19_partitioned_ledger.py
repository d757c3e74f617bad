"""On PostgreSQL, the consent ledger becomes a table partitioned by month of chosen_at (issue 19).

Old months then leave by dropping a partition (services.ledger_storage), and each month's
indexes stay small. Other databases keep one table: this migration does nothing there.

The primary key becomes (id, chosen_at) and the unique constraint stays (event_id, chosen_at):
PostgreSQL requires the partition key in both. chosen_at is a function of event_id, so the pair
is unique exactly when event_id is. Rows are copied, the identity continues after the highest
id, a DEFAULT partition catches any row no month partition takes (ids that are not v7 have
chosen_at 1970-01-01 and live there), and months from the oldest row's to three ahead exist.
The SQL is written out here, not imported, so the migration never changes.
"""

from datetime import UTC, datetime

from django.db import migrations

TABLE = "consent_consentevent"
INDEXES = (
    "CREATE INDEX consent_event_device ON {t} (site, device_hash, recorded_at DESC)",
    "CREATE INDEX consent_event_subject ON {t} (subject_hash)",
    "CREATE INDEX consent_event_site_time ON {t} (site, recorded_at)",
    "ALTER TABLE {t} ADD CONSTRAINT consent_event_once UNIQUE (event_id, chosen_at)",
)
LEGACY_BEFORE = datetime(1971, 1, 1, tzinfo=UTC)


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def _months(first: datetime, last: datetime) -> list[tuple[int, int]]:
    months, current = [], (first.year, first.month)
    while current <= (last.year, last.month):
        months.append(current)
        current = _next_month(*current)
    return months


def _copy_table(cursor, source: str, partitioned: bool) -> None:
    cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {source}")
    cursor.execute(
        f"CREATE TABLE {TABLE} (LIKE {source} INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING STORAGE)"
        + (" PARTITION BY RANGE (chosen_at)" if partitioned else "")
    )


def _finish_copy(cursor, source: str, primary_key: str) -> None:
    cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM {source}")
    cursor.execute(f"DROP TABLE {source} CASCADE")  # CASCADE: a partitioned source takes its partitions along
    cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY ({primary_key})")
    for statement in INDEXES:
        cursor.execute(statement.format(t=TABLE))
    cursor.execute(f"SELECT setval(pg_get_serial_sequence('{TABLE}', 'id'), "
                   f"COALESCE((SELECT MAX(id) FROM {TABLE}), 0) + 1, false)")


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        source = f"{TABLE}_unpartitioned"
        cursor.execute(f"SELECT MIN(chosen_at) FROM {TABLE} WHERE chosen_at >= %s", [LEGACY_BEFORE])
        oldest = cursor.fetchone()[0]
        _copy_table(cursor, source, partitioned=True)
        now = datetime.now(UTC)
        year, month = now.year, now.month
        for _ in range(3):
            year, month = _next_month(year, month)
        last = datetime(year, month, 1, tzinfo=UTC)
        for year, month in _months(min(oldest or now, now), last):
            upper = _next_month(year, month)
            cursor.execute(
                f"CREATE TABLE {TABLE}_y{year:04d}m{month:02d} PARTITION OF {TABLE} "
                f"FOR VALUES FROM ('{year:04d}-{month:02d}-01 00:00+00') TO ('{upper[0]:04d}-{upper[1]:02d}-01 00:00+00')"
            )
        cursor.execute(f"CREATE TABLE {TABLE}_default PARTITION OF {TABLE} DEFAULT")
        _finish_copy(cursor, source, "id, chosen_at")


def unpartition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        source = f"{TABLE}_partitioned"
        _copy_table(cursor, source, partitioned=False)
        _finish_copy(cursor, source, "id")


class Migration(migrations.Migration):

    atomic = True
    dependencies = [("consent", "0002_issue19_chosen_at")]

    operations = [migrations.RunPython(partition, unpartition, elidable=False)]
