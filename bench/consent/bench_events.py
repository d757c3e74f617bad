"""Consent events per second through the HTTP API on PostgreSQL, against the same server's bare
endpoint, then twice the sustainable load with nothing lost, and the banner's gzipped size.

The real server runs in a subprocess as production runs it: `python -m mamori serve --workers 2`
(gunicorn, two web processes) on a free port of 127.0.0.1, with MAMORI_DATABASE_URL on a
PostgreSQL database of the benchmark's own, Redis as the shared cache and rate limiter
(MAMORI_CACHE_URL, database 11 by default: BENCH_REDIS overrides it; emptied at the start), and
the benchmark's settings (bench/consent/settings.py), which add `POST /bench/bare`: a trivial
view answering 204, behind the same middleware. The load generator (load.py) is bounded Python
threads with keep-alive connections, spread over several client processes.

1. Throughput: 16 connections (2 client processes) send requests back to back, alternating
   rounds of the bare endpoint and of `POST /api/v1/consent/events` (a new event id each time,
   as a banner sends). Target: events/s / bare requests/s >= 0.8 (median of the rounds' ratios,
   with the range and the load average of each round).
2. Overload: the server restarted with the per-address event limit set to the sustainable rate
   (MAMORI_CONSENT_RATE, N/s), and events offered at twice that rate by 4 client processes. The
   rate actually offered (first attempts / the time they took) is printed and must be at least
   1.9x the sustainable rate, or the phase says it did not overload. Overload is answered 429
   with Retry-After; the client sends those events again after it. Every event sent must be in
   the ledger exactly once (counted in the database).
3. Banner: banner.js as served with gzip (its style sheet is inlined): size against 10 KB.
"""

from __future__ import annotations

import contextlib
import gzip
import http.client
import json
import os
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
from bench.consent.load import closed_loop_processes, open_loop_processes

DATABASE = "mamori_bench_consent"
SITE = "onemall"
CONNECTIONS = 16
CLIENT_PROCESSES = 2
OVERLOAD_PROCESSES = 4
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


@contextlib.contextmanager
def server(**extra: str) -> Iterator[int]:
    port = free_port()
    log = Path(tempfile.gettempdir()) / f"mamori-bench-serve-{port}.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "mamori", "serve", "--port", str(port), "--workers", str(WEB_PROCESSES)],
            cwd=REPO,
            env=environment(**extra),
            stdout=output,
            stderr=subprocess.STDOUT,
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
            yield port
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, dict(response.getheaders()), body


class Events:
    """Event bodies as the banner posts them: a new event id each, a device per hundred events."""

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
                "id": str(uuid.uuid4()),
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
    with server() as port:
        status, _, body = get(port, f"/consent/config/{SITE}.json")
        if status != 200:
            raise SystemExit(f"site config: HTTP {status}")
        events = Events(json.loads(body))
        # Warm-up (connections, caches, both web processes), then alternating rounds.
        closed_loop_processes(port, BARE_PATH, events, CONNECTIONS, 1.0, CLIENT_PROCESSES)
        closed_loop_processes(port, EVENTS_PATH, events, CONNECTIONS, 1.0, CLIENT_PROCESSES)
        bare_rates, event_rates, ratios = [], [], []
        accepted: list[bytes] = []
        for number in range(ROUNDS):
            bare = closed_loop_processes(port, BARE_PATH, events, CONNECTIONS, ROUND_SECONDS, CLIENT_PROCESSES)
            sent = closed_loop_processes(
                port, EVENTS_PATH, events, CONNECTIONS, ROUND_SECONDS, CLIENT_PROCESSES, keep=True
            )
            if set(bare.statuses) != {204} or set(sent.statuses) != {201}:
                raise SystemExit(f"unexpected answers: bare {dict(bare.statuses)}, events {dict(sent.statuses)}")
            accepted += sent.accepted_bodies
            bare_rates.append(bare.per_second)
            event_rates.append(sent.per_second)
            ratios.append(sent.per_second / bare.per_second)
            line(
                f"run {number + 1}: bare {bare.per_second:7.0f} req/s   events {sent.per_second:7.0f} events/s   "
                f"ratio {ratios[-1]:.2f}; {load_average()}"
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
    ratio = statistics.median(ratios)
    verdict(
        "consent events/s / bare endpoint req/s", ratio, f">= {TARGET}", ratio >= TARGET and in_ledger == len(accepted)
    )

    # Twice the sustainable load, with the per-address limit at the sustainable rate.
    limit = max(1, int(sustainable))
    offered_rate = 2 * limit
    bodies = [events() for _ in range(int(offered_rate * OVERLOAD_SECONDS))]
    with server(BENCH_CONSENT_RATE=f"{limit}/s") as port:
        result = open_loop_processes(
            port,
            EVENTS_PATH,
            bodies,
            offered_rate,
            workers=64,
            deadline_seconds=OVERLOAD_SECONDS * 10 + 60,
            processes=OVERLOAD_PROCESSES,
        )
    in_ledger = stored(bodies)
    achieved = result.offered / result.offered_seconds if result.offered_seconds else 0.0
    line(
        f"overload: limit {limit}/s (MAMORI_CONSENT_RATE), scheduled {offered_rate}/s for {OVERLOAD_SECONDS:.0f} s = "
        f"{result.offered:,} events from {OVERLOAD_PROCESSES} client processes; first attempts took "
        f"{result.offered_seconds:.1f} s: achieved offered rate {achieved:.0f}/s = {achieved / limit:.2f}x the "
        f"sustainable rate; {load_average()}"
    )
    line(
        "overload: answers "
        + ", ".join(f"{code or 'connection error'}: {count:,}" for code, count in sorted(result.statuses.items()))
        + f"; all accepted after {result.total_seconds:.1f} s, at most {result.most_attempts} attempts for one event"
    )
    line(
        f"overload: events sent {result.offered:,}, accepted {result.accepted:,}, in the ledger {in_ledger:,}, "
        f"lost {result.offered - in_ledger:,}"
    )
    nothing_lost = in_ledger == result.offered and result.lost == 0
    overloaded = achieved >= 1.9 * limit
    print(
        f"   {'PASS' if nothing_lost and overloaded else 'MISS'}  twice the sustainable load: offered "
        f"{achieved / limit:.2f}x (needs >= 1.9x), events sent = events stored ({result.offered:,} = {in_ledger:,}), "
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
