"""A light HTTP/1.1 load generator for 127.0.0.1: one `selectors` loop per client process, keep-alive
connections, requests written as prepared bytes, answers parsed only as far as the status line,
Content-Length and Retry-After.

The client shares the 2 cores with the server it measures, so its own cost per request is part of
every figure: `http.client` in threads cost about 0.2-0.3 ms of client CPU per request and, under
load, could not keep to an open-loop schedule (the issue-18 runs offered 0.6-0.8x of what they
scheduled). Here a request costs the client one `send` and a little parsing, and each process
reports the CPU it used (`client_cpu`).

- `closed_loop`: every connection sends its next request as soon as the previous answer is read,
  for a fixed time: the server's capacity.
- `open_loop`: requests are due at a fixed rate for a fixed time, whatever the server does. A due
  request is written at once on one of a fixed set of connections, pipelined behind the requests
  already waiting there (HTTP/1.1 keeps the answers in order; gunicorn reads pipelined requests),
  so a slow server never holds back the schedule. An answer 429 puts the request back, due again
  after its Retry-After; a connection the server closed puts its unanswered requests back at once.
  Stops when every request has been accepted or a hard deadline passes (what is left then is
  reported as lost). The time the first attempts took is measured to the moment the last of
  them was handed to the kernel.
"""

from __future__ import annotations

import heapq
import multiprocessing
import re
import selectors
import socket
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field

USER_AGENT = "mamori-bench/1"
HEAD_END = b"\r\n\r\n"
LENGTH = re.compile(rb"\r\ncontent-length:\s*(\d+)", re.IGNORECASE)
RETRY_AFTER = re.compile(rb"\r\nretry-after:\s*(\d+)", re.IGNORECASE)
CLOSE = re.compile(rb"\r\nconnection:\s*close", re.IGNORECASE)
CHUNKED = re.compile(rb"\r\ntransfer-encoding:\s*chunked", re.IGNORECASE)


def request_bytes(port: int, path: str, body: bytes) -> bytes:
    """The bytes of one POST as the banner sends it (text/plain: no CORS preflight)."""
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: {USER_AGENT}\r\n"
        f"Content-Type: text/plain;charset=UTF-8\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body


@dataclass
class Answer:
    status: int
    retry_after: float


