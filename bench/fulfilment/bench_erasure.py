"""Bulk erasure against hand-written set-based SQL at 1,000 and 10,000 subjects (50,000 with
BENCH_ERASE_50K=1), and one request at a time through the request handler against bulk.

Works on a fresh copy of the store (CREATE DATABASE ... TEMPLATE), so every run starts from the
same rows; the copy is dropped at the end.

- Engine, bulk: `FulfilmentEngine.erase_many(subjects)` (batches of 1,000: per batch one plan,
  one statement per table in one transaction, one verification pass).
- Baseline: the set-based SQL a developer would write by hand for the same changes (a temporary
  table of the customers' ids, one DELETE or UPDATE per table, one transaction), with no plan and
  no verification.
- One at a time through the handler: `plan_run(..., "erasure", ...)` then `execute_run(...)` per
  person, as a verified request runs them (engine kept open per map version, the run, steps and
  audit entries stored in mamori's database, erase then verify). A sample per run; the time for
  10,000 is extrapolated linearly (the output says so).

Before timing, both ways erase the same 100 customers and the resulting rows are compared (a
digest per table), so the baseline is known to make exactly the engine's changes. Every run uses
new, disjoint random customers; which side goes first alternates. Each size runs RUNS times:
median (range) of the ratios, with the load average of every run.

Targets: engine bulk / baseline <= 1.3 at 10,000 and 50,000, flat per subject as N grows;
one-at-a-time through the handler / bulk >= 20.
"""

from __future__ import annotations

import os
import random
import sys
import time
from typing import Any

import psycopg

from bench.common import SMALL, header, line, load_average, median, spread, verdict
from bench.fulfilment import store
from bench.fulfilment.engine_setup import email_of, new_engine, store_map
from bench.fulfilment.handler_setup import handle, setup_handler

SIZES = [200, 2_000] if SMALL else [1_000, 10_000] + ([50_000] if os.environ.get("BENCH_ERASE_50K") == "1" else [])
RUNS = 3
SINGLES = 20 if SMALL else 40  # per run, through the request handler
CHECKED = 100
BULK_TARGET = 1.3
SPEEDUP_TARGET = 20.0

# The changes the map asks for, written by hand (see the plan the engine prints for one subject).
HAND_SQL = [
    "CREATE TEMP TABLE erase_ids ON COMMIT DROP AS SELECT id FROM customers WHERE email = ANY(%(emails)s)",
    "ANALYZE erase_ids",
    "DELETE FROM usage_events WHERE customer_id IN (SELECT id FROM erase_ids)",
    "DELETE FROM login_sessions WHERE customer_id IN (SELECT id FROM erase_ids)",
    "DELETE FROM newsletter_subscriptions WHERE customer_id IN (SELECT id FROM erase_ids)",
    "DELETE FROM inquiries WHERE customer_id IN (SELECT id FROM erase_ids)",
    "DELETE FROM addresses WHERE customer_id IN (SELECT id FROM erase_ids)",
    "DELETE FROM social_accounts WHERE customer_id IN (SELECT id FROM erase_ids)",
    """UPDATE orders SET shipping_name = 'erased-' || id, shipping_address = 'erased-' || id,
       shipping_phone = NULL, billing_name = 'erased-' || id, billing_address = 'erased-' || id,
       ip_address = NULL WHERE customer_id IN (SELECT id FROM erase_ids)""",
    """UPDATE customers SET email = 'erased-' || id, first_name = 'erased-' || id,
       last_name = 'erased-' || id, phone = NULL, password_hash = NULL WHERE id IN (SELECT id FROM erase_ids)""",
]
# What a customer owns, to compare the rows both ways leave behind.
OWNED = {
    "customers": "id = ANY(%(ids)s)",
    "social_accounts": "customer_id = ANY(%(ids)s)",
    "addresses": "customer_id = ANY(%(ids)s)",
    "orders": "customer_id = ANY(%(ids)s)",
    "order_items": "order_id IN (SELECT id FROM orders WHERE customer_id = ANY(%(ids)s))",
    "payments": "customer_id = ANY(%(ids)s)",
    "inquiries": "customer_id = ANY(%(ids)s)",
    "newsletter_subscriptions": "customer_id = ANY(%(ids)s)",
    "login_sessions": "customer_id = ANY(%(ids)s)",
    "usage_events": "customer_id = ANY(%(ids)s)",
}


def hand_erase(connection: psycopg.Connection[Any], customers: list[int]) -> dict[str, int]:
    """The baseline, in the caller's transaction; rows changed per statement's table."""
    changed: dict[str, int] = {}
    with connection.cursor() as cursor:
        for statement in HAND_SQL:
            cursor.execute(statement, {"emails": [email_of(customer) for customer in customers]})
            words = statement.split()
            if words[0] in ("DELETE", "UPDATE"):
                changed[words[2] if words[0] == "DELETE" else words[1]] = cursor.rowcount
    return changed


def digest(connection: psycopg.Connection[Any], customers: list[int]) -> dict[str, tuple[int, str]]:
    result = {}
    for table, condition in OWNED.items():
        row = connection.execute(
            f"SELECT count(*), coalesce(md5(string_agg(t::text, '|' ORDER BY t.id)), '') FROM {table} t "
            f"WHERE {condition}",
            {"ids": customers},
        ).fetchone()
        assert row is not None
        result[table] = (int(row[0]), str(row[1]))
    return result


