"""Disposal of due rows: the retention engine against hand-written set-based SQL, same run.

A scratch PostgreSQL database gets the onemall shop schema (examples/onemall/shop-schema.sql) and
N due rows across three tables of examples/onemall's rules, plus rows that are not due (so the
predicates must select): 40 % usage events and 30 % login sessions older than 14 months
(`usage-data`: rows deleted) and 30 % orders past the 7-year tax hold (`order-records`: personal
fields masked or nulled in place). Each measurement starts from a fresh copy (CREATE DATABASE
... TEMPLATE).

- Engine: `table_disposals(...).dispose()` for both rules, as a run does it: key-range batches
  (20,000 table rows at first, growing while quick), per batch a bound read from the primary key
  index and one DELETE or UPDATE, each batch committed; then the verification count per table,
  timed separately as well (the baseline verifies nothing).
- Baseline: what a developer would write by hand: one DELETE or UPDATE per table with the same
  conditions, one transaction, no batches, no verification.

Printed: per size the median of 3 (and the range) for both, the ratio (target <= 1.3 at
1,000,000) with and without the verification, the engine's time per 100,000 rows (flat means
linear), the engine's peak Python memory (tracemalloc, a separate untimed pass: bounded means the
same at every size), and the load average before and after each size (a shared machine).
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import time
import tracemalloc
from datetime import datetime

import psycopg

from bench.common import REPO, SMALL, admin_connection, copy_database, drop_database, header, line, pg_url, verdict

SIZES = [20_000, 50_000] if SMALL else [100_000, 300_000, 1_000_000]
TRIALS = 3
AS_OF = datetime(2026, 6, 15, 12, 0, 0)
TEMPLATE = "mamori_bench_retention_{n}"

HAND_SQL = [
    "DELETE FROM usage_events WHERE occurred_at IS NOT NULL AND occurred_at <= '2025-04-15 12:00:00'",
    "DELETE FROM login_sessions WHERE last_seen_at IS NOT NULL AND last_seen_at <= '2025-04-15 12:00:00'",
    # order-records: trigger ordered_at (status paid/shipped/delivered), hold 7 years from ordered_at.
    """UPDATE orders SET shipping_name = substr('erased-' || id, 1, 200),
       shipping_address = substr('erased-' || id, 1, 500), shipping_phone = NULL,
       billing_name = substr('erased-' || id, 1, 200), billing_address = substr('erased-' || id, 1, 500),
       ip_address = NULL
       WHERE ordered_at IS NOT NULL AND ordered_at <= '2026-06-15 12:00:00'
         AND status IN ('paid', 'shipped', 'delivered') AND ordered_at <= '2019-06-15 12:00:00'
         AND (shipping_name IS DISTINCT FROM 'erased-' || id OR shipping_phone IS NOT NULL
              OR ip_address IS NOT NULL)""",
]


def build(n: int) -> str:
    name = TEMPLATE.format(n=n)
    drop_database(name)
    with admin_connection() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    schema = re.sub(r"--[^\n]*", "", (REPO / "examples" / "onemall" / "shop-schema.sql").read_text())
    events, sessions, orders = int(n * 0.4), int(n * 0.3), n - int(n * 0.4) - int(n * 0.3)
    keep = max(1, n // 10)  # rows that are not due, in every table
    with psycopg.connect(pg_url(name), autocommit=True) as connection:
        for statement in filter(str.strip, schema.split(";")):
            connection.execute(statement)
        connection.execute("""INSERT INTO customers (id, email, status, created_at)
            SELECT g, 'c' || g || '@example.jp', 'active', '2018-01-01' FROM generate_series(1, 1000) g""")
        connection.execute(f"""INSERT INTO usage_events (id, customer_id, device_id, page_url, occurred_at)
            SELECT g, 1 + g % 1000, 'dev-' || g, 'https://www.onemall.jp/p/' || g,
                   CASE WHEN g <= {events} THEN timestamp '2024-01-01' + (g % 400) * interval '1 day'
                        ELSE timestamp '2026-01-01' END
            FROM generate_series(1, {events + keep}) g""")
        connection.execute(f"""INSERT INTO login_sessions
                (id, customer_id, ip_address, user_agent, started_at, last_seen_at)
            SELECT g, 1 + g % 1000, '203.0.113.' || (g % 250), 'Mozilla/5.0', t, t FROM (
              SELECT g, CASE WHEN g <= {sessions} THEN timestamp '2024-01-01' + (g % 400) * interval '1 day'
                             ELSE timestamp '2026-01-01' END AS t FROM generate_series(1, {sessions + keep}) g) s""")
        connection.execute(f"""INSERT INTO orders (id, customer_id, ordered_at, status, total_amount, currency,
                shipping_name, shipping_address, shipping_phone, billing_name, billing_address, ip_address)
            SELECT g, 1 + g % 1000,
                   CASE WHEN g <= {orders} THEN timestamp '2018-01-01' + (g % 500) * interval '1 day'
                        ELSE timestamp '2024-01-01' END,
                   'delivered', 10, 'JPY', 'Name ' || g, 'Address ' || g, '+81 ' || g, 'Name ' || g,
                   'Address ' || g, '203.0.113.9'
            FROM generate_series(1, {orders + keep}) g""")
        connection.execute("VACUUM ANALYZE")
    return name


def engine_dispose(url: str) -> tuple[float, float]:
    """Seconds for the whole disposal, and of them the verification counts."""
    from mamori.catalog.mapfile import load_map
    from mamori.fulfilment.connectors.sql import SqlConnector
    from mamori.fulfilment.engine import FulfilmentEngine
    from mamori.retention.disposal import Progress, table_disposals

    privacy_map = load_map([REPO / "examples" / "onemall"]).map
    assert privacy_map is not None
    engine = FulfilmentEngine(privacy_map, {"MAMORI_ONEMALL_SHOP_URL": url})
    connector = engine.connector("shop-db")
    assert isinstance(connector, SqlConnector)
    _ = connector.layout  # reflection is set-up, not disposal
    started = time.perf_counter()
    residue, verifying = 0, 0.0
    for rule_id in ("usage-data", "order-records"):
        disposals = table_disposals(connector, privacy_map.retention_rule(rule_id))
        for disposal in disposals:
            disposal.dispose(AS_OF, Progress(), lambda progress: None)
        checked = time.perf_counter()
        with connector.engine.connect() as connection:
            residue += sum(disposal.residue(connection, AS_OF) for disposal in disposals)
        verifying += time.perf_counter() - checked
    elapsed = time.perf_counter() - started
    engine.close()
    assert residue == 0, residue
    return elapsed, verifying


def hand_dispose(url: str) -> float:
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as connection:
        started = time.perf_counter()
        with connection.transaction():
            for statement in HAND_SQL:
                connection.execute(statement)
        return time.perf_counter() - started


def main() -> int:
    header("retention: disposal of due rows vs hand-written set-based SQL (PostgreSQL)")
    line(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} (shared machine)")
    results = {}
    for n in SIZES:
        template = build(n)
        work = f"{template}_work"
        engine_times, verify_times, hand_times = [], [], []
        load = os.getloadavg()[0]
        for _trial in range(TRIALS):
            copy_database(template, work)
            elapsed, verifying = engine_dispose(pg_url(work).replace("postgres://", "postgresql+psycopg://"))
            engine_times.append(elapsed)
            verify_times.append(verifying)
            copy_database(template, work)
            hand_times.append(hand_dispose(pg_url(work)))
        copy_database(template, work)
        tracemalloc.start()
        engine_dispose(pg_url(work).replace("postgres://", "postgresql+psycopg://"))
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        drop_database(work)
        drop_database(template)
        engine, hand = statistics.median(engine_times), statistics.median(hand_times)
        verify = statistics.median(verify_times)
        results[n] = engine / hand
        line(
            f"{n:>9,} due rows: engine {engine:.2f} s (range {min(engine_times):.2f}-{max(engine_times):.2f}; "
            f"verification {verify:.2f} s of it), hand-written {hand:.2f} s "
            f"({min(hand_times):.2f}-{max(hand_times):.2f}), ratio {engine / hand:.2f} "
            f"({(engine - verify) / hand:.2f} without verification), engine {engine / n * 100_000:.2f} s "
            f"per 100,000 rows, peak Python memory {peak / 2**20:.1f} MiB, "
            f"load {load:.1f} -> {os.getloadavg()[0]:.1f}"
        )
    line(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    largest = SIZES[-1]
    verdict(f"engine / hand-written at {largest:,}", results[largest], "<= 1.3", results[largest] <= 1.3)
    return 0


if __name__ == "__main__":
    sys.exit(main())
