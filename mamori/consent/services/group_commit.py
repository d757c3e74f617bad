"""Group commit of consent events on PostgreSQL: the events that web threads of one process are
waiting to store at the same moment go in as one multi-row `INSERT ... ON CONFLICT DO NOTHING
RETURNING event_id`, one statement and one commit for all of them.

Every page view of every visitor can send an event, and on a busy site most of an event's cost
was its own round trip and its own commit (a WAL flush). No thread waits for a timer: the first
thread to arrive while no insert is running writes at once; the threads arriving while it runs
queue up, and the first of them writes the whole queue as soon as the running insert returns.
Each thread returns only after the statement holding its row has committed (autocommit: the
statement is its own transaction), and learns from RETURNING whether its row was stored or its
event id was already in the ledger, so nothing is lost or stored twice. If the statement fails,
every thread of the batch gets the error, as it would have for its own insert.

Only on PostgreSQL and only outside a transaction: inside one (tests, a caller's atomic block)
the row must belong to that transaction, so it is written alone, as on the other databases.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

MAX_BATCH = 200  # rows per statement: bounds the statement's size under a burst


@dataclass
class _Pending:
    event_id: Any
    params: Sequence[Any]
    done: bool = False
    stored: bool = False
    error: BaseException | None = None


class GroupCommitter:
    """One per process and database alias: the queue of rows waiting, and whether a thread is
    writing a batch now."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._queue: list[_Pending] = []
        self._writing = False

    def insert(self, event_id: Any, params: Sequence[Any], write: Callable[[list[Sequence[Any]]], set[Any]]) -> bool:
        """Store one row as part of the next batch; True when stored, False when its event id was
        already in the ledger (or earlier in the same batch). `write(rows)` stores the rows in one
        statement, on the calling thread's connection, and returns the event ids it stored."""
        mine = _Pending(event_id, params)
        with self._condition:
            self._queue.append(mine)
            while not mine.done and self._writing:
                self._condition.wait()
            if mine.done:
                return self._result(mine)
            self._writing = True
            # This thread's own row always goes in (first): it may be past MAX_BATCH in the queue.
            others = [item for item in self._queue if item is not mine]
            batch, self._queue = [mine, *others[: MAX_BATCH - 1]], others[MAX_BATCH - 1 :]
        try:
            stored = write([item.params for item in batch])
            failure: BaseException | None = None
        except BaseException as exc:  # every thread of the batch learns of it
            stored, failure = set(), exc
        with self._condition:
            seen: set[Any] = set()
            for item in batch:
                item.error = failure
                # The first row of an id in the batch is the one stored; a repeat in the same
                # batch was not (the statement skipped it), like a retry arriving later.
                item.stored = failure is None and item.event_id in stored and item.event_id not in seen
                seen.add(item.event_id)
                item.done = True
            self._writing = False
            self._condition.notify_all()
        return self._result(mine)

    @staticmethod
    def _result(item: _Pending) -> bool:
        if item.error is not None:
            raise item.error
        return item.stored
