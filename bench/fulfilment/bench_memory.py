"""Peak memory of the access package of a subject with a million rows.

Each measurement runs in its own process, which first imports everything and reads the schema;
its peak resident set size (getrusage ru_maxrss) is read before and after the export:

- the engine exporting customer 1 (1,000,000 usage events plus their orders, sessions, ...) with
  `FulfilmentEngine.export`, as `mamori fulfil access` and the request handler do;
- the same engine exporting an ordinary customer (a few dozen rows): a bounded export uses about
  as much memory for both;
- for comparison, the same million rows fetched all at once with psycopg (`fetchall`), and
  streamed through a server-side cursor without writing anything (the time baseline).

No target ratio: the figure to read is the engine's peak next to the package size.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import REPO, header, line, pg_url, setup_django
from bench.fulfilment import store
from bench.fulfilment.engine_setup import email_of, new_engine, store_map

HEAVY_SQL = "SELECT * FROM usage_events WHERE customer_id = %s ORDER BY id"


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(mode: str, customer: int) -> dict[str, Any]:
    url = pg_url(store.TEMPLATE)
    if mode == "engine":
        setup_django()
        engine = new_engine(store_map(), url)
        folder = Path(tempfile.mkdtemp(prefix="mamori-bench-memory-"))
        engine.export({"email": email_of(2)}, folder / "warm.zip", "en")  # imports, schema, template
        before = peak_mib()
        path = folder / "package.zip"
        started = time.perf_counter()
        written = engine.export({"email": email_of(customer)}, path, "en")
        seconds = time.perf_counter() - started
        engine.close()
        size = path.stat().st_size
        path.unlink()
        return {
            "before": before,
            "peak": peak_mib(),
            "seconds": seconds,
            "size": size,
            "rows": sum(written["store-db"].values()),
            "usage_events": written["store-db"]["usage_events"],
        }
    import psycopg

    with psycopg.connect(url) as connection:
        connection.execute("SELECT 1").fetchall()
        before = peak_mib()
        started = time.perf_counter()
        if mode == "fetchall":
            rows = len(connection.execute(HEAVY_SQL, [customer]).fetchall())
        else:
            rows = 0
            with connection.cursor(name="bench_stream") as cursor:
                cursor.itersize = 1000
                cursor.execute(HEAVY_SQL, [customer])
                for _ in cursor:
                    rows += 1
        seconds = time.perf_counter() - started
    return {"before": before, "peak": peak_mib(), "seconds": seconds, "rows": rows}


def measure(mode: str, customer: int) -> dict[str, Any]:
    output = subprocess.run(
        [sys.executable, "-m", "bench.fulfilment.bench_memory", "--child", mode, str(customer)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> int:
    header("fulfilment: peak memory of a 1-million-row access package")
    store.ensure_store()
    heavy = measure("engine", store.HEAVY_CUSTOMER)
    small = measure("engine", 3)
    fetchall = measure("fetchall", store.HEAVY_CUSTOMER)
    stream = measure("stream", store.HEAVY_CUSTOMER)
    line(
        f"engine, customer {store.HEAVY_CUSTOMER}: {heavy['rows']:,} rows ({heavy['usage_events']:,} usage events) "
        f"-> package {heavy['size'] / 2**20:.1f} MiB (ZIP) in {heavy['seconds']:.1f} s; "
        f"peak RSS {heavy['peak']:.0f} MiB ({heavy['peak'] - heavy['before']:+.0f} MiB over the "
        f"{heavy['before']:.0f} MiB before the export)"
    )
    line(
        f"engine, customer 3: {small['rows']:,} rows -> package {small['size'] / 1024:.0f} KiB; "
        f"peak RSS {small['peak']:.0f} MiB ({small['peak'] - small['before']:+.0f} MiB)"
    )
    line(
        f"for comparison, psycopg fetchall of the {fetchall['rows']:,} usage events: peak RSS "
        f"{fetchall['peak']:.0f} MiB ({fetchall['peak'] - fetchall['before']:+.0f} MiB)"
    )
    line(
        f"time baseline, server-side cursor reading the {stream['rows']:,} usage events and writing nothing: "
        f"{stream['seconds']:.1f} s; the engine's whole package took {heavy['seconds'] / stream['seconds']:.1f}x that"
    )
    growth = heavy["peak"] - heavy["before"]
    bounded = growth < 100
    print(
        f"   {'PASS' if bounded else 'MISS'}  access package of {heavy['rows']:,} rows: peak RSS "
        f"{heavy['peak']:.0f} MiB, {growth:+.0f} MiB for the export, package {heavy['size'] / 2**20:.1f} MiB "
        f"(bounded: growth under 100 MiB)"
    )
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2], int(sys.argv[3]))))
        sys.exit(0)
    sys.exit(main())
