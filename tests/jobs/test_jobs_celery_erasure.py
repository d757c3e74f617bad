"""A real erasure on Celery, its worker SIGKILLed mid-run: another worker finishes it exactly once.

Two runs of the same verified erasure request (onemall, Hanako Yamada) on fresh PostgreSQL
databases (copies of one migrated template), each with its own demo shop, storage adapter and
queue on a private Redis broker:

- the reference: one `mamori worker` runs it from start to end;
- the fault: the first worker is killed (SIGKILL, with its pool process) while the storage
  adapter holds its erase call, after the shop's steps are committed; a second worker gets the
  job again from the broker and resumes from the first step not done.

Afterwards the shop's tables are the same, row for row, as the reference's; every step was recorded
finished once; the request was completed once and Hanako got one completion e-mail.
"""

from __future__ import annotations

import contextlib
import email.header
import hashlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tests.core.test_core_celery import PrivateRedis, redis_broker  # noqa: F401 - fixture
from tests.core.test_core_scaleout import (  # noqa: F401 - fixtures
    mamori_env,
    once_per_suite_run,
    postgres_databases,
    postgres_template,
)
from tests.fulfilment.fulfilment_webhook_server import SECRET, start
from tests.jobs.test_jobs_killed_worker import HoldingAdapter
from tests.rights.test_rights_smtp import Inbox

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and process groups")


def _base_env(folder: Path, database_url: str) -> dict[str, str]:
    env = mamori_env(folder, MAMORI_DATABASE_URL=database_url, MAMORI_LOG_LEVEL="WARNING")
    env.update({"DJANGO_SETTINGS_MODULE": "mamori.settings", "PYTHONPATH": str(ROOT)})
    return env


class World:
    """One mamori database, demo shop, storage adapter, mailbox and broker queue."""

    def __init__(self, name: str, folder: Path, database: str, broker: str) -> None:
        from mamori.fulfilment.demo_shop import create_shop

        self.name, self.folder = name, folder
        folder.mkdir()
        self.shop = folder / "shop.sqlite3"
        create_shop(self.shop)
        self.adapter = HoldingAdapter()
        self.server, url = start(self.adapter)
        self.inbox = Inbox()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.smtp = Controller(self.inbox, hostname="127.0.0.1", port=port)
        self.smtp.start()
        self.env = _base_env(folder, database)
        self.env.update(
            {
                "MAMORI_BROKER_URL": broker,
                "MAMORI_BROKER_QUEUE": f"mamori-erasure-{name}-{uuid.uuid4().hex[:8]}",
                "MAMORI_BROKER_VISIBILITY_TIMEOUT": "5",  # a killed worker's job comes back after 5 s
                "MAMORI_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "MAMORI_EMAIL_HOST": "127.0.0.1",
                "MAMORI_EMAIL_PORT": str(port),
                "MAMORI_ONEMALL_SHOP_URL": f"sqlite:///{self.shop}",
                "MAMORI_ONEMALL_OSS_WEBHOOK_URL": url,
                "MAMORI_ONEMALL_OSS_WEBHOOK_SECRET": SECRET,
            }
        )
        self.workers: list[subprocess.Popen[bytes]] = []

    def scenario(self, command: str) -> Any:
        done = subprocess.run(
            [sys.executable, "-m", "tests.jobs.scenario", command],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout.strip().splitlines()[-1])

    def start_worker(self) -> subprocess.Popen[bytes]:
        worker = subprocess.Popen(
            [sys.executable, "-m", "mamori", "worker", "--concurrency", "1"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=(self.folder / f"worker{len(self.workers)}.log").open("wb"),
            start_new_session=True,  # its own process group: the pool process dies with it
        )
        self.workers.append(worker)
        return worker

    def wait_for(self, done: Callable[[dict[str, Any]], bool], seconds: float = 120) -> dict[str, Any]:
        deadline = time.monotonic() + seconds
        while True:
            state = self.scenario("status")
            if done(state):
                return state
            if time.monotonic() > deadline:
                logs = "\n".join(p.read_text(errors="replace")[-2000:] for p in self.folder.glob("worker*.log"))
                raise AssertionError(f"{self.name}: timed out in state {state}\n{logs}")
            time.sleep(0.5)

    def completion_mails(self) -> list[str]:
        subjects = []
        for message in self.inbox.messages:
            subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
            if message["To"] == "hanako.yamada@example.jp" and "完了" in subject:
                subjects.append(subject)
        return subjects

    def close(self) -> None:
        self.adapter.release.set()
        for worker in self.workers:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
        self.smtp.stop()
        self.server.shutdown()
        self.server.server_close()


def shop_digests(path: Path) -> dict[str, str]:
    """A digest of each table's rows, in a fixed order: equal digests, equal tables."""
    connection = sqlite3.connect(path)
    try:
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        digests = {}
        for table in sorted(tables):
            rows = sorted(repr(row) for row in connection.execute(f'SELECT * FROM "{table}"'))  # noqa: S608
            digests[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
        return digests
    finally:
        connection.close()


def run_to_the_end(world: World) -> dict[str, Any]:
    """The run to its end: the request came through the API, so onemall's paper forms (a manual task
    for requests on paper only) leave nothing for a person and the run completes the request."""
    state = world.wait_for(lambda s: s["request"]["status"] == "completed")
    deadline = time.monotonic() + 30
    while not world.completion_mails() and time.monotonic() < deadline:
        time.sleep(0.2)
    return state


def steps_of(state: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(step["system"], step["action"], step["status"]) for step in state["run"]["steps"]]


@once_per_suite_run
def test_an_erasure_whose_celery_worker_is_killed_is_finished_once_by_another(
    tmp_path: Path,
    postgres_databases: Callable[[], str],  # noqa: F811
    redis_broker: PrivateRedis,  # noqa: F811
) -> None:
    reference = World("reference", tmp_path / "reference", postgres_databases(), redis_broker.url)
    faulty = World("killed", tmp_path / "killed", postgres_databases(), redis_broker.url)
    before = shop_digests(reference.shop)
    assert shop_digests(faulty.shop) == before
    try:
        reference.scenario("setup")  # verified, planned, executed: the job is on the broker
        reference.start_worker()
        expected = run_to_the_end(reference)
        expected_shop = shop_digests(reference.shop)
        assert expected_shop != before  # Hanako's rows really went

        faulty.adapter.hold.add("erase")
        faulty.scenario("setup")
        first = faulty.start_worker()
        assert faulty.adapter.arrived.wait(120), "the worker never reached the storage adapter"
        mid_run = faulty.scenario("status")
        done_steps = [step for step in mid_run["run"]["steps"] if step["status"] == "done"]
        assert done_steps and mid_run["run"]["status"] == "running"  # killed in the middle, not before
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
        faulty.adapter.release.set()

        faulty.start_worker()
        state = run_to_the_end(faulty)

        assert shop_digests(faulty.shop) == expected_shop
        assert faulty.adapter.objects == reference.adapter.objects
        assert faulty.adapter.answered.count("erase") == 1  # the cut-off call was not answered
        assert steps_of(state) == steps_of(expected)
        assert {step["status"] for step in state["run"]["steps"]} == {"done"}
        finished = {name: count for name, count in state["audit"].items() if name.startswith("fulfilment.step_")}
        assert finished == dict.fromkeys(finished, 1) and len(finished) == len(state["run"]["steps"])
        assert state["audit"] == expected["audit"]  # the same transitions, each as often as without the kill
        assert state["audit"]["request.completed"] == 1
        assert len(faulty.completion_mails()) == 1 and len(reference.completion_mails()) == 1
    finally:
        reference.close()
        faulty.close()
