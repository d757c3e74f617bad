"""Cookie-scanner throughput: pages scanned per minute (three states each: no choice, "Reject
all", "Accept all") with 1, 2 and 4 browser contexts on the demo shop, the scaling ratio against
one context measured in the same run, and the memory a context costs.

The real server runs in a subprocess (`python -m mamori serve`, demo mode, SQLite in a temporary
folder, onemall applied) on a free port of 127.0.0.1. Each run scans the same PAGES pages (the demo
shop under distinct query strings, so every page weighs the same and the crawl cannot wander)
with one region (JP). Each configuration runs ROUNDS times; the median and range are printed.
Memory: the proportional set size (PSS, shared pages split fairly) of the Chromium processes
this benchmark started, sampled every 0.2 s; the peak with N contexts less the peak with one,
divided by N - 1, is what one more context costs.

Run: .venv/bin/python -m bench.scanner.bench_scan   (BENCH_SCALE=small: 4 pages instead of 8)
"""

from __future__ import annotations

import contextlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from bench.common import REPO, SMALL, header, line

PAGES = 4 if SMALL else 8
ROUNDS = 3
CONTEXTS = (1, 2, 4)
STATES = ("none", "reject", "accept")


def environment() -> dict[str, str]:
    data = Path(tempfile.gettempdir()) / "mamori-bench-scanner"
    return {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "MAMORI_DEMO": "1",
        "MAMORI_DATA_DIR": str(data),
        "MAMORI_DATABASE_URL": f"sqlite:///{data / 'bench.sqlite3'}",
        "MAMORI_SECRET_KEY": "bench-secret-key-0123456789-0123456789-abcdef",
        "MAMORI_ENCRYPTION_KEYS": "kN2m9yqH0cX1b7WJ3wO2Qz3oQe2r5cB1s8Xy6tQd0hE=",
        "MAMORI_LOG_LEVEL": "WARNING",
    }


def mamori(*args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "mamori", *args],
        cwd=REPO,
        env=environment(),
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def server() -> Iterator[int]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "mamori", "serve", "--port", str(port)],
        cwd=REPO,
        env=environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SystemExit("the server stopped")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            if time.monotonic() > deadline:
                raise SystemExit("the server did not start in 60 s")
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=20)


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                tree.setdefault(parent, []).append(int(entry.name))
    return tree


def chromium_pss_kib() -> int:
    """PSS of every Chromium process descended from this one."""
    tree, total, stack = _children(), 0, [os.getpid()]
    while stack:
        pid = stack.pop()
        stack.extend(tree.get(pid, []))
        with contextlib.suppress(OSError):
            if b"chrom" in Path(f"/proc/{pid}/cmdline").read_bytes()[:200]:
                for row in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                    if row.startswith("Pss:"):
                        total += int(row.split()[1])
    return total


def scan_once(port: int, contexts: int) -> tuple[float, int]:
    """(pages per minute, peak Chromium PSS in KiB) for one scan of PAGES pages."""
    from mamori.scanner.browser import ScanOptions, scan_site

    urls = [f"http://127.0.0.1:{port}/consent/demo/onemall/?page={i}" for i in range(PAGES)]
    peak, stop = [0], threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], chromium_pss_kib())
            stop.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    result = scan_site(
        ScanOptions(
            urls=urls,
            max_pages=PAGES,
            contexts=contexts,
            regions=("JP",),
            states=STATES,
            screenshots=False,
            settle_ms=1500,
        )
    )
    elapsed = time.perf_counter() - started
    stop.set()
    sampler.join()
    errors = [visit["error"] for visit in result["visits"] if visit["error"]]
    if len(result["visits"]) != PAGES * len(STATES) or errors:
        raise SystemExit(f"incomplete scan: {len(result['visits'])} visits, errors {errors[:3]}")
    return PAGES / elapsed * 60, peak[0]


def main() -> None:
    header("Cookie scanner: pages per minute (3 states each) by browser contexts")
    mamori("migrate", "--no-input")
    mamori("map", "apply", str(REPO / "examples" / "onemall"))
    load_before = os.getloadavg()
    results: dict[int, list[tuple[float, int]]] = {n: [] for n in CONTEXTS}
    with server() as port:
        scan_once(port, 1)  # warm-up: the server's caches and the site config, not measured
        for _ in range(ROUNDS):
            for contexts in CONTEXTS:  # interleaved, so a busy moment of the machine hits every setting
                results[contexts].append(scan_once(port, contexts))
                rate, pss = results[contexts][-1]
                line(
                    f"  round {len(results[contexts])}, {contexts} context(s): {rate:.1f} pages/min, "
                    f"peak PSS {pss / 1024:.0f} MiB, load {os.getloadavg()[0]:.1f}"
                )
    load_after = os.getloadavg()
    base = statistics.median(ppm for ppm, _ in results[1])
    peak_one = statistics.median(pss for _, pss in results[1])
    line(f"{PAGES} pages x {len(STATES)} states, region JP, {ROUNDS} rounds; median (range)")
    for contexts in CONTEXTS:
        rates = [ppm for ppm, _ in results[contexts]]
        peak = statistics.median(pss for _, pss in results[contexts])
        per_context = (peak - peak_one) / (contexts - 1) / 1024 if contexts > 1 else peak / 1024
        line(
            f"{contexts} context(s): {statistics.median(rates):6.1f} pages/min ({min(rates):.1f}-{max(rates):.1f}), "
            f"scaling x{statistics.median(rates) / base:.2f}, peak Chromium PSS {peak / 1024:.0f} MiB, "
            f"{'one more context' if contexts > 1 else 'browser + 1 context'} {per_context:.0f} MiB"
        )
    line(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} ({os.cpu_count()} cores, shared)")


if __name__ == "__main__":
    main()
