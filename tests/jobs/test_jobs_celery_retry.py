"""On Celery (`MAMORI_BROKER_URL` set) a job that raises behaves as on the database worker: it is
retried after a pause up to `MAMORI_JOB_MAX_ATTEMPTS`, then given up visibly through the same give-up
handler (the run fails, the request shows it, the officer is told, only the exception's class named).

A real `mamori worker` (Celery) on a private redis-server; the erasure's storage adapter answers with
counts that are not numbers, so the connector raises ValueError (not a refusal) every time."""

from __future__ import annotations

import email.header
import json
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.core.test_core_celery import PrivateRedis, redis_broker, stop_group  # noqa: F401 - fixture
from tests.jobs.test_jobs_killed_worker import world  # noqa: F401 - fixture

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="process groups")


def _scenario(env: dict[str, str], command: str) -> Any:
    done = subprocess.run(
        [sys.executable, "-m", "tests.jobs.scenario", command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_celery_job_that_keeps_raising_is_retried_then_fails_visibly(
    world: dict[str, Any],  # noqa: F811
    redis_broker: PrivateRedis,  # noqa: F811
    tmp_path: Path,
) -> None:
    env = world["env"]
    env.update(
        {
            "MAMORI_TASKS": "celery",
            "MAMORI_BROKER_URL": redis_broker.url,
            "MAMORI_BROKER_QUEUE": f"mamori-retry-{uuid.uuid4().hex[:8]}",
            "MAMORI_BROKER_VISIBILITY_TIMEOUT": "60",  # no worker dies here: only retries bring a job back
            "MAMORI_JOB_LEASE_SECONDS": "1",  # the pause before a retry: 1 s, then 2 s
            "MAMORI_JOB_MAX_ATTEMPTS": "2",
            "PYTHONPATH": str(ROOT),
        }
    )
    world["adapter"].garble["erase"] = 99
    _scenario(env, "setup")  # the job is on the broker
    log = tmp_path / "celery-worker.log"
    worker = subprocess.Popen(
        [sys.executable, "-m", "mamori", "worker", "--concurrency", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        state = _scenario(env, "status")
        while state["request"]["outcome"] != "failed" and time.monotonic() < deadline:
            time.sleep(0.5)
            state = _scenario(env, "status")
        assert state["request"]["outcome"] == "failed", (state, log.read_text(errors="replace")[-3000:])
        # Run twice (the first raise, then the retry), then given up: the run and request say why.
        assert world["adapter"].answered.count("garbled erase") == 2
        assert state["run"]["status"] == "failed" and "failed 2 times (ValueError)" in state["run"]["message"]
        assert state["request"]["status"] == "in_progress"
        assert "ValueError" in state["request"]["summary"]["message"]

        def to_officer() -> list[email.message.Message]:
            return [message for message in world["inbox"].messages if message["To"] == "officer@example.com"]

        deadline = time.monotonic() + 10
        while not to_officer() and time.monotonic() < deadline:
            time.sleep(0.2)
        [message] = to_officer()
        assert "FAILED" in str(email.header.make_header(email.header.decode_header(message["Subject"])))
        assert "failed 2 times (ValueError)" in message.get_payload(decode=True).decode("utf-8")
        assert "many" not in log.read_text(errors="replace")  # the exception's text stays out of the log
    finally:
        stop_group(worker)
