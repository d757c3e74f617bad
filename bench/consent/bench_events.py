"""Consent events per second through the HTTP API on PostgreSQL, against the same server's bare
endpoint, then twice the sustainable load with nothing lost, and the banner's gzipped size.

The real server runs in a subprocess as production runs it (docs/deploy.md): `python -m mamori
serve --workers 2 --threads 16` (gunicorn, two web processes of 16 threads) on a free port of 127.0.0.1, with
MAMORI_DATABASE_URL on a PostgreSQL database of the benchmark's own (`mamori_bench_consent`;
BENCH_CONSENT_DB overrides it), kept connections (MAMORI_DATABASE_CONN_MAX_AGE=60, the production
setting), Redis as the shared cache and rate limiter (MAMORI_CACHE_URL, database 11 by default:
BENCH_REDIS overrides it; emptied at the start), and the benchmark's settings
(bench/consent/settings.py), which add `POST /bench/bare`: a trivial view answering 204, behind
the same middleware. The load generator (load.py) is one `selectors` loop per client process
over keep-alive connections, pipelining in the overload phase.

1. Throughput: 16 connections (2 client processes) send requests back to back, alternating
   rounds of the bare endpoint and of `POST /api/v1/consent/events` (a new UUIDv7 event id each
   time, as the banner sends). Target: events/s / bare requests/s >= 0.8 (median of the rounds'
   ratios, with the range and the load average of each round). Each round also prints the CPU
   the web processes and their PostgreSQL backends spent per request, and the client's: on a
   shared machine that is steadier than requests per second.
2. Overload: the server restarted (and warmed up) with the per-address event limit set to the
   sustainable rate (MAMORI_CONSENT_RATE, N/s), and events offered at twice that rate by 2 client
   processes on 32 connections, each request written when it is due whatever the server does
   (pipelined behind the unanswered ones). The rate actually offered (first attempts / the time
   until the last of them was handed to the kernel) is printed and must be at least 1.9x the
   sustainable rate, or the phase says it did not overload. Overload is answered 429 with
   Retry-After; the client sends those events again after it. Every event sent must be in the
   ledger exactly once (counted in the database).
3. Banner: banner.js as served with gzip (its style sheet is inlined): size against 10 KB.
"""

from __future__ import annotations

import contextlib
import gzip
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg

from bench.common import (
    REPO,
    SMALL,
    admin_connection,
    database_exists,
    header,
    line,
    load_average,
    pg_url,
    spread,
    verdict,
)
from bench.consent.load import ClosedLoopResult, closed_loop_processes, open_loop_processes

DATABASE = os.environ.get("BENCH_CONSENT_DB", "mamori_bench_consent")
SITE = "onemall"
CONNECTIONS = 16
CLIENT_PROCESSES = 2
OVERLOAD_PROCESSES = 2
OVERLOAD_CONNECTIONS = 32
# As docs/deploy.md runs production: more threads let more events share one commit of the ledger.
WEB_THREADS = 16
WEB_PROCESSES = 2
TARGET = 0.8
REDIS_URL = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/11")
ROUNDS = 3
ROUND_SECONDS = 3.0 if SMALL else 8.0
OVERLOAD_SECONDS = 5.0 if SMALL else 10.0
BANNER_BUDGET = 10 * 1024
EVENTS_PATH = "/api/v1/consent/events"
BARE_PATH = "/bench/bare"


def environment(**extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "DJANGO_SETTINGS_MODULE": "bench.consent.settings",
        "MAMORI_DATABASE_URL": pg_url(DATABASE),
        "MAMORI_SECRET_KEY": os.environ.get("MAMORI_SECRET_KEY", "bench-secret-key-0123456789-0123456789-abcdef"),
        "MAMORI_ENCRYPTION_KEYS": os.environ.get(
            "MAMORI_ENCRYPTION_KEYS", "kN2m9yqH0cX1b7WJ3wO2Qz3oQe2r5cB1s8Xy6tQd0hE="
        ),
        "MAMORI_DATA_DIR": str(Path(tempfile.gettempdir()) / "mamori-bench-consent"),
        "MAMORI_LOG_LEVEL": "WARNING",
        "MAMORI_CACHE_URL": REDIS_URL,  # shared by the web processes: rate counters, site config
        "MAMORI_DATABASE_CONN_MAX_AGE": "60",  # as docs/deploy.md sets it in production
        **extra,
    }
    return env


