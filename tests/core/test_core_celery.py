"""Jobs on Celery with real brokers: a private Redis the test starts (and stops) on a spare port,
and the machine's RabbitMQ on a queue of the test's own. Workers are real `mamori worker` processes.

- A worker killed (SIGKILL) in the middle of a job: another worker gets the job and finishes it once.
- The broker stopped and started again with jobs queued: none lost.
- A job queued while the broker restarts waits for it instead of being lost.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import override_settings

from mamori.core import celery_jobs
from mamori.core.celery_jobs import CeleryBackend
from tests.core.celery_probe import probe

ROOT = Path(__file__).resolve().parents[2]
REDIS_SERVER = shutil.which("redis-server")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PrivateRedis:
    """A redis-server of this test's own, appending every write to disk as a broker should."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.port = folder, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        assert REDIS_SERVER
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("private redis-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: redis flushes its append-only file and exits
            self.process.wait(timeout=10)


@pytest.fixture
def redis_broker(tmp_path: Path) -> Iterator[PrivateRedis]:
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    folder = tmp_path / "redis"
    folder.mkdir()
    server = PrivateRedis(folder)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def rabbitmq_broker() -> str:
    try:
        socket.create_connection(("127.0.0.1", 5672), timeout=1).close()
    except OSError:
        pytest.skip("RabbitMQ is not reachable on 127.0.0.1:5672")
    return "amqp://guest:guest@127.0.0.1:5672//"


def stop_group(worker: subprocess.Popen[bytes]) -> None:
    """Stop a worker started in its own process group, with its pool: politely, then for good."""
    os.killpg(worker.pid, signal.SIGTERM)
    try:
        worker.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()


class Jobs:
    """Queue probe jobs on a broker and run `mamori worker` processes against it."""

    def __init__(self, broker: str, folder: Path) -> None:
        self.broker, self.folder = broker, folder
        self.queue = f"mamori-test-{uuid.uuid4().hex[:10]}"  # isolated on a shared broker
        self.workers: list[subprocess.Popen[bytes]] = []

    def settings(self) -> override_settings:
        return override_settings(
            MAMORI_BROKER_URL=self.broker, MAMORI_BROKER_QUEUE=self.queue, MAMORI_BROKER_VISIBILITY_TIMEOUT=2
        )

    def enqueue(self, name: str, hang_first: float = 0.0) -> None:
        celery_jobs.celery_app.cache_clear()
        with self.settings():
            CeleryBackend("celery", {"QUEUES": ["default"]}).enqueue(probe, [str(self.folder), name, hang_first], {})
        celery_jobs.celery_app.cache_clear()

    def start_worker(self) -> subprocess.Popen[bytes]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("MAMORI_")}
        env.update(
            {
                "MAMORI_SECRET_KEY": "celery-test-secret-key-0123456789abcdefghijkl",
                "MAMORI_DATA_DIR": str(self.folder / "data"),
                "MAMORI_TASKS": "celery",
                "MAMORI_BROKER_URL": self.broker,
                "MAMORI_BROKER_QUEUE": self.queue,
                "MAMORI_BROKER_VISIBILITY_TIMEOUT": "2",
                "PYTHONPATH": str(ROOT),
                "MAMORI_ENCRYPTION_KEYS": os.environ["MAMORI_ENCRYPTION_KEYS"],
            }
        )
        worker = subprocess.Popen(
            [sys.executable, "-m", "mamori", "worker", "--concurrency", "1"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=(self.folder / f"worker{len(self.workers)}.log").open("wb"),
            start_new_session=True,
        )
        self.workers.append(worker)
        return worker

    def kill(self, worker: subprocess.Popen[bytes]) -> None:
        os.killpg(worker.pid, signal.SIGKILL)  # the worker and its pool process, without warning
        worker.wait(timeout=10)

    def stop_all(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                stop_group(worker)

    def trace(self, name: str, kind: str) -> list[str]:
        path = self.folder / f"{name}.{kind}"
        return path.read_text(encoding="utf-8").split() if path.exists() else []

    def wait_for(self, condition: object, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():  # type: ignore[operator]
                return
            time.sleep(0.1)
        logs = "\n".join(p.read_text(errors="replace")[-2000:] for p in self.folder.glob("worker*.log"))
        raise AssertionError(f"timed out; worker logs:\n{logs}")


@pytest.fixture
def jobs_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "jobs"
    (folder / "data").mkdir(parents=True)
    return folder


@pytest.mark.parametrize("broker", ["redis", "rabbitmq"])
def test_a_job_whose_worker_is_killed_is_finished_once_by_another(
    broker: str, request: pytest.FixtureRequest, jobs_folder: Path
) -> None:
    url = (
        request.getfixturevalue("redis_broker").url if broker == "redis" else request.getfixturevalue("rabbitmq_broker")
    )
    jobs = Jobs(url, jobs_folder)
    try:
        first = jobs.start_worker()
        jobs.enqueue("erasure", hang_first=120)
        jobs.wait_for(lambda: len(jobs.trace("erasure", "starts")) == 1)
        jobs.kill(first)
        assert jobs.trace("erasure", "done") == []

        jobs.start_worker()
        jobs.wait_for(lambda: jobs.trace("erasure", "done"))
        starts, done = jobs.trace("erasure", "starts"), jobs.trace("erasure", "done")
        assert len(starts) == 2 and starts[0] != starts[1]  # delivered again, to another process
        assert len(done) == 1 and done[0] == starts[1]  # and finished exactly once
    finally:
        jobs.stop_all()


def test_jobs_queued_while_the_broker_restarts_are_not_lost(redis_broker: PrivateRedis, jobs_folder: Path) -> None:
    jobs = Jobs(redis_broker.url, jobs_folder)
    try:
        for number in range(20):
            jobs.enqueue(f"job{number}")
        redis_broker.stop()  # no worker has taken anything yet
        redis_broker.start()

        restarter = threading.Timer(1.5, redis_broker.start)
        redis_broker.stop()
        restarter.start()
        jobs.enqueue("during-restart")  # waits for the broker instead of failing
        restarter.join()

        jobs.start_worker()
        names = [f"job{number}" for number in range(20)] + ["during-restart"]
        jobs.wait_for(lambda: all(jobs.trace(name, "done") for name in names))
        assert all(len(jobs.trace(name, "done")) == 1 for name in names)
    finally:
        jobs.stop_all()


def test_a_broker_url_selects_celery_and_a_bad_one_is_refused(tmp_path: Path) -> None:
    from tests.core.test_core_settings import GOOD_KEY, run_mamori

    env = {"MAMORI_SECRET_KEY": GOOD_KEY, "MAMORI_DATA_DIR": str(tmp_path), "MAMORI_BROKER_URL": "http://nope"}
    result = run_mamori("system-check", env=env, cwd=tmp_path)
    assert result.returncode == 2 and "MAMORI_BROKER_URL must be a redis://" in result.stderr
    env["MAMORI_BROKER_URL"] = "redis://127.0.0.1:6379/15"
    shown = run_mamori(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.TASKS['default']['BACKEND'])",
        env=env,
        cwd=tmp_path,
    )
    assert shown.stdout.strip().splitlines()[-1] == "mamori.core.celery_jobs.CeleryBackend", shown.stderr