def erase_bulk(engine: Any, customers: list[int]) -> tuple[float, int]:
    started = time.perf_counter()
    bulk = engine.erase_many([{"email": email_of(customer)} for customer in customers])
    seconds = time.perf_counter() - started
    residue = sum(sum(tables.values()) for tables in bulk["residue"].values())
    if residue:
        raise SystemExit(f"bulk erasure left {residue} rows: {bulk['residue']}")
    return seconds, sum(bulk["erased"]["store-db"].values())


def erase_by_hand(url: str, customers: list[int]) -> tuple[float, int]:
    with psycopg.connect(url) as connection:
        started = time.perf_counter()
        changed = hand_erase(connection, customers)
        connection.commit()
        return time.perf_counter() - started, sum(changed.values())


def erase_through_handler(customers: list[int]) -> float:
    started = time.perf_counter()
    for customer in customers:
        handle("erasure", [{"email": email_of(customer)}])
    return time.perf_counter() - started


def main() -> int:
    header("fulfilment: bulk erasure vs hand-written SQL, and one at a time through the handler")
    store.ensure_store()
    chooser = random.Random(7)
    pool = chooser.sample(
        range(2, store.SIZES["customers"] - 10), CHECKED + RUNS * (2 * sum(SIZES) + SINGLES)
    )  # not the growth curve's customers at the end

    def take(count: int) -> list[int]:
        taken = pool[:count]
        del pool[:count]
        return taken

    url = store.fresh_copy()
    setup_handler(url)
    privacy_map = store_map()
    engine = new_engine(privacy_map, url)
    ratios: dict[int, list[float]] = {size: [] for size in SIZES}
    per_subject: dict[int, list[float]] = {size: [] for size in SIZES}
    bulk_seconds: dict[int, list[float]] = {size: [] for size in SIZES}
    single_seconds: list[float] = []
    try:
        checked = take(CHECKED)
        with psycopg.connect(url) as connection:
            # Same changes both ways: the baseline (rolled back), then the engine, on the same 100.
            hand_erase(connection, checked)
            by_hand = digest(connection, checked)
            connection.rollback()
            result = engine.erase_many([{"email": email_of(customer)} for customer in checked])
            by_engine = digest(connection, checked)
            connection.commit()
            if by_hand != by_engine or any(any(tables.values()) for tables in result["residue"].values()):
                different = sorted(table for table in OWNED if by_hand[table] != by_engine[table])
                raise SystemExit(f"the baseline and the engine differ on: {different}; residue {result['residue']}")
        line(f"same changes both ways on {CHECKED} customers: checked (row digests of {len(OWNED)} tables)")
        handle("erasure", [{"email": email_of(take(1)[0])}])  # warm the handler's engine
        for run in range(RUNS):
            for size in SIZES:
                for_hand, for_bulk = take(size), take(size)
                if run % 2:
                    bulk, bulk_rows = erase_bulk(engine, for_bulk)
                    hand, hand_rows = erase_by_hand(url, for_hand)
                else:
                    hand, hand_rows = erase_by_hand(url, for_hand)
                    bulk, bulk_rows = erase_bulk(engine, for_bulk)
                ratios[size].append(bulk / hand)
                per_subject[size].append(bulk / size * 1000)
                bulk_seconds[size].append(bulk)
                line(
                    f"run {run + 1}, {size:,} subjects: hand-written {hand:.2f} s ({hand_rows:,} rows), "
                    f"bulk {bulk:.2f} s ({bulk_rows:,} rows, {bulk / size * 1000:.2f} ms per subject), "
                    f"ratio {bulk / hand:.2f}; {load_average()}"
                )
            seconds = erase_through_handler(take(SINGLES))
            single_seconds.append(seconds / SINGLES)
            line(
                f"run {run + 1}, one at a time through the handler: {SINGLES} subjects in {seconds:.2f} s "
                f"({seconds / SINGLES * 1000:.1f} ms each); {load_average()}"
            )
    finally:
        engine.close()
        store.drop_copy()
    for size in SIZES:
        line(
            f"{size:>6,} subjects: bulk / hand-written {spread(ratios[size])}; bulk "
            f"{spread(per_subject[size], ' ms', 2)} per subject"
        )
    reference = 10_000 if 10_000 in SIZES else SIZES[-1]
    single = median(single_seconds)
    speedup = single * reference / median(bulk_seconds[reference])
    line(
        f"one at a time through the handler: {spread([s * 1000 for s in single_seconds], ' ms', 1)} per subject; "
        f"extrapolated linearly to {reference:,}: {single * reference:.0f} s = {speedup:.1f}x the bulk median"
    )
    for size in SIZES:
        if size >= 10_000:
            ratio = median(ratios[size])
            verdict(
                f"bulk erasure of {size:,}, engine / hand-written SQL", ratio, f"<= {BULK_TARGET}", ratio <= BULK_TARGET
            )
    verdict("one at a time through the handler / bulk", speedup, f">= {SPEEDUP_TARGET}", speedup >= SPEEDUP_TARGET)
    return 0


if __name__ == "__main__":
    sys.exit(main())
