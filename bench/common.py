"""Helpers shared by the benchmarks: the machine, PostgreSQL, Django set-up, timing, printing.

Benchmarks print ratios against a baseline measured in the same run (the machine is noisy), and
talk only to 127.0.0.1.
"""

from __future__ import annotations

import datetime
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg

REPO = Path(__file__).resolve().parent.parent
PG_SERVER = os.environ.get("BENCH_PG", "postgres://root@127.0.0.1:5432")
# Quick runs while working on the benchmarks: BENCH_SCALE=small (not the published figures).
SMALL = os.environ.get("BENCH_SCALE", "") == "small"


def pg_url(database: str) -> str:
    return f"{PG_SERVER.rstrip('/')}/{database}"


def admin_connection() -> psycopg.Connection[Any]:
    """A connection to the maintenance database, in autocommit (CREATE / DROP DATABASE)."""
    return psycopg.connect(pg_url("postgres"), autocommit=True)


def database_exists(name: str) -> bool:
    with admin_connection() as connection:
        return connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def drop_database(name: str) -> None:
    with admin_connection() as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def copy_database(template: str, name: str) -> float:
    """A fresh copy of `template` (file copy: fast for a large database); returns seconds taken."""
    started = time.perf_counter()
    with admin_connection() as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY')
    return time.perf_counter() - started


def setup_django(database_url: str | None = None, settings: str = "mamori.settings") -> None:
    """Configure Django the way `mamori` does (the package writer renders a template)."""
    os.environ.setdefault("MAMORI_SECRET_KEY", "bench-secret-key-0123456789-0123456789-abcdef")
    os.environ.setdefault("MAMORI_ENCRYPTION_KEYS", "kN2m9yqH0cX1b7WJ3wO2Qz3oQe2r5cB1s8Xy6tQd0hE=")
    os.environ.setdefault("MAMORI_LOG_LEVEL", "WARNING")
    os.environ.setdefault("MAMORI_DATA_DIR", str(Path(os.environ.get("TMPDIR", "/tmp")) / "mamori-bench-data"))
    if database_url:
        os.environ["MAMORI_DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = settings
    import django

    django.setup()


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    with psycopg.connect(pg_url("postgres")) as connection:
        server = connection.execute("SHOW server_version").fetchone()
    return (
        f"{platform.node()}: {os.cpu_count()} cores ({cpu}), {memory}, Linux {platform.release()}, "
        f"Python {platform.python_version()}, PostgreSQL {server[0] if server else '?'}"
    )


def header(title: str) -> None:
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"== {title} ({now})")
    print(f"   {machine()}")
    sys.stdout.flush()


def line(text: str) -> None:
    print(f"   {text}")
    sys.stdout.flush()


def verdict(name: str, value: float, target: str, ok: bool) -> None:
    print(f"   {'PASS' if ok else 'MISS'}  {name}: {value:.2f} (target {target})")
    sys.stdout.flush()


@contextmanager
def stopwatch() -> Iterator[list[float]]:
    """`with stopwatch() as elapsed: ...` then `elapsed[0]` is the seconds taken."""
    holder: list[float] = []
    started = time.perf_counter()
    try:
        yield holder
    finally:
        holder.append(time.perf_counter() - started)


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def median(values: list[float]) -> float:
    return statistics.median(values)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def load_average() -> str:
    """The 1-, 5- and 15-minute load averages, printed with every run (the machine is shared)."""
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


def spread(values: list[float], unit: str = "", digits: int = 2) -> str:
    """`median (min-max)` of a figure measured in several runs."""
    return f"{statistics.median(values):.{digits}f}{unit} ({min(values):.{digits}f}-{max(values):.{digits}f}{unit})"