def mamori(*args: str) -> str:
    return subprocess.run(
        [sys.executable, "-m", "mamori", *args],
        cwd=REPO,
        env=environment(),
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    ).stdout


def prepare_database() -> None:
    """Migrated, with the onemall map applied once; the ledger emptied for this run."""
    if not database_exists(DATABASE):
        with admin_connection() as connection:
            connection.execute(f'CREATE DATABASE "{DATABASE}"')
    mamori("migrate", "--no-input")
    with psycopg.connect(pg_url(DATABASE)) as connection:
        applied = connection.execute("SELECT 1 FROM catalog_mapversion WHERE organisation = %s", [SITE]).fetchone()
    if applied is None:
        mamori("map", "apply", str(REPO / "examples" / SITE), "--note", "benchmark")
    with psycopg.connect(pg_url(DATABASE)) as connection:
        connection.execute("TRUNCATE consent_consentevent")
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()  # the benchmark's own Redis database


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """The running server: its port, and the CPU its web processes and their database backends used."""

    def __init__(self, port: int, group: int) -> None:
        self.port = port
        self.group = group

    def processes(self) -> tuple[list[int], list[int]]:
        """The web processes (the server's process group) and their PostgreSQL backends."""
        web = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, IndexError, ValueError):
                if int(stat.read_text().rsplit(")", 1)[1].split()[2]) == self.group:
                    web.append(int(stat.parent.name))
        with psycopg.connect(pg_url(DATABASE)) as connection:
            rows = connection.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [DATABASE]
            ).fetchall()
        return web, [int(row[0]) for row in rows]

    def cpu(self) -> dict[int, float]:
        web, database = self.processes()
        return {pid: cpu_seconds(pid) for pid in web + database}

    def cpu_since(self, before: dict[int, float]) -> tuple[float, float]:
        """CPU seconds since `before`: (web processes, PostgreSQL backends)."""
        web, database = self.processes()

        def used(pids: list[int]) -> float:
            return sum(max(0.0, cpu_seconds(pid) - before.get(pid, 0.0)) for pid in pids)

        return used(web), used(database)


def cpu_seconds(pid: int) -> float:
    with contextlib.suppress(OSError, IndexError, ValueError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return 0.0


def commits() -> int:
    """Transactions committed in the benchmark's database so far (PostgreSQL's statistics, which
    lag by up to a second: read after a pause)."""
    with psycopg.connect(pg_url(DATABASE)) as connection:
        row = connection.execute("SELECT xact_commit FROM pg_stat_database WHERE datname = %s", [DATABASE]).fetchone()
    return int(row[0]) if row else 0


def measured(server: Server, run: Any) -> tuple[ClosedLoopResult, float, float]:
    """A closed-loop round, and the server's CPU per request: web processes, PostgreSQL backends."""
    before = server.cpu()
    result: ClosedLoopResult = run()
    requests = max(1, sum(result.statuses.values()))
    web, database = server.cpu_since(before)
    return result, web / requests, database / requests


@contextlib.contextmanager
def server(**extra: str) -> Iterator[Server]:
    port = free_port()
    log = Path(tempfile.gettempdir()) / f"mamori-bench-serve-{port}.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "mamori",
                "serve",
                "--port",
                str(port),
                "--workers",
                str(WEB_PROCESSES),
                "--threads",
                str(WEB_THREADS),
            ],
            cwd=REPO,
            env=environment(**extra),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: its CPU is counted, and it is stopped whole
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None:
                    raise SystemExit(f"the server stopped: see {log}")
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
                if time.monotonic() > deadline:
                    raise SystemExit(f"the server did not start in 60 s: see {log}")
                time.sleep(0.2)
            yield Server(port, process.pid)
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, dict(response.getheaders()), body


