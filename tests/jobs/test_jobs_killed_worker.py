"""A real `mamori worker` process killed with SIGKILL mid-fulfilment: another worker picks the job up
once its lease lapses and resumes from the last committed step; after too many deaths the run fails
visibly, the request shows it and the officer gets an e-mail."""

from __future__ import annotations

import email
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tests.fulfilment.fulfilment_webhook_server import SECRET, StorageAdapter, start
from tests.rights.test_rights_smtp import Inbox

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")


class HoldingAdapter(StorageAdapter):
    """Answers like the company's storage adapter, but holds chosen calls until the test lets go,
    so the test can kill the worker while a step is in flight."""

    def __init__(self) -> None:
        super().__init__()
        self.hold: set[str] = set()
        self.arrived = threading.Event()
        self.release = threading.Event()
        self.answered: list[str] = []
        # action -> how many more times to answer it with counts that are not numbers (the
        # connector raises ValueError, not a refusal); "erased" answers after erasing for real.
        self.garble: dict[str, int] = {}
        self.garble_after_erasing = False

    def answer(self, body: dict[str, Any], key: str) -> dict[str, Any]:
        if self.garble.get(body["action"], 0) > 0:
            self.garble[body["action"]] -= 1
            if self.garble_after_erasing:
                super().answer(body, key)
            self.answered.append("garbled " + body["action"])
            return {"erased": {"objects": "many"}}
        if body["action"] in self.hold:
            self.hold.discard(body["action"])
            self.arrived.set()
            self.release.wait(60)
            raise ConnectionAbortedError("the caller is gone")
        result = super().answer(body, key)
        self.answered.append(body["action"])
        return result


@pytest.fixture
def world(tmp_path: Path) -> Iterator[dict[str, Any]]:
    from mamori.fulfilment.demo_shop import create_shop

    adapter = HoldingAdapter()
    server, url = start(adapter)
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    shop = tmp_path / "shop.sqlite3"
    create_shop(shop)
    env = {key: value for key, value in os.environ.items() if not key.startswith("MAMORI_")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "mamori.settings",
            "MAMORI_DATA_DIR": str(tmp_path / "data"),
            "MAMORI_SECRET_KEY": "worker-test-secret-key-0123456789abcdef0123456789",
            "MAMORI_ENCRYPTION_KEYS": "kN2m9yqH0cX1b7WJ3wO2Qz3oQe2r5cB1s8Xy6tQd0hE=",
            "MAMORI_TASKS": "database",
            "MAMORI_JOB_LEASE_SECONDS": "2",
            "MAMORI_JOB_MAX_ATTEMPTS": "3",
            "MAMORI_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "MAMORI_EMAIL_HOST": "127.0.0.1",
            "MAMORI_EMAIL_PORT": str(port),
            "MAMORI_ONEMALL_SHOP_URL": f"sqlite:///{shop}",
            "MAMORI_ONEMALL_OSS_WEBHOOK_URL": url,
            "MAMORI_ONEMALL_OSS_WEBHOOK_SECRET": SECRET,
            "MAMORI_LOG_LEVEL": "WARNING",
        }
    )
    workers: list[subprocess.Popen[bytes]] = []
    try:
        yield {"env": env, "adapter": adapter, "inbox": inbox, "workers": workers}
    finally:
        adapter.release.set()
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
        smtp.stop()
        server.shutdown()
        server.server_close()


