"""Access requests as the subject's rows grow: 30, 1,000, 10,000, 100,000 rows (and 1,000,000
with BENCH_MILLION=1), through the request handler's path, against the hand-written exporter
(hand_export.py) and a server-side cursor that only reads the same rows.

The large subjects are the store's last customers (store.TAIL_CUSTOMERS): their usage events have
the highest ids of the table, the case where walking the primary key in order to find a subject's
rows reads nearly the whole table. Customer 1, whose million events have the lowest ids, is
measured too with BENCH_MILLION=1.

Printed per size: median (range) of 3 runs of each side, the ratio to the hand-written exporter
(up to 100,000 rows; for a million rows the exporter would hold them all in memory, so only the
read-only cursor is compared), and the engine's cost per exported row: (handler - read-only
cursor) / rows, in microseconds.

Targets: engine cost per exported row <= 5 us; a 1,000,000-row package <= 3x the read-only cursor.
"""

from __future__ import annotations

import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg

from bench.common import header, line, load_average, median, pg_url, spread, verdict
from bench.fulfilment import store
from bench.fulfilment.engine_setup import email_of
from bench.fulfilment.hand_export import OWNED_SQL, hand_export
from bench.fulfilment.handler_setup import handle_access, setup_handler

RUNS = 3
MILLION = os.environ.get("BENCH_MILLION", "") == "1"
PER_ROW_TARGET_US = 5.0
MILLION_TARGET = 3.0


def read_only(url: str, email: str) -> int:
    """Every row of the customer's, table by table, through a server-side cursor, nothing written."""
    count = 0
    with psycopg.connect(url) as connection:
        connection.execute("SET cursor_tuple_fraction = 1.0")  # every row is read: plan for all of them
        found = connection.execute("SELECT id FROM customers WHERE email = %s", [email]).fetchone()
        assert found is not None
        for table, (columns, condition) in OWNED_SQL.items():
            with connection.cursor(name=f"read_{table}") as cursor:
                cursor.itersize = 1000
                cursor.execute(f"SELECT {columns} FROM {table} WHERE {condition} ORDER BY id", {"id": found[0]})
                for _row in cursor:
                    count += 1
    return count


def measure(url: str, customer: int, folder: Path, *, with_hand: bool) -> dict[str, Any]:
    email = email_of(customer)
    times: dict[str, list[float]] = {"handler": [], "hand": [], "read": []}
    rows = 0
    read_only(url, email)  # warm: the rows in memory
    with psycopg.connect(url) as connection:
        for run in range(RUNS):
            sides = ["handler", "read"] + (["hand"] if with_hand else [])
            if run % 2:
                sides.reverse()
            for side in sides:
                started = time.perf_counter()
                if side == "handler":
                    path, written = handle_access(email)
                    shutil.rmtree(path.parent, ignore_errors=True)
                    rows = sum(written.values())
                elif side == "hand":
                    hand_export(connection, email, folder / "hand.zip")
                else:
                    read_only(url, email)
                times[side].append(time.perf_counter() - started)
            line(
                f"  customer {customer:,} run {run + 1}: "
                + ", ".join(f"{side} {times[side][-1] * 1000:.1f} ms" for side in sides)
                + f"; {load_average()}"
            )
    return {"rows": rows, **times}


def main() -> int:
    header("fulfilment: access requests as a subject's rows grow (handler vs hand-written exporter)")
    store.ensure_store()
    url = pg_url(store.TEMPLATE)
    setup_handler(url)
    typical = random.Random(11).randint(2, store.SIZES["customers"] - 10)
    subjects = [(typical, "typical customer")] + [
        (customer, f"{events:,} usage events at the end of the id range")
        for customer, events in store.TAIL_CUSTOMERS.items()
        if events < 1_000_000 or MILLION
    ]
    if MILLION:
        subjects.append((store.HEAVY_CUSTOMER, "1,000,000 usage events at the start of the id range"))
    folder = Path(tempfile.mkdtemp(prefix="mamori-bench-growth-"))
    handle_access(email_of(2))  # warm
    per_row: dict[int, float] = {}
    million_ratio = None
    try:
        for customer, what in subjects:
            result = measure(url, customer, folder, with_hand=result_fits(customer))
            rows = result["rows"]
            handler, read = median(result["handler"]), median(result["read"])
            text = (
                f"{rows:>9,} rows ({what}): handler {spread([t * 1000 for t in result['handler']], ' ms', 1)}, "
                f"read-only cursor {spread([t * 1000 for t in result['read']], ' ms', 1)}"
            )
            if result["hand"]:
                hand = median(result["hand"])
                text += f", hand-written exporter {spread([t * 1000 for t in result['hand']], ' ms', 1)}"
                text += f"; handler/hand {handler / hand:.2f}"
            cost = (handler - read) / rows * 1e6
            per_row[rows] = cost
            text += f"; handler/read {handler / read:.2f}; engine {cost:.1f} us per row"
            line(text)
            if rows >= 1_000_000:
                million_ratio = handler / read if million_ratio is None else max(million_ratio, handler / read)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    largest = max(per_row)
    verdict(
        f"engine cost per exported row at {largest:,} rows, us",
        per_row[largest],
        f"<= {PER_ROW_TARGET_US}",
        per_row[largest] <= PER_ROW_TARGET_US,
    )
    if million_ratio is not None:
        verdict(
            "1,000,000-row package / read-only server-side cursor",
            million_ratio,
            f"<= {MILLION_TARGET}",
            million_ratio <= MILLION_TARGET,
        )
    else:
        line("1,000,000 rows: not run (BENCH_MILLION=1 runs it, about 3 minutes more)")
    return 0


def result_fits(customer: int) -> bool:
    """The hand-written exporter holds every row in memory: up to 100,000 rows only."""
    return store.TAIL_CUSTOMERS.get(customer, 0) <= 100_000 and customer != store.HEAVY_CUSTOMER


if __name__ == "__main__":
    sys.exit(main())