def uuid7() -> str:
    """A UUIDv7 for now, as the banner makes its event ids (services.eventids.uuid7, without
    importing Django into the client)."""
    value = (time.time_ns() // 1_000_000 & (2**48 - 1)) << 80 | int.from_bytes(os.urandom(10)) & (2**80 - 1)
    value = value & ~(0xF << 76) | 7 << 76
    value = value & ~(0x3 << 62) | 0x2 << 62
    return str(uuid.UUID(int=value))


class Events:
    """Event bodies as the banner posts them: a new UUIDv7 event id each, a device per hundred events."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.version = config["version"]
        self.hash = config["hash"]["en"]
        self.choices = {category["id"]: True for category in config["categories"] if not category["essential"]}
        self.device = str(uuid.uuid4())
        self.count = 0

    def __call__(self) -> bytes:
        self.count += 1
        if self.count % 100 == 0:
            self.device = str(uuid.uuid4())
        return json.dumps(
            {
                "id": uuid7(),
                "site": SITE,
                "device": self.device,
                "version": self.version,
                "hash": self.hash,
                "lang": "en",
                "choices": self.choices,
                "method": "click",
                "tz": "Asia/Tokyo",
            }
        ).encode()


def stored(bodies: list[bytes]) -> int:
    ids = [json.loads(body)["id"] for body in bodies]
    with psycopg.connect(pg_url(DATABASE)) as connection:
        row = connection.execute(
            "SELECT count(*) FROM consent_consentevent WHERE event_id = ANY(%s::uuid[])", [ids]
        ).fetchone()
    return int(row[0]) if row else 0


def main() -> int:
    header(
        f"consent: events per second through the HTTP API (PostgreSQL, Redis, {WEB_PROCESSES} web processes) "
        "vs the bare endpoint"
    )
    prepare_database()
    with server() as running:
        port = running.port
        status, _, body = get(port, f"/consent/config/{SITE}.json")
        if status != 200:
            raise SystemExit(f"site config: HTTP {status}")
        events = Events(json.loads(body))
        # Warm-up (connections, caches, both web processes), then alternating rounds.
        closed_loop_processes(port, BARE_PATH, events, CONNECTIONS, 1.0, CLIENT_PROCESSES)
        closed_loop_processes(port, EVENTS_PATH, events, CONNECTIONS, 1.0, CLIENT_PROCESSES)
        bare_rates, event_rates, ratios, cpu_ratios = [], [], [], []
        accepted: list[bytes] = []
        for number in range(ROUNDS):
            bare, bare_web, bare_db = measured(
                running,
                lambda: closed_loop_processes(port, BARE_PATH, events, CONNECTIONS, ROUND_SECONDS, CLIENT_PROCESSES),
            )
            time.sleep(1.0)
            committed = commits()
            sent, event_web, event_db = measured(
                running,
                lambda: closed_loop_processes(
                    port, EVENTS_PATH, events, CONNECTIONS, ROUND_SECONDS, CLIENT_PROCESSES, keep=True
                ),
            )
            bare_cpu, event_cpu = bare_web + bare_db, event_web + event_db
            time.sleep(1.0)
            batch = sum(sent.statuses.values()) / max(1, commits() - committed - 3)  # less this run's own reads
            if set(bare.statuses) != {204} or set(sent.statuses) != {201}:
                raise SystemExit(f"unexpected answers: bare {dict(bare.statuses)}, events {dict(sent.statuses)}")
            accepted += sent.accepted_bodies
            bare_rates.append(bare.per_second)
            event_rates.append(sent.per_second)
            ratios.append(sent.per_second / bare.per_second)
            cpu_ratios.append(bare_cpu / event_cpu if event_cpu else 0.0)
            line(
                f"run {number + 1}: bare {bare.per_second:7.0f} req/s   events {sent.per_second:7.0f} events/s   "
                f"ratio {ratios[-1]:.2f}; CPU per request, web + PostgreSQL: bare {bare_web * 1e3:.2f} + "
                f"{bare_db * 1e3:.2f} ms, event {event_web * 1e3:.2f} + {event_db * 1e3:.2f} ms; client: bare "
                f"{bare.client_cpu / sum(bare.statuses.values()) * 1e3:.2f} ms, event "
                f"{sent.client_cpu / sum(sent.statuses.values()) * 1e3:.2f} ms; {batch:.1f} events per commit; "
                f"{load_average()}"
            )
        in_ledger = stored(accepted)
        status, headers, packed = get(port, "/consent/banner.js", {"Accept-Encoding": "gzip"})
        gzipped = headers.get("Content-Encoding") == "gzip"
    line(
        f"{CONNECTIONS} keep-alive connections from {CLIENT_PROCESSES} client processes, {ROUNDS} rounds of "
        f"{ROUND_SECONDS:.0f} s each; {len(accepted):,} events answered 201, {in_ledger:,} in the ledger"
    )
    sustainable = statistics.median(event_rates)
    line(f"median: bare {statistics.median(bare_rates):.0f} req/s, events {sustainable:.0f} events/s")
    line(f"events / bare: {spread(ratios)} over {ROUNDS} runs")
    line(f"server CPU per bare request / per event (information): {spread(cpu_ratios)}")
    ratio = statistics.median(ratios)
    verdict(
        "consent events/s / bare endpoint req/s", ratio, f">= {TARGET}", ratio >= TARGET and in_ledger == len(accepted)
    )

    # Twice the sustainable load, with the per-address limit at the sustainable rate.
    limit = max(1, int(sustainable))
    offered_rate = 2 * limit
    bodies = [events() for _ in range(int(offered_rate * OVERLOAD_SECONDS))]
    with server(BENCH_CONSENT_RATE=f"{limit}/s") as running:
        # Warm-up as in step 1 (imports, URLs, connections in both processes), then a fresh window.
        closed_loop_processes(running.port, BARE_PATH, events, CONNECTIONS, 1.0, CLIENT_PROCESSES)
        closed_loop_processes(running.port, EVENTS_PATH, events, CONNECTIONS, 1.0, CLIENT_PROCESSES)
        time.sleep(1.5)
        result = open_loop_processes(
            running.port,
            EVENTS_PATH,
            bodies,
            offered_rate,
            workers=OVERLOAD_CONNECTIONS,
            deadline_seconds=OVERLOAD_SECONDS * 10 + 60,
            processes=OVERLOAD_PROCESSES,
        )
    in_ledger = stored(bodies)
    achieved = result.offered / result.offered_seconds if result.offered_seconds else 0.0
    line(
        f"overload: limit {limit}/s (MAMORI_CONSENT_RATE), scheduled {offered_rate}/s for {OVERLOAD_SECONDS:.0f} s = "
        f"{len(bodies):,} events from {OVERLOAD_PROCESSES} client processes on {OVERLOAD_CONNECTIONS} connections; "
        f"{result.offered:,} first attempts took {result.offered_seconds:.1f} s: achieved offered rate "
        f"{achieved:.0f}/s = {achieved / limit:.2f}x the sustainable rate; client CPU "
        f"{result.client_cpu:.1f} s; {load_average()}"
    )
    line(
        "overload: answers "
        + ", ".join(f"{code or 'connection closed'}: {count:,}" for code, count in sorted(result.statuses.items()))
        + f"; all accepted after {result.total_seconds:.1f} s, at most {result.most_attempts} attempts for one event"
    )
    line(
        f"overload: events sent {len(bodies):,}, accepted {result.accepted:,}, in the ledger {in_ledger:,}, "
        f"lost {len(bodies) - in_ledger:,}"
    )
    nothing_lost = in_ledger == len(bodies) and result.lost == 0
    overloaded = result.offered == len(bodies) and achieved >= 1.9 * limit
    print(
        f"   {'PASS' if nothing_lost and overloaded else 'MISS'}  twice the sustainable load: offered "
        f"{achieved / limit:.2f}x (needs >= 1.9x), events sent = events stored ({len(bodies):,} = {in_ledger:,}), "
        f"overload answered 429: {result.statuses.get(429, 0):,} times"
    )

    plain = (REPO / "mamori/consent/static/consent/banner.js").read_bytes()
    css = (REPO / "mamori/consent/static/consent/banner.css").read_bytes()
    separate = len(gzip.compress(plain, 9)) + len(gzip.compress(css, 9))
    size = len(packed) if status == 200 and gzipped else separate
    line(
        f"banner: GET /consent/banner.js (gzip, CSS inlined) {size:,} bytes; the two files gzipped "
        f"separately: {separate:,} bytes"
    )
    verdict("banner JS+CSS gzipped, KB", size / 1024, f"<= {BANNER_BUDGET / 1024:.0f} KB", size <= BANNER_BUDGET)
    return 0


if __name__ == "__main__":
    sys.exit(main())
