"""Group commit of consent events (services/group_commit.py): events posted at the same moment by
many threads are each stored exactly once and answered only once stored, repeats among them are
answered as repeats, and a failed statement fails every event of its batch, storing none.

Real threads and a real database outside a test transaction (the path production takes: on
PostgreSQL the rows of waiting events share one statement). The posting tests run on PostgreSQL
only: group commit exists only there, and SQLite's in-memory test database locks whole tables
between threads."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Sequence
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client

from mamori.consent.models import ConsentEvent
from mamori.consent.services.group_commit import GroupCommitter
from tests.consent.conftest import event_body

URL = "/api/v1/consent/events"
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="group commit is PostgreSQL's; elsewhere an event is one statement"
)


def post_all(bodies: Sequence[dict[str, Any]], threads: int) -> list[tuple[int, dict[str, Any]]]:
    """Post the bodies from `threads` threads at once, each with its own client (and connection)."""
    answers: list[tuple[int, dict[str, Any]]] = []
    lock = threading.Lock()
    start = threading.Barrier(threads)

    def work(share: Sequence[dict[str, Any]]) -> None:
        client = Client()
        start.wait()
        try:
            for body in share:
                response = client.post(URL, json.dumps(body), content_type="text/plain")
                with lock:
                    answers.append((response.status_code, response.json()))
        finally:
            connections.close_all()

    workers = [threading.Thread(target=work, args=(bodies[number::threads],)) for number in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return answers


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_events_are_each_stored_once_and_repeats_answered_as_repeats(onemall: str) -> None:
    config = Client().get(f"/consent/config/{onemall}.json").json()
    bodies = [event_body(config) for _ in range(60)]
    repeats = [dict(body) for body in bodies[:20]]  # the same events again, racing the first sends
    answers = post_all(bodies + repeats, threads=8)

    assert len(answers) == 80
    assert sorted(status for status, _ in answers).count(201) == 60
    assert sorted(status for status, _ in answers).count(200) == 20
    assert all(answer["recorded"] is (status == 201) for status, answer in answers)
    stored = list(ConsentEvent.objects.values_list("event_id", flat=True))
    assert sorted(map(str, stored)) == sorted(body["id"] for body in bodies)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_reused_id_from_another_device_in_the_same_moment_is_a_conflict(onemall: str) -> None:
    config = Client().get(f"/consent/config/{onemall}.json").json()
    first = event_body(config)
    other_device = {**first, "device": str(uuid.uuid4())}
    answers = post_all([first, other_device], threads=2)

    assert sorted(status for status, _ in answers) == [201, 409]
    assert ConsentEvent.objects.count() == 1


def test_a_failed_batch_fails_every_event_in_it_and_the_next_batch_runs() -> None:
    committer = GroupCommitter()
    calls: list[int] = []
    gate = threading.Event()

    def failing(rows: list[Sequence[Any]]) -> set[Any]:
        calls.append(len(rows))
        gate.wait(5)  # the others queue up behind this batch
        raise RuntimeError("database gone")

    def storing(rows: list[Sequence[Any]]) -> set[Any]:
        calls.append(len(rows))
        return {row[0] for row in rows}

    outcomes: dict[int, Any] = {}

    def send(number: int, write: Any) -> None:
        try:
            outcomes[number] = committer.insert(number, [number], write)
        except RuntimeError as exc:
            outcomes[number] = str(exc)

    leader = threading.Thread(target=send, args=(0, failing))
    leader.start()
    while not calls:
        threading.Event().wait(0.01)
    followers = [threading.Thread(target=send, args=(number, storing)) for number in range(1, 4)]
    for follower in followers:
        follower.start()
    while len(committer._queue) < 3:
        threading.Event().wait(0.01)
    gate.set()
    for thread in [leader, *followers]:
        thread.join()

    assert outcomes[0] == "database gone"
    # The three that waited went in together, in the next statement, and were stored.
    assert calls == [1, 3]
    assert [outcomes[number] for number in range(1, 4)] == [True, True, True]


def test_a_writer_takes_its_own_row_even_behind_a_full_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    from mamori.consent.services import group_commit

    monkeypatch.setattr(group_commit, "MAX_BATCH", 2)
    committer = GroupCommitter()
    written: list[list[int]] = []
    gate = threading.Event()

    def write(rows: list[Sequence[Any]]) -> set[Any]:
        if not written:
            gate.wait(5)  # the first batch is slow: the others queue up behind it
        written.append([row[0] for row in rows])
        return {row[0] for row in rows}

    outcomes: dict[int, bool] = {}

    def send(number: int) -> None:
        outcomes[number] = committer.insert(number, [number], write)

    first = threading.Thread(target=send, args=(0,))
    first.start()
    while not committer._writing:
        threading.Event().wait(0.01)
    queued = [threading.Thread(target=send, args=(number,)) for number in range(1, 6)]
    for thread in queued:
        thread.start()
    while len(committer._queue) < 5:
        threading.Event().wait(0.01)
    gate.set()
    for thread in [first, *queued]:
        thread.join()

    assert outcomes == dict.fromkeys(range(6), True)
    assert sorted(number for batch in written for number in batch) == list(range(6))
    assert all(len(batch) <= 2 for batch in written)