def _scenario(world: dict[str, Any], command: str) -> Any:
    done = subprocess.run(
        [sys.executable, "-m", "tests.jobs.scenario", command],
        cwd=ROOT,
        env=world["env"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _worker(world: dict[str, Any]) -> subprocess.Popen[bytes]:
    worker = subprocess.Popen(
        [sys.executable, "-m", "mamori", "worker", "--interval", "0.2"],
        cwd=ROOT,
        env=world["env"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    world["workers"].append(worker)
    return worker


def _kill_while_held(world: dict[str, Any], action: str) -> None:
    adapter: HoldingAdapter = world["adapter"]
    adapter.arrived.clear()
    adapter.hold.add(action)
    worker = _worker(world)
    assert adapter.arrived.wait(90), f"the worker never called the storage adapter ({action})"
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    adapter.release.set()
    time.sleep(0.2)
    adapter.release.clear()


def _wait_for(world: dict[str, Any], done: Any, seconds: float = 90) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        state = _scenario(world, "status")
        if done(state) or time.monotonic() > deadline:
            return state
        time.sleep(1)


def test_a_killed_worker_is_replaced_and_the_run_resumes_from_the_last_step(world: dict[str, Any]) -> None:
    _scenario(world, "setup")
    _kill_while_held(world, "erase")  # killed in the middle of erasing the storage adapter's objects
    state = _scenario(world, "status")
    assert state["jobs"][0]["status"] == "RUNNING"  # what a dead worker leaves behind
    _kill_while_held(world, "find")  # the next worker took over, and is killed while verifying
    _worker(world)
    state = _wait_for(world, lambda s: s["jobs"][0]["status"] == "SUCCESSFUL")
    # Done: the request came through the API, so onemall's returned paper forms (a manual task for
    # requests on paper) have nothing to do for it.
    assert state["jobs"][0]["status"] == "SUCCESSFUL", state
    assert (state["run"]["status"], state["request"]["outcome"]) == ("completed", "completed"), state
    assert {step["status"] for step in state["run"]["steps"] if step["action"] != "manual"} == {"done"}, state
    shop_steps = [step for step in state["run"]["steps"] if step["system"] == "shop-db"]
    assert shop_steps and all(step["attempts"] == 1 for step in shop_steps)  # nothing done twice
    assert world["adapter"].answered.count("erase") == 1
    assert state["jobs"][0]["workers"] == 3 and state["leases"] == []
    assert not any("FAILED" in str(message["Subject"]) for message in world["inbox"].messages)


def test_after_too_many_deaths_the_run_fails_visibly_and_the_officer_is_told(world: dict[str, Any]) -> None:
    world["env"]["MAMORI_JOB_MAX_ATTEMPTS"] = "2"
    _scenario(world, "setup")
    _kill_while_held(world, "erase")
    _kill_while_held(world, "erase")
    _worker(world)
    state = _wait_for(world, lambda s: s["jobs"][0]["status"] == "FAILED")
    assert state["jobs"][0]["status"] == "FAILED", state
    assert state["run"]["status"] == "failed" and "stopped 2 times" in state["run"]["message"]
    assert state["request"]["status"] == "in_progress" and state["request"]["outcome"] == "failed"
    deadline = time.monotonic() + 10

    def to_officer() -> list[email.message.Message]:
        return [message for message in world["inbox"].messages if message["To"] == "officer@example.com"]

    while not to_officer() and time.monotonic() < deadline:
        time.sleep(0.2)
    [message] = to_officer()
    assert "FAILED" in str(email.header.make_header(email.header.decode_header(message["Subject"])))


def test_a_job_that_raises_is_retried_and_resumes(world: dict[str, Any]) -> None:
    world["adapter"].garble["erase"] = 1
    world["adapter"].garble_after_erasing = True  # the erase happened; only the answer was garbled
    _scenario(world, "setup")
    _worker(world)
    state = _wait_for(world, lambda s: s["jobs"][0]["status"] in ("SUCCESSFUL", "FAILED"))
    assert state["jobs"][0]["status"] == "SUCCESSFUL", state
    assert state["jobs"][0]["workers"] == 2  # claimed twice: the raise, then the retry
    # Completed: an API request has no paper-forms task (onemall's manual system is for paper).
    assert (state["run"]["status"], state["request"]["outcome"]) == ("completed", "completed"), state
    assert world["adapter"].answered.count("garbled erase") == 1 and world["adapter"].answered.count("erase") == 0
    assert not any("FAILED" in str(message["Subject"]) for message in world["inbox"].messages)


def test_a_job_that_keeps_raising_fails_visibly_and_the_officer_is_told(world: dict[str, Any]) -> None:
    world["env"]["MAMORI_JOB_MAX_ATTEMPTS"] = "2"
    world["adapter"].garble["erase"] = 99
    _scenario(world, "setup")
    _worker(world)
    state = _wait_for(world, lambda s: s["jobs"][0]["status"] == "FAILED")
    assert state["jobs"][0]["status"] == "FAILED", state
    assert state["jobs"][0]["workers"] == 2 and state["leases"] == []
    assert state["run"]["status"] == "failed" and "failed 2 times (ValueError)" in state["run"]["message"]
    assert state["request"]["status"] == "in_progress" and state["request"]["outcome"] == "failed"
    assert "ValueError" in state["request"]["summary"]["message"]
    deadline = time.monotonic() + 10

    def to_officer() -> list[email.message.Message]:
        return [message for message in world["inbox"].messages if message["To"] == "officer@example.com"]

    while not to_officer() and time.monotonic() < deadline:
        time.sleep(0.2)
    [message] = to_officer()
    assert "FAILED" in str(email.header.make_header(email.header.decode_header(message["Subject"])))
    assert "failed 2 times (ValueError)" in message.get_payload(decode=True).decode("utf-8")
