"""The generated benchmark store on PostgreSQL: created once, reused while its marker matches.

`python -m bench.fulfilment.store` creates (or confirms) the template database; benchmarks that
change data work on copies of it (`fresh_copy`), so every run starts from the same rows.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import psycopg

from bench.common import SMALL, admin_connection, copy_database, database_exists, drop_database, line, pg_url

HERE = Path(__file__).resolve().parent
GENERATOR_VERSION = "4"  # change when the schema or generate.sql changes: the store is rebuilt
SIZES = {
    "customers": 1_000_000,
    "orders": 5_000_000,
    "orders_per": 5,
    "addresses": 1_500_000,
    "social": 300_000,
    "inquiries": 300_000,
    "subscriptions": 400_000,
    "sessions": 3_000_000,
    "heavy": 1_000_000,
    "events": 2_000_000,
}
if SMALL:
    SIZES = {key: max(1, value // 50) if key != "orders_per" else value for key, value in SIZES.items()}
TEMPLATE = "mamori_bench_store_small" if SMALL else "mamori_bench_store"
# BENCH_WORK_SUFFIX keeps two erasure benchmarks run at once (two worktrees) off each other's copy.
WORK_COPY = f"{TEMPLATE}_work{os.environ.get('BENCH_WORK_SUFFIX', '')}"
HEAVY_CUSTOMER = 1  # the subject with `heavy` usage events, at the start of the id range
# The growth curve: customers at the end of the id range with 1,000 .. `heavy` events, the
# highest ids of usage_events (generate.sql).
TAIL_CUSTOMERS = {
    SIZES["customers"] - 3: 1_000,
    SIZES["customers"] - 2: 10_000,
    SIZES["customers"] - 1: 100_000,
    SIZES["customers"]: SIZES["heavy"],
}
TABLES = (
    "customers",
    "social_accounts",
    "addresses",
    "orders",
    "order_items",
    "payments",
    "inquiries",
    "newsletter_subscriptions",
    "login_sessions",
    "usage_events",
)


def marker() -> str:
    return f"v{GENERATOR_VERSION} " + " ".join(f"{key}={value}" for key, value in sorted(SIZES.items()))


def is_ready() -> bool:
    if not database_exists(TEMPLATE):
        return False
    with psycopg.connect(pg_url(TEMPLATE)) as connection:
        try:
            row = connection.execute("SELECT value FROM bench_meta WHERE key = 'generated'").fetchone()
        except psycopg.errors.UndefinedTable:
            return False
    return row is not None and row[0] == marker()


# What `mamori map inspect` advises for the map's identity columns on PostgreSQL: the engine
# compares e-mail addresses as lower(email), which the plain unique index cannot serve (without
# this index, every request reads the whole customers table: about 0.4 s).
# Phone numbers are compared with their separators removed (identities.py): without the matching
# expression index, verification's look-up by the phone found in the erased person's row read the
# whole table (0.8 s per person erased one at a time).
ADVISED_INDEXES = [
    "CREATE INDEX IF NOT EXISTS customers_email_lower ON customers (lower(email))",
    "CREATE INDEX IF NOT EXISTS customers_phone_digits ON customers "
    "(replace(replace(replace(replace(replace(replace(phone, '-', ''), ' ', ''), '+', ''), '(', ''), ')', ''), "
    "'.', ''))",
]


def ensure_advised_indexes() -> None:
    with psycopg.connect(pg_url(TEMPLATE), autocommit=True) as connection:
        for statement in ADVISED_INDEXES:
            connection.execute(statement)
        connection.execute("ANALYZE customers")


def ensure_store() -> None:
    """Generate the store unless a complete one with the same sizes exists."""
    if is_ready():
        line(f"store: reusing database {TEMPLATE} ({marker()})")
        ensure_advised_indexes()
        return
    line(f"store: generating database {TEMPLATE} ({marker()}) ...")
    started = time.perf_counter()
    drop_database(TEMPLATE)
    with admin_connection() as connection:
        connection.execute(f'CREATE DATABASE "{TEMPLATE}"')
    schema = (HERE / "store_schema.sql").read_text()
    script = (HERE / "generate.sql").read_text().format(**SIZES)
    with psycopg.connect(pg_url(TEMPLATE), autocommit=True) as connection:
        connection.execute(schema)
        for statement in _statements(script):
            step = time.perf_counter()
            connection.execute(statement)
            summary = " ".join(statement.split()[:4])
            line(f"  {time.perf_counter() - step:6.1f} s  {summary}")
        connection.execute("VACUUM ANALYZE")
        for advised in ADVISED_INDEXES:
            connection.execute(advised)
        connection.execute("CREATE TABLE bench_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        connection.execute("INSERT INTO bench_meta VALUES ('generated', %s)", [marker()])
    line(f"store: generated in {time.perf_counter() - started:.0f} s")


def _statements(script: str) -> list[str]:
    lines = [text for text in script.splitlines() if not text.lstrip().startswith("--")]
    return [statement.strip() for statement in "\n".join(lines).split(";\n") if statement.strip()]


def fresh_copy() -> str:
    """A database URL of a fresh copy of the store, for benchmarks that change data."""
    seconds = copy_database(TEMPLATE, WORK_COPY)
    line(f"store: fresh copy {WORK_COPY} in {seconds:.1f} s")
    return pg_url(WORK_COPY)


def drop_copy() -> None:
    drop_database(WORK_COPY)


def row_counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as connection:
        return {
            table: int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # type: ignore[index]
            for table in TABLES
        }


if __name__ == "__main__":
    ensure_store()
    counts = row_counts(pg_url(TEMPLATE))
    line(
        f"rows: {sum(counts.values()):,} in {len(counts)} tables: "
        + ", ".join(f"{table} {count:,}" for table, count in counts.items())
    )
    sys.exit(0)
