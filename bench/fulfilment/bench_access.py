"""One access request through the request handler's own path against a hand-written exporter
doing the same work.

Handler: `plan_run(..., "access", ...)` then `execute_run(...)`, as a verified request runs them
(mamori/fulfilment/services): the map in force, the engine kept open per map version, the plan
(the subject located, rows counted per table for the console), the run, its steps and audit
entries stored in mamori's own PostgreSQL database, then the package (JSON + CSV per table, the
manifest and the HTML summary, in a ZIP).

Baseline: hand_export.py, psycopg: the customer by e-mail, one SELECT per table of the same
columns, the same JSON, CSV and manifest files deflated into a ZIP.

Also printed, for information: `FulfilmentEngine.export()` alone (what the handler's export step
calls), on the same engine.

Both are warm (connections open, schema read, the customer's rows read once, untimed). Each of
ROUNDS rounds takes SAMPLES random customers (about 28 rows each) and alternates which side goes
first; the two sides must write the same rows per table (checked). The ratio of a round is the
ratio of its medians; the figure is the median of the rounds' ratios, with the range.

Target: handler / hand-written exporter <= 1.5.
"""

from __future__ import annotations

import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg

from bench.common import SMALL, header, line, load_average, median, ms, pg_url, spread, verdict
from bench.fulfilment import store
from bench.fulfilment.engine_setup import email_of
from bench.fulfilment.hand_export import OWNED_SQL, hand_export
from bench.fulfilment.handler_setup import ORGANISATION, handle_access, setup_handler

ROUNDS = 3
SAMPLES = 30 if SMALL else 80
TARGET = 1.5


def engine_export(email: str, path: Path) -> dict[str, int]:
    from mamori.fulfilment.services.common import engine_for

    _, engine = engine_for(ORGANISATION)
    return engine.export({"email": email}, path, "en", key_prefix="bench")["store-db"]


def rows_of(written: dict[str, int]) -> dict[str, int]:
    return {table: count for table, count in written.items() if count}


def one_round(connection: psycopg.Connection[Any], sample: list[int], folder: Path) -> tuple[float, float, float]:
    handler_times: list[float] = []
    hand_times: list[float] = []
    export_times: list[float] = []
    for number, customer in enumerate(sample):
        email = email_of(customer)
        hand_export(connection, email, folder / "warm.zip")  # the rows in memory for every side
        sides = [
            (handler_times, lambda email=email: handle_access(email)),
            (hand_times, lambda email=email: (None, hand_export(connection, email, folder / "hand.zip"))),
            (export_times, lambda email=email: (None, engine_export(email, folder / "export.zip"))),
        ]
        if number % 2:
            sides.reverse()
        results = []
        for times, side in sides:
            started = time.perf_counter()
            path, written = side()
            times.append(time.perf_counter() - started)
            if path is not None:
                shutil.rmtree(path.parent, ignore_errors=True)  # the handler's package folder
            results.append(rows_of(written))
        if any(result != results[0] for result in results):
            raise SystemExit(f"customer {customer}: the sides wrote different rows: {results}")
    return median(handler_times), median(hand_times), median(export_times)


def main() -> int:
    header("fulfilment: one access request through the request handler vs a hand-written exporter")
    store.ensure_store()
    url = pg_url(store.TEMPLATE)
    setup_handler(url)
    customers = store.SIZES["customers"]
    chooser = random.Random(5)
    folder = Path(tempfile.mkdtemp(prefix="mamori-bench-access-"))
    ratios: list[float] = []
    export_ratios: list[float] = []
    try:
        with psycopg.connect(url) as connection:
            handle_access(email_of(2))  # warm: engine, schema, templates
            for number in range(1, ROUNDS + 1):
                sample = [chooser.randint(2, customers - 10) for _ in range(SAMPLES)]  # not the heavy ones
                handler, hand, export = one_round(connection, sample, folder)
                ratios.append(handler / hand)
                export_ratios.append(export / hand)
                line(
                    f"run {number}: {SAMPLES} customers; handler {ms(handler)}, hand-written exporter {ms(hand)}, "
                    f"export() alone {ms(export)}; handler/hand {ratios[-1]:.2f}, export/hand "
                    f"{export_ratios[-1]:.2f}; {load_average()}"
                )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    line(f"{len(OWNED_SQL)} tables; same rows written by every side (checked)")
    line(f"export() alone / hand-written exporter: {spread(export_ratios)} (information)")
    line(f"handler / hand-written exporter: {spread(ratios)} over {ROUNDS} runs")
    ratio = median(ratios)
    verdict("access request through the handler / hand-written exporter", ratio, f"<= {TARGET}", ratio <= TARGET)
    return 0


if __name__ == "__main__":
    sys.exit(main())