class Connection:
    """One non-blocking keep-alive connection: bytes to write, bytes read, requests unanswered."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setblocking(False)
        self.out = bytearray()
        self.incoming = bytearray()
        self.waiting: deque[int] = deque()  # request numbers, in the order they were written
        self.unflushed: list[tuple[int, bool]] = []  # (number, first attempt?) in `out`, not yet in the kernel
        self.closed = False

    def fileno(self) -> int:
        return self.sock.fileno()

    def write(self, data: bytes, number: int, first: bool) -> None:
        self.out += data
        self.waiting.append(number)
        self.unflushed.append((number, first))

    def flush(self) -> bool:
        """Write what the kernel takes; True when nothing is left to write."""
        if self.out:
            try:
                sent = self.sock.send(self.out)
            except (BlockingIOError, InterruptedError):
                return False
            del self.out[:sent]
        return not self.out

    def read(self) -> list[Answer] | None:
        """The complete answers read now (in request order); None when the server closed."""
        try:
            data = self.sock.recv(262144)
        except (BlockingIOError, InterruptedError):
            return []
        except OSError:
            return None
        if not data:
            return None
        self.incoming += data
        answers = []
        while True:
            end = self.incoming.find(HEAD_END)
            if end < 0:
                break
            head = bytes(self.incoming[:end])
            if CHUNKED.search(head):
                raise RuntimeError("the load generator reads Content-Length bodies only")
            length_match = LENGTH.search(head)
            length = int(length_match.group(1)) if length_match else 0
            if len(self.incoming) < end + 4 + length:
                break
            del self.incoming[: end + 4 + length]
            retry = RETRY_AFTER.search(head)
            answers.append(Answer(int(head[9:12]), float(retry.group(1)) if retry else 1.0))
            if CLOSE.search(head):
                self.closed = True
                break
        return answers

    def close(self) -> None:
        self.closed = True
        self.sock.close()


@dataclass
class ClosedLoopResult:
    seconds: float
    statuses: Counter[int]
    accepted_bodies: list[bytes] = field(default_factory=list)
    client_cpu: float = 0.0  # CPU seconds the client processes used

    @property
    def per_second(self) -> float:
        return sum(self.statuses.values()) / self.seconds


def closed_loop(
    port: int, path: str, make_body: Callable[[], bytes], connections: int, seconds: float, keep: bool = False
) -> ClosedLoopResult:
    cpu = time.process_time()
    statuses: Counter[int] = Counter()
    accepted: list[bytes] = []
    selector = selectors.DefaultSelector()
    bodies: dict[int, bytes] = {}
    counter = [0]
    start = time.perf_counter()
    deadline = start + seconds

    def send(connection: Connection) -> None:
        counter[0] += 1
        body = make_body()
        bodies[counter[0]] = body
        connection.write(request_bytes(port, path, body), counter[0], False)
        if not connection.flush():
            selector.modify(connection, selectors.EVENT_READ | selectors.EVENT_WRITE)

    live = 0
    for _ in range(connections):
        connection = Connection(port)
        selector.register(connection, selectors.EVENT_READ)
        send(connection)
        live += 1
    while live:
        for key, events in selector.select(timeout=1.0):
            connection = key.fileobj  # type: ignore[assignment]
            assert isinstance(connection, Connection)
            if events & selectors.EVENT_WRITE and connection.flush():
                selector.modify(connection, selectors.EVENT_READ)
            if not events & selectors.EVENT_READ:
                continue
            answers = connection.read()
            for answer in answers or []:
                number = connection.waiting.popleft()
                body = bodies.pop(number)
                statuses[answer.status] += 1
                if keep and answer.status in (200, 201):
                    accepted.append(body)
            if answers is None or connection.closed:  # the server closed it: counted, and a new one
                for number in connection.waiting:
                    bodies.pop(number)
                    statuses[0] += 1
                selector.unregister(connection)
                connection.close()
                connection = Connection(port)
                selector.register(connection, selectors.EVENT_READ)
                if time.perf_counter() < deadline:
                    send(connection)
                else:
                    selector.unregister(connection)
                    connection.close()
                    live -= 1
            elif answers and not connection.waiting:
                if time.perf_counter() < deadline:
                    send(connection)
                else:
                    selector.unregister(connection)
                    connection.close()
                    live -= 1
    seconds_taken = time.perf_counter() - start
    return ClosedLoopResult(seconds_taken, statuses, accepted, time.process_time() - cpu)


@dataclass
class OpenLoopResult:
    offered: int
    offered_seconds: float  # time to hand every first attempt to the kernel
    total_seconds: float  # until the last request was accepted (or the deadline)
    statuses: Counter[int]
    accepted: int
    lost: int
    most_attempts: int
    client_cpu: float = 0.0


def open_loop(
    port: int, path: str, bodies: list[bytes], rate: float, workers: int, deadline_seconds: float
) -> OpenLoopResult:
    """`workers`: the keep-alive connections the requests are spread over (the name is the one the
    threaded generator had: one worker thread per connection)."""
    connections = workers
    cpu = time.process_time()
    prepared = [request_bytes(port, path, body) for body in bodies]
    selector = selectors.DefaultSelector()
    pool: list[Connection] = []
    start = time.perf_counter()
    due: list[tuple[float, int, int]] = [(start + number / rate, number, 1) for number in range(len(bodies))]
    heapq.heapify(due)
    attempts = [0] * len(bodies)
    statuses: Counter[int] = Counter()
    done = 0
    first_sent = 0
    last_first = 0.0
    turn = 0
    hard_deadline = start + deadline_seconds

    def connection_for_next() -> Connection:
        nonlocal turn
        for _ in range(connections):
            turn = (turn + 1) % connections
            if turn >= len(pool):
                pool.append(Connection(port))
                selector.register(pool[-1], selectors.EVENT_READ)
                return pool[-1]
            if pool[turn].closed:
                with_new = Connection(port)
                selector.register(with_new, selectors.EVENT_READ)
                pool[turn] = with_new
            return pool[turn]
        raise AssertionError("unreachable")

    def note_flushed(connection: Connection) -> None:
        nonlocal first_sent, last_first
        if connection.unflushed and not connection.out:
            firsts = sum(1 for _, first in connection.unflushed if first)
            connection.unflushed.clear()
            if firsts:
                first_sent += firsts
                last_first = time.perf_counter() - start

    def drop(connection: Connection) -> None:
        """The server closed it: what it did not answer is due again at once (a request that never
        left this process keeps its attempt number: a first attempt is still a first attempt)."""
        unsent = {number for number, _ in connection.unflushed}
        waiting = list(connection.waiting)
        connection.waiting.clear()
        connection.unflushed.clear()
        selector.unregister(connection)
        connection.close()
        now = time.perf_counter()
        for number in waiting:
            if number in unsent:
                heapq.heappush(due, (now, number, attempts[number]))
            else:
                statuses[0] += 1
                heapq.heappush(due, (now + 0.05, number, attempts[number] + 1))

    while done < len(bodies) and time.perf_counter() < hard_deadline:
        now = time.perf_counter()
        while due and due[0][0] <= now:
            _, number, attempt = heapq.heappop(due)
            attempts[number] = attempt
            connection = connection_for_next()
            connection.write(prepared[number], number, attempt == 1)
            if connection.flush():
                note_flushed(connection)
            else:
                selector.modify(connection, selectors.EVENT_READ | selectors.EVENT_WRITE)
        wait = min(0.05, max(0.0, due[0][0] - time.perf_counter())) if due else 0.05
        for key, events in selector.select(timeout=wait):
            connection = key.fileobj  # type: ignore[assignment]
            assert isinstance(connection, Connection)
            if connection.closed:
                continue
            if events & selectors.EVENT_WRITE and connection.flush():
                note_flushed(connection)
                selector.modify(connection, selectors.EVENT_READ)
            if not events & selectors.EVENT_READ:
                continue
            answers = connection.read()
            for answer in answers or []:
                number = connection.waiting.popleft()
                statuses[answer.status] += 1
                if answer.status in (200, 201):
                    done += 1
                else:  # 429 (or another refusal): due again after Retry-After
                    heapq.heappush(due, (time.perf_counter() + answer.retry_after, number, attempts[number] + 1))
            if answers is None or connection.closed:
                drop(connection)
    for connection in pool:
        if not connection.closed:
            connection.close()
    return OpenLoopResult(
        first_sent,
        last_first,
        time.perf_counter() - start,
        statuses,
        done,
        len(bodies) - done,
        max(attempts, default=1),
        time.process_time() - cpu,
    )


# -- several client processes, each its own loop; their results added up.


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
    return ClosedLoopResult(
        max(result.seconds for result in results), statuses, accepted, sum(result.client_cpu for result in results)
    )


def _open_loop_job(arguments: tuple[int, str, list[bytes], float, int, float]) -> OpenLoopResult:
    return open_loop(*arguments)


def open_loop_processes(
    port: int, path: str, bodies: list[bytes], rate: float, workers: int, deadline_seconds: float, processes: int
) -> OpenLoopResult:
    """`open_loop` split over `processes` client processes, each offering rate / processes on its
    share of the `workers` connections."""
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
        sum(result.client_cpu for result in results),
    )
