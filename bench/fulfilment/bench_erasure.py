"""Bulk erasure of 10,000 subjects: the engine's bulk API against hand-written set-based SQL, and
against the same subjects erased one request at a time.

Works on a fresh copy of the store (CREATE DATABASE ... TEMPLATE), so every run starts from the
same rows; the copy is dropped at the end.

- Engine, bulk: `FulfilmentEngine.erase_many(subjects)` (batches of 1,000: per batch one plan,
  one statement per table in one transaction, one verification pass).
- Baseline: the set-based SQL a developer would write by hand for the same changes (a temporary
  table of the customers' ids, one DELETE or UPDATE per table, one transaction), with no plan and
  no verification.
- Engine, one at a time: what `mamori fulfil erase` does per person: build the engine (as the
  command, and the request handler's plan and execute steps, do for every request), plan,
  execute, verify. A sample is run and the time for 10,000 extrapolated linearly. Printed too,
  as a lower bound: the same with one engine kept open for every person (no per-request set-up).

Before timing, both ways erase the same 100 customers and the resulting rows are compared (a
digest per table), so the baseline is known to make exactly the engine's changes. The timed sets
are disjoint random customers.

Targets: engine bulk / baseline <= 1.5; one-at-a-time / engine bulk >= 20.
"""

from __future__ import annotations

import random
import sys
import time
from typing import Any

import psycopg

from bench.common import SMALL, header, line, setup_django, verdict
from bench.fulfilment import store
from bench.fulfilment.engine_setup import email_of, new_engine, store_map

SUBJECTS = 2_000 if SMALL else 10_000
SINGLES = 100 if SMALL else 400  # half with a new engine each, half with one engine kept open
CHECKED = 100

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


def erase_one(engine: Any, customer: int) -> None:
    plan = engine.plan_erasure([{"email": email_of(customer)}])
    engine.execute_erasure(plan)
    left = engine.verify_erasure(plan)
    if any(any(tables.values()) for tables in left.values()):
        raise SystemExit(f"customer {customer}: data left behind {left}")


def main() -> int:
    header(f"fulfilment: bulk erasure of {SUBJECTS:,} subjects")
    store.ensure_store()
    setup_django()
    privacy_map = store_map()
    chooser = random.Random(7)
    chosen = chooser.sample(range(2, store.SIZES["customers"] + 1), CHECKED + 2 * SUBJECTS + SINGLES)
    checked = chosen[:CHECKED]
    for_baseline = chosen[CHECKED : CHECKED + SUBJECTS]
    for_bulk = chosen[CHECKED + SUBJECTS : CHECKED + 2 * SUBJECTS]
    singles = chosen[CHECKED + 2 * SUBJECTS :]
    url = store.fresh_copy()
    engine = new_engine(privacy_map, url)
    try:
        with psycopg.connect(url) as connection:
            # 1. Same changes both ways: the baseline (rolled back), then the engine, on the same 100.
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
            # 2. Baseline: hand-written set-based SQL, committed.
            started = time.perf_counter()
            changed = hand_erase(connection, for_baseline)
            connection.commit()
            baseline_seconds = time.perf_counter() - started
        # 3. The engine's bulk API.
        started = time.perf_counter()
        bulk = engine.erase_many([{"email": email_of(customer)} for customer in for_bulk])
        bulk_seconds = time.perf_counter() - started
        residue = sum(sum(tables.values()) for tables in bulk["residue"].values())
        erased = bulk["erased"]["store-db"]
        # 4. One request at a time (a sample), what `mamori fulfil erase` does for each person.
        half = SINGLES // 2
        started = time.perf_counter()
        for customer in singles[:half]:
            single = new_engine(privacy_map, url)
            try:
                erase_one(single, customer)
            finally:
                single.close()
        singles_seconds = time.perf_counter() - started
        started = time.perf_counter()
        for customer in singles[half:]:
            erase_one(engine, customer)
        kept_open_seconds = time.perf_counter() - started
    finally:
        engine.close()
        store.drop_copy()
    singly_extrapolated = singles_seconds * SUBJECTS / half
    kept_open_extrapolated = kept_open_seconds * SUBJECTS / (SINGLES - half)
    line("rows changed, baseline:    " + ", ".join(f"{table} {count:,}" for table, count in changed.items()))
    line(
        "rows changed, engine bulk: "
        + ", ".join(f"{table} {count:,}" for table, count in erased.items())
        + f"; left after verification: {residue}"
    )
    line(f"hand-written set-based SQL (baseline): {baseline_seconds:.2f} s")
    line(
        f"engine bulk (erase_many, plan + execute + verify): {bulk_seconds:.2f} s "
        f"({SUBJECTS / bulk_seconds:,.0f} subjects/s)"
    )
    line(
        f"engine one at a time, as `mamori fulfil erase` (engine built per request): {half} subjects in "
        f"{singles_seconds:.2f} s ({singles_seconds / half * 1000:.0f} ms each); extrapolated linearly to "
        f"{SUBJECTS:,}: {singly_extrapolated:.0f} s"
    )
    line(
        f"engine one at a time, one engine kept open (lower bound): {SINGLES - half} subjects in "
        f"{kept_open_seconds:.2f} s ({kept_open_seconds / (SINGLES - half) * 1000:.0f} ms each); extrapolated: "
        f"{kept_open_extrapolated:.0f} s = {kept_open_extrapolated / bulk_seconds:.1f}x the bulk time"
    )
    bulk_ratio = bulk_seconds / baseline_seconds
    verdict("bulk erasure, engine / hand-written SQL", bulk_ratio, "<= 1.50", bulk_ratio <= 1.5)
    speedup = singly_extrapolated / bulk_seconds
    verdict("bulk erasure, one-at-a-time / bulk (speed-up)", speedup, ">= 20.00", speedup >= 20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
