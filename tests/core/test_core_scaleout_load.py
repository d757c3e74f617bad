"""A bounded load test on loopback: banner events across two web processes (gunicorn) on a fresh
PostgreSQL database, the per-client limit counted in a Redis both processes share.

The limit is the sustainable rate here (MAMORI_CONSENT_RATE). Events are offered first at that
rate, then at twice it, by an open-loop client that does what the banner does with a 429: sends
the event again after Retry-After. Whatever the overload, every event sent is in the ledger once
(counted by event id). Rates are printed, never asserted (speed belongs in bench/).
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.consent.load import OpenLoopResult, open_loop
from tests.consent.conftest import event_body
from tests.core.test_core_celery import PrivateRedis, free_port, redis_broker  # noqa: F401 - fixture
from tests.core.test_core_scaleout import (  # noqa: F401 - fixtures
    mamori_env,
    once_per_suite_run,
    postgres_databases,
    postgres_template,
    postgres_url,
    two_web_processes,
)

REPO = Path(__file__).resolve().parents[2]
RATE = 25  # events per second per client: the limit, and the rate the first phase offers
SECONDS = 4.0  # each phase offers events for this long
EVENTS = "/api/v1/consent/events"


@pytest.fixture
def web_port(
    tmp_path: Path,
    postgres_url: str,  # noqa: F811
    redis_broker: PrivateRedis,  # noqa: F811
) -> Iterator[int]:
    env = mamori_env(
        tmp_path, MAMORI_DATABASE_URL=postgres_url, MAMORI_CACHE_URL=redis_broker.url, MAMORI_CONSENT_RATE=f"{RATE}/s"
    )
    with two_web_processes(env, tmp_path, "/consent/config/onemall.json") as port:
        yield port


def stored(postgres: str, bodies: list[bytes]) -> tuple[int, int]:
    """(rows, distinct event ids) in the ledger for these events."""
    import psycopg

    ids = [json.loads(body)["id"] for body in bodies]
    with psycopg.connect(postgres.replace("postgres://", "postgresql://")) as connection:
        row = connection.execute(
            "SELECT count(*), count(DISTINCT event_id) FROM consent_consentevent WHERE event_id = ANY(%s::uuid[])",
            [ids],
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def report(name: str, offered_rate: int, result: OpenLoopResult) -> None:
    answers = ", ".join(f"{code or 'no answer'}: {count}" for code, count in sorted(result.statuses.items()))
    print(
        f"\n{name}: offered {result.offered} events at {offered_rate}/s; first attempts took "
        f"{result.offered_seconds:.1f} s ({result.offered / max(result.offered_seconds, 0.001):.1f} events/s "
        f"achieved); all accepted after {result.total_seconds:.1f} s "
        f"({result.accepted / result.total_seconds:.1f} events/s stored); answers {answers}; "
        f"at most {result.most_attempts} attempts for one event"
    )


@once_per_suite_run
def test_banner_events_at_the_sustainable_rate_and_twice_it_are_all_stored_once(
    web_port: int,
    postgres_url: str,  # noqa: F811
) -> None:
    port = web_port
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/consent/config/onemall.json", timeout=20) as response:
        config: dict[str, Any] = json.loads(response.read())
    deadline = 60.0  # a hard bound: what is not accepted by then counts as lost

    sustainable = [json.dumps(event_body(config)).encode() for _ in range(int(RATE * SECONDS))]
    first = open_loop(port, EVENTS, sustainable, RATE, workers=8, deadline_seconds=deadline)
    report("sustainable", RATE, first)

    time.sleep(1.0)  # a fresh one-second window for the second phase (not an assertion)
    overload = [json.dumps(event_body(config)).encode() for _ in range(int(2 * RATE * SECONDS))]
    second = open_loop(port, EVENTS, overload, 2 * RATE, workers=16, deadline_seconds=deadline)
    report("twice the sustainable rate", 2 * RATE, second)

    for bodies, result in ((sustainable, first), (overload, second)):
        assert result.lost == 0 and result.accepted == len(bodies)
        # Accepted, told to wait, or a keep-alive connection the server had closed (sent again): never a 5xx.
        assert set(result.statuses) <= {201, 429, 0}, result.statuses
        assert stored(postgres_url, bodies) == (len(bodies), len(bodies))  # sent = stored, none twice
    # The limit is shared: at twice the rate, whichever process answered, the excess was told to wait.
    assert second.statuses[429] > 0 and second.most_attempts > 1
