"""Consent events per second with 1 and 2 web processes, on PostgreSQL, with the rate-limit
counters in a private redis-server (as production runs them), on 127.0.0.1.

- 1 process: `mamori serve` (waitress, 8 threads, the single-process default);
  2 processes: `mamori serve --workers 2` (gunicorn, 4 threads each).
- Each with a new database connection per request (MAMORI_DATABASE_CONN_MAX_AGE=0, the default)
  and with connections kept (=60).
- The load: 2 client processes (so the client's own GIL is not the limit) of 8 keep-alive
  connections each, sending banner events back to back (bench/consent/load.py's closed loop) for
  6 s a round, 3 rounds per set-up, the set-ups interleaved.

Printed: the median events/s with its range, the web processes' CPU seconds per 1,000 events, and
with kept connections PostgreSQL's (its backends' CPU from /proc; with a connection per request the
backends exit before they can be read). The per-address limit is lifted for the run.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg

from bench.common import REPO, SMALL, admin_connection, database_exists, header, line, pg_url, setup_django
from bench.consent.load import closed_loop
from bench.scaleout.common import (
    cpu_by_process,
    cpu_seconds,
    cpu_since,
    environment,
    free_port,
    group_members,
    load_average,
    postgres_backends,
    private_redis,
    spawn,
    stop,
)

DATABASE = "mamori_bench_scaleout_consent"
EVENTS = "/api/v1/consent/events"
CLIENTS = 2  # client processes
CONNECTIONS = 8  # keep-alive connections per client process
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SECONDS = 3.0 if SMALL else 6.0
SETUPS = [(1, 0), (2, 0), (1, 60), (2, 60)]  # (web processes, MAMORI_DATABASE_CONN_MAX_AGE)


def prepare(env: dict[str, str]) -> None:
    if not database_exists(DATABASE):
        with admin_connection() as connection:
            connection.execute(f'CREATE DATABASE "{DATABASE}"')
    for command in (["migrate", "--no-input", "-v", "0"], ["map", "apply", str(REPO / "examples" / "onemall")]):
        subprocess.run([sys.executable, "-m", "mamori", *command], cwd=REPO, env=env, check=True, capture_output=True)
    with psycopg.connect(pg_url(DATABASE)) as connection:
        connection.execute("TRUNCATE consent_consentevent")


@contextlib.contextmanager
def web(processes: int, env: dict[str, str], logs: Path) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    port = free_port()
    server = spawn(["serve", "--workers", str(processes), "--port", str(port)], env, logs / f"web-{port}.log")
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/consent/config/onemall.json", timeout=20):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit(f"the web server did not start; see {logs}") from None
                time.sleep(0.2)
        yield port, server
    finally:
        stop(server)


class Events:
    """Banner events as the banner sends them: a new v7 id each, a new device per hundred."""

    def __init__(self, config: dict[str, Any]) -> None:
        from mamori.consent.services.eventids import uuid7

        self.uuid7 = uuid7
        self.config = config
        self.device, self.count = str(uuid.uuid4()), 0

    def __call__(self) -> bytes:
        self.count += 1
        if self.count % 100 == 0:
            self.device = str(uuid.uuid4())
        body = {
            "id": str(self.uuid7()),
            "site": self.config["site"],
            "device": self.device,
            "version": self.config["version"],
            "hash": self.config["hash"]["en"],
            "lang": "en",
            "choices": {"analytics": True},
            "method": "click",
        }
        return json.dumps(body).encode()


def _client(port: int, events: Events) -> tuple[dict[int, int], float]:
    result = closed_loop(port, EVENTS, events, CONNECTIONS, SECONDS)
    return dict(result.statuses), sum(result.statuses.values()) / result.seconds


def drive(pool: Any, port: int, events: Events) -> tuple[Counter[int], float]:
    """Every client process sends for SECONDS; the answers summed, and the events per second."""
    results = pool.starmap(_client, [(port, events)] * CLIENTS)
    statuses: Counter[int] = Counter()
    for answered, _rate in results:
        statuses.update(answered)
    return statuses, sum(rate for _answered, rate in results)


def main() -> int:
    header("scale-out: consent events/s with 1 and 2 web processes (PostgreSQL, limits in Redis)")
    line(f"cores: {os.cpu_count()}; load average before: {load_average()} (the machine is shared)")
    logs = Path(tempfile.mkdtemp(prefix="mamori-bench-web-"))
    setup_django()  # event ids are made with mamori's own uuid7
    with private_redis() as redis:
        base = {
            "MAMORI_DATABASE_URL": pg_url(DATABASE),
            "MAMORI_CACHE_URL": f"{redis}/0",
            "MAMORI_CONSENT_RATE": "100000000/m",
            "MAMORI_DATA_DIR": str(logs / "data"),
        }
        prepare(environment(**base))
        results: dict[tuple[int, int], list[dict[str, float]]] = {setup: [] for setup in SETUPS}
        with contextlib.ExitStack() as servers:
            ports = {}
            for processes, keep in SETUPS:
                env = environment(**base, MAMORI_DATABASE_CONN_MAX_AGE=str(keep))
                ports[(processes, keep)] = servers.enter_context(web(processes, env, logs))
            with urllib.request.urlopen(f"http://127.0.0.1:{ports[SETUPS[0]][0]}/consent/config/onemall.json") as got:
                events = Events(json.loads(got.read()))
            for port, _server in ports.values():
                closed_loop(port, EVENTS, events, CONNECTIONS, 1.0)  # warm-up: code paths, connections
            with (
                psycopg.connect(pg_url("postgres"), autocommit=True) as admin,
                multiprocessing.get_context("fork").Pool(CLIENTS) as pool,
            ):
                for round_number in range(ROUNDS):
                    for setup in SETUPS:
                        port, server = ports[setup]
                        web_pids = group_members(server.pid)
                        web_before = cpu_seconds(web_pids)
                        database_before = cpu_by_process(postgres_backends(admin, DATABASE))
                        load_before = os.getloadavg()[0]
                        statuses, per_second = drive(pool, port, events)
                        if set(statuses) != {201}:
                            raise SystemExit(f"unexpected answers {dict(statuses)}; see {logs}")
                        count = sum(statuses.values())
                        run = {
                            "per_second": per_second,
                            "web_cpu": (cpu_seconds(web_pids) - web_before) / count * 1000,
                            "database_cpu": cpu_since(database_before, postgres_backends(admin, DATABASE))
                            / count
                            * 1000,
                            "load": (load_before + os.getloadavg()[0]) / 2,
                        }
                        results[setup].append(run)
                        line(
                            f"round {round_number + 1}, {setup[0]} process(es), CONN_MAX_AGE={setup[1]}: "
                            f"{run['per_second']:6.0f} events/s; CPU per 1,000 events: web {run['web_cpu']:.2f} s"
                            + (f", PostgreSQL {run['database_cpu']:.2f} s" if setup[1] else "")
                            + f"; load {run['load']:.1f}"
                        )
    for setup in SETUPS:
        rates = [run["per_second"] for run in results[setup]]
        web_cpu = statistics.median(run["web_cpu"] for run in results[setup])
        database_cpu = statistics.median(run["database_cpu"] for run in results[setup])
        line(
            f"{setup[0]} process(es), CONN_MAX_AGE={setup[1]}: median {statistics.median(rates):,.0f} events/s "
            f"(range {min(rates):,.0f}-{max(rates):,.0f}, {len(rates)} rounds); CPU per 1,000 events: "
            f"web {web_cpu:.2f} s" + (f", PostgreSQL {database_cpu:.2f} s" if setup[1] else "")
        )
        if setup[1]:
            line(
                f"   so one busy core serves {1000 / web_cpu:,.0f} events/s in a web process and "
                f"{1000 / database_cpu:,.0f} events/s in PostgreSQL"
            )
    with psycopg.connect(pg_url(DATABASE)) as connection:
        row = connection.execute(
            "SELECT (SELECT count(*) FROM consent_consentevent), "
            "(SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits "
            "WHERE inhparent = 'consent_consentevent'::regclass)"
        ).fetchone()
    if row is not None and row[0]:
        per_row = int(row[1]) / int(row[0])
        line(f"ledger on disk: {per_row:,.0f} bytes per event with its indexes ({int(row[0]):,} rows)")
    line(f"load average after: {load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
