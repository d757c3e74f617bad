"""Bulk erasure of 10,000 subjects on Celery with 1, 2 and 4 `mamori worker` processes.

Each run starts from a fresh copy of a generated store (the onemall layout of bench/fulfilment,
1/20 of its size: 50,000 customers, 1.5 million rows), a private redis-server as the broker and
N workers (`mamori worker --concurrency 1`, each one process). The 10,000 subjects are queued as
40 jobs of 250 (`bench.scaleout.jobs.erase_customers`: the engine's `erase_many`: plan, execute,
verify); the clock runs from the first job queued to the last job's row in `bench_done`.

Printed per worker count: the median of the runs with their range, erasures/s, the speed-up over
one worker, and the CPU seconds the workers and PostgreSQL spent per 1,000 erasures (from /proc):
on a machine shared with others, CPU time per erasure is the steadier figure for capacity.
Runs are interleaved (1, 2, 4, 1, 2, 4, ...) so a burst of load from others spreads over all.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

from bench.common import (
    SMALL,
    admin_connection,
    copy_database,
    database_exists,
    drop_database,
    header,
    line,
    pg_url,
    setup_django,
)
from bench.fulfilment import store
from bench.scaleout.common import (
    cpu_seconds,
    environment,
    group_members,
    load_average,
    postgres_backends,
    private_redis,
    spawn,
    stop,
)

SUBJECTS = 2_000 if SMALL else 10_000
CHUNK = 250
WORKER_COUNTS = (1, 2, 4)
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SCALE = 1 if SMALL else 20  # 1/20 of the fulfilment store (BENCH_SCALE=small: store.SIZES is 1/50 already)
SIZES = {key: value if key == "orders_per" else max(1, value // SCALE) for key, value in store.SIZES.items()}
TEMPLATE = "mamori_bench_scaleout_store" + ("_small" if SMALL else "")
WORK = f"{TEMPLATE}_work"
MARKER = f"v{store.GENERATOR_VERSION} " + " ".join(f"{key}={value}" for key, value in sorted(SIZES.items()))


def ensure_store() -> None:
    if database_exists(TEMPLATE):
        with psycopg.connect(pg_url(TEMPLATE)) as connection:
            row = connection.execute("SELECT value FROM bench_meta WHERE key = 'generated'").fetchone()
        if row is not None and row[0] == MARKER:
            line(f"store: reusing {TEMPLATE} ({MARKER})")
            return
    line(f"store: generating {TEMPLATE} ({MARKER}) ...")
    started = time.perf_counter()
    drop_database(TEMPLATE)
    with admin_connection() as connection:
        connection.execute(f'CREATE DATABASE "{TEMPLATE}"')
    here = Path(store.__file__).resolve().parent
    script = (
        (here / "generate.sql")
        .read_text()
        .format(**SIZES)
        .replace("maintenance_work_mem = '1GB'", "maintenance_work_mem = '256MB'")
    )
    with psycopg.connect(pg_url(TEMPLATE), autocommit=True) as connection:
        connection.execute((here / "store_schema.sql").read_text())
        for statement in store._statements(script):
            connection.execute(statement)
        connection.execute("CREATE TABLE bench_done (first_customer BIGINT NOT NULL)")
        connection.execute("VACUUM ANALYZE")
        connection.execute("CREATE TABLE bench_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        connection.execute("INSERT INTO bench_meta VALUES ('generated', %s)", [MARKER])
    line(f"store: generated in {time.perf_counter() - started:.0f} s")


def one_run(workers: int, env: dict[str, str], subjects: list[int], logs: Path) -> dict[str, float]:
    from bench.scaleout.jobs import erase_customers
    from mamori.core.celery_jobs import celery_app

    copy_database(TEMPLATE, WORK)
    url = pg_url(WORK)
    processes = [
        spawn(["worker", "--concurrency", "1"], env, logs / f"worker-{workers}-{n}.log") for n in range(workers)
    ]
    try:
        deadline = time.monotonic() + 120
        while len(celery_app().control.ping(timeout=1.0) or []) < workers:
            if time.monotonic() > deadline:
                raise SystemExit(f"the workers did not answer; see {logs}")
        groups = [process.pid for process in processes]
        worker_cpu = cpu_seconds([pid for group in groups for pid in group_members(group)])
        load_before = os.getloadavg()[0]
        chunks = [subjects[start : start + CHUNK] for start in range(0, len(subjects), CHUNK)]
        with psycopg.connect(url, autocommit=True) as connection:
            started = time.perf_counter()
            for chunk in chunks:
                erase_customers.enqueue(url, chunk)
            while True:
                done = connection.execute("SELECT count(*) FROM bench_done").fetchone()
                if done is not None and int(done[0]) >= len(chunks):
                    break
                if time.perf_counter() - started > 900:
                    raise SystemExit(f"the erasure did not finish in 15 minutes; see {logs}")
                time.sleep(0.05)
            seconds = time.perf_counter() - started
            database_cpu = cpu_seconds(postgres_backends(connection, WORK))
            erased = connection.execute(
                "SELECT count(*) FROM customers WHERE id = ANY(%s) AND email LIKE 'erased-%%'", [subjects]
            ).fetchone()
        worker_cpu = cpu_seconds([pid for group in groups for pid in group_members(group)]) - worker_cpu
        if erased is None or int(erased[0]) != len(subjects):
            raise SystemExit(f"{erased} of {len(subjects)} customers erased")
        return {
            "seconds": seconds,
            "per_second": len(subjects) / seconds,
            "worker_cpu": worker_cpu,
            "database_cpu": database_cpu,
            "load": (load_before + os.getloadavg()[0]) / 2,
        }
    finally:
        for process in processes:
            stop(process)
        drop_database(WORK)


def cores_busy(run: dict[str, float]) -> float:
    return (run["worker_cpu"] + run["database_cpu"]) / run["seconds"]


def main() -> int:
    header(f"scale-out: bulk erasure of {SUBJECTS:,} subjects on Celery with 1, 2 and 4 workers")
    line(f"cores: {os.cpu_count()}; load average before: {load_average()} (the machine is shared)")
    ensure_store()
    subjects = random.Random(19).sample(range(2, SIZES["customers"] + 1), SUBJECTS)  # 1 is the heavy one
    logs = Path(tempfile.mkdtemp(prefix="mamori-bench-scaleout-"))
    with private_redis() as redis:
        extra = {
            "MAMORI_BROKER_URL": f"{redis}/0",
            "MAMORI_BROKER_QUEUE": f"bench-{uuid.uuid4().hex[:8]}",
            "MAMORI_DATA_DIR": str(logs / "data"),
        }
        env = environment(**extra)
        os.environ.update(extra)
        setup_django()
        results: dict[int, list[dict[str, float]]] = {count: [] for count in WORKER_COUNTS}
        for round_number in range(ROUNDS):
            for count in WORKER_COUNTS:
                run = one_run(count, env, subjects, logs)
                results[count].append(run)
                line(
                    f"round {round_number + 1}, {count} worker(s): {run['seconds']:6.1f} s, "
                    f"{run['per_second']:6.0f} erasures/s; CPU: workers {run['worker_cpu']:.1f} s, "
                    f"PostgreSQL {run['database_cpu']:.1f} s (busy {cores_busy(run):.2f} cores); load {run['load']:.1f}"
                )
    one = statistics.median(run["per_second"] for run in results[1])
    for count in WORKER_COUNTS:
        rates = [run["per_second"] for run in results[count]]
        rate = statistics.median(rates)
        worker_ms = statistics.median(run["worker_cpu"] for run in results[count]) / SUBJECTS * 1000
        database_ms = statistics.median(run["database_cpu"] for run in results[count]) / SUBJECTS * 1000
        line(
            f"{count} worker(s): median {rate:,.0f} erasures/s (range {min(rates):,.0f}-{max(rates):,.0f}, "
            f"{len(rates)} runs); speed-up over 1 worker {rate / one:.2f}x; CPU per 1,000 erasures: "
            f"workers {worker_ms:.2f} s, PostgreSQL {database_ms:.2f} s"
        )
    line(f"load average after: {load_average()}")
    cost = statistics.median((run["worker_cpu"] + run["database_cpu"]) / SUBJECTS for run in results[1])
    cores = os.cpu_count() or 1
    line(
        f"ceiling: one erasure costs {cost * 1000:.2f} ms of CPU (worker + PostgreSQL), so {cores} cores "
        f"can do at most {cores / cost:,.0f} erasures/s however many workers run; on this shared machine each "
        "process gets a slice of the cores, so more workers also take more slices from the other users"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
