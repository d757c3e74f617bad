"""One access request (find + export package) against hand-written SQL fetching the same rows.

Engine: `FulfilmentEngine.export(identities, path, language)`, the call behind `mamori fulfil
access` and the request handler's export step (mamori/fulfilment/services/execution.py `_run_step`): it
finds the customer by e-mail address, counts their rows per table, then streams every table's
rows into the ZIP package (JSON + CSV per table, an HTML summary).

Baseline: the SQL a developer would write by hand for the same customer with psycopg: look the
customer up by e-mail, then one SELECT per table of the same columns (the engine withholds
password hashes; so does the baseline), all rows fetched into Python.

Both run warm (connections open, schema known, the customer's rows already read once, untimed,
so neither pays for bringing pages into memory), for the same random customers, alternating
which goes first. Also printed: the same request with a new engine each time, as the request
handler does today (it builds an engine, reflecting the schema, for every run).

Target: engine / baseline <= 2.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg

from bench.common import header, line, median, ms, pg_url, setup_django, verdict
from bench.fulfilment import store
from bench.fulfilment.engine_setup import email_of, new_engine, store_map

SAMPLES = 200
COLD_SAMPLES = 30
# (table, columns, condition on the customer id): what the map says a customer owns.
OWNED_SQL = {
    "customers": (
        "id, email, first_name, last_name, phone, preferred_language, status, created_at, closed_at",
        "id = %(id)s",
    ),
    "social_accounts": ("*", "customer_id = %(id)s"),
    "addresses": ("*", "customer_id = %(id)s"),
    "orders": ("*", "customer_id = %(id)s"),
    "order_items": ("*", "order_id IN (SELECT id FROM orders WHERE customer_id = %(id)s)"),
    "payments": ("*", "customer_id = %(id)s"),
    "inquiries": ("*", "customer_id = %(id)s"),
    "newsletter_subscriptions": ("*", "customer_id = %(id)s"),
    "login_sessions": ("*", "customer_id = %(id)s"),
    "usage_events": ("*", "customer_id = %(id)s"),
}


def baseline(connection: psycopg.Connection[Any], email: str) -> dict[str, int]:
    """Hand-written: the customer's rows, table by table, fetched into Python."""
    found = connection.execute("SELECT id FROM customers WHERE email = %s", [email]).fetchone()
    if found is None:
        return {}
    rows = {}
    for table, (columns, condition) in OWNED_SQL.items():
        fetched = connection.execute(
            f"SELECT {columns} FROM {table} WHERE {condition} ORDER BY id", {"id": found[0]}
        ).fetchall()
        rows[table] = len(fetched)
    connection.commit()
    return rows


def main() -> int:
    header("fulfilment: one access request vs hand-written SQL")
    store.ensure_store()
    setup_django()
    url = pg_url(store.TEMPLATE)
    privacy_map = store_map()
    customers = store.SIZES["customers"]
    chooser = random.Random(5)
    sample = [chooser.randint(2, customers) for _ in range(SAMPLES)]  # customer 1 is the heavy one
    folder = Path(tempfile.mkdtemp(prefix="mamori-bench-access-"))
    engine = new_engine(privacy_map, url)
    engine_times: list[float] = []
    baseline_times: list[float] = []
    rows_exported = 0
    try:
        with psycopg.connect(url) as connection:
            # Warm both (connections, schema reflection, the template), then measure.
            engine.export({"email": email_of(2)}, folder / "warm.zip", "en")
            baseline(connection, email_of(2))
            for number, customer in enumerate(sample):
                email = email_of(customer)
                path = folder / f"{number}.zip"

                def run_engine(email: str = email, path: Path = path) -> dict[str, Any]:
                    started = time.perf_counter()
                    written = engine.export({"email": email}, path, "en", key_prefix="bench")
                    engine_times.append(time.perf_counter() - started)
                    return written

                def run_baseline(email: str = email) -> dict[str, int]:
                    started = time.perf_counter()
                    fetched = baseline(connection, email)
                    baseline_times.append(time.perf_counter() - started)
                    return fetched

                baseline(connection, email)  # the rows in memory for both (untimed)
                if number % 2:
                    written, fetched = run_engine(), run_baseline()
                else:
                    fetched, written = run_baseline(), run_engine()
                exported = written["store-db"]
                if exported != fetched:
                    raise SystemExit(f"customer {customer}: the engine exported {exported}, SQL fetched {fetched}")
                rows_exported += sum(exported.values())
                path.unlink()
        engine.close()
        cold_times = []
        for number, customer in enumerate(sample[:COLD_SAMPLES]):
            started = time.perf_counter()
            cold = new_engine(privacy_map, url)  # what execute_run does for every run
            try:
                cold.export({"email": email_of(customer)}, folder / "cold.zip", "en", key_prefix=f"cold-{number}")
            finally:
                cold.close()
            cold_times.append(time.perf_counter() - started)
    finally:
        engine.close()
    engine_median, baseline_median = median(engine_times), median(baseline_times)
    line(
        f"{SAMPLES} customers of {customers:,}, {rows_exported / SAMPLES:.0f} rows each on average "
        f"across {len(OWNED_SQL)} tables (same rows both ways: checked)"
    )
    line(f"hand-written SQL (baseline): median {ms(baseline_median)}")
    p90 = sorted(engine_times)[SAMPLES * 9 // 10]
    line(f"engine export, warm:         median {ms(engine_median)}  (p90 {ms(p90)})")
    line(
        f"engine export, new engine per request (as the request handler runs it): "
        f"median {ms(median(cold_times))} over {COLD_SAMPLES} = {median(cold_times) / baseline_median:.1f}x baseline"
    )
    ratio = engine_median / baseline_median
    verdict("access request, engine / hand-written SQL", ratio, "<= 2.00", ratio <= 2.0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
