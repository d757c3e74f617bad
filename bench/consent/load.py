"""A bounded HTTP load generator for 127.0.0.1: threads, each with one keep-alive connection.

- `closed_loop`: every connection sends its next request as soon as the previous answer is
  read, for a fixed time: the server's capacity.
- `open_loop`: requests are due at a fixed rate for a fixed time, whatever the server does; an
  answer 429 puts the request back, due again after its Retry-After. Stops when every request
  has been accepted or a hard deadline passes (what is left then is reported as lost).
"""

from __future__ import annotations

import heapq
import http.client
import multiprocessing
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

HEADERS = {"Content-Type": "text/plain;charset=UTF-8", "Connection": "keep-alive", "User-Agent": "mamori-bench/1"}


def _connection(port: int) -> http.client.HTTPConnection:
    return http.client.HTTPConnection("127.0.0.1", port, timeout=60)


@dataclass
class ClosedLoopResult:
    seconds: float
    statuses: Counter[int]
    accepted_bodies: list[bytes] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return sum(self.statuses.values()) / self.seconds


def closed_loop(
    port: int, path: str, make_body: Callable[[], bytes], connections: int, seconds: float, keep: bool = False
) -> ClosedLoopResult:
    statuses: Counter[int] = Counter()
    accepted: list[bytes] = []
    lock = threading.Lock()
    start = time.perf_counter()
    deadline = start + seconds

    def work() -> None:
        local: Counter[int] = Counter()
        mine: list[bytes] = []
        connection = _connection(port)
        while time.perf_counter() < deadline:
            body = make_body()
            connection.request("POST", path, body, HEADERS)
            response = connection.getresponse()
            response.read()
            local[response.status] += 1
            if keep and response.status in (200, 201):
                mine.append(body)
        connection.close()
        with lock:
            statuses.update(local)
            accepted.extend(mine)

    threads = [threading.Thread(target=work) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return ClosedLoopResult(time.perf_counter() - start, statuses, accepted)


@dataclass
class OpenLoopResult:
    offered: int
    offered_seconds: float  # time to make every first attempt
    total_seconds: float  # until the last request was accepted (or the deadline)
    statuses: Counter[int]
    accepted: int
    lost: int
    most_attempts: int


def open_loop(
    port: int, path: str, bodies: list[bytes], rate: float, workers: int, deadline_seconds: float
) -> OpenLoopResult:
    start = time.perf_counter()
    due: list[tuple[float, int, int]] = [(start + number / rate, number, 1) for number in range(len(bodies))]
    heapq.heapify(due)
    condition = threading.Condition()
    statuses: Counter[int] = Counter()
    done = [0]
    most = [1]
    first_attempts = [0.0]
    hard_deadline = start + deadline_seconds

    def next_item() -> tuple[float, int, int] | None:
        with condition:
            while True:
                if done[0] == len(bodies) or time.perf_counter() > hard_deadline:
                    condition.notify_all()
                    return None
                if due:
                    wait = due[0][0] - time.perf_counter()
                    if wait <= 0:
                        return heapq.heappop(due)
                    condition.wait(min(wait, 0.5))
                else:
                    condition.wait(0.5)  # the others' requests are in flight; they may come back

    def work() -> None:
        connection = _connection(port)
        while (item := next_item()) is not None:
            _, number, attempt = item
            if attempt == 1:
                first_attempts[0] = max(first_attempts[0], time.perf_counter() - start)
            try:
                connection.request("POST", path, bodies[number], HEADERS)
                response = connection.getresponse()
                response.read()
                status, retry_after = response.status, float(response.getheader("Retry-After") or 1)
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = _connection(port)
                status, retry_after = 0, 0.1  # connection trouble: retry soon
            with condition:
                statuses[status] += 1
                if status in (200, 201):
                    done[0] += 1
                else:  # 429 (or a lost connection): due again after Retry-After
                    most[0] = max(most[0], attempt + 1)
                    heapq.heappush(due, (time.perf_counter() + retry_after, number, attempt + 1))
                condition.notify_all()
        connection.close()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return OpenLoopResult(
        len(bodies), first_attempts[0], time.perf_counter() - start, statuses, done[0], len(bodies) - done[0], most[0]
    )


# -- several client processes: one Python process cannot offer much more than a thousand requests
# a second (the GIL), so the load is split over processes and their results added up.


def _closed_loop_job(arguments: tuple[int, str, Callable[[], bytes], int, float, bool]) -> ClosedLoopResult:
    return closed_loop(*arguments)


def closed_loop_processes(
    port: int,
    path: str,
    make_body: Callable[[], bytes],
    connections: int,
    seconds: float,
    processes: int,
    keep: bool = False,
) -> ClosedLoopResult:
    """`closed_loop` with its connections spread over `processes` client processes."""
    share = max(1, connections // processes)
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        results = pool.map(_closed_loop_job, [(port, path, make_body, share, seconds, keep)] * processes)
    statuses: Counter[int] = Counter()
    accepted: list[bytes] = []
    for result in results:
        statuses.update(result.statuses)
        accepted.extend(result.accepted_bodies)
    return ClosedLoopResult(max(result.seconds for result in results), statuses, accepted)


def _open_loop_job(arguments: tuple[int, str, list[bytes], float, int, float]) -> OpenLoopResult:
    return open_loop(*arguments)


def open_loop_processes(
    port: int, path: str, bodies: list[bytes], rate: float, workers: int, deadline_seconds: float, processes: int
) -> OpenLoopResult:
    """`open_loop` split over `processes` client processes, each offering rate / processes."""
    jobs = [
        (port, path, bodies[number::processes], rate / processes, max(1, workers // processes), deadline_seconds)
        for number in range(processes)
    ]
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        results = pool.map(_open_loop_job, jobs)
    statuses: Counter[int] = Counter()
    for result in results:
        statuses.update(result.statuses)
    return OpenLoopResult(
        sum(result.offered for result in results),
        max(result.offered_seconds for result in results),
        max(result.total_seconds for result in results),
        statuses,
        sum(result.accepted for result in results),
        sum(result.lost for result in results),
        max(result.most_attempts for result in results),
    )
