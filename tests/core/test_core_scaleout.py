"""Production mode on one machine: PostgreSQL, two web processes behind one port (gunicorn), and
the rate limits in a Redis that both processes share, so a client cannot sidestep a limit by
landing on the other process."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import connection

from tests.core.test_core_celery import PrivateRedis, free_port, redis_broker  # noqa: F401 - fixture
from tests.core.test_core_demo import children_of

REPO = Path(__file__).resolve().parents[2]


ADMIN_URL = "postgresql://root@127.0.0.1:5432/postgres"
# These tests start their own processes on fresh databases of their own, whatever database the
# suite itself runs on; CI runs the suite twice (SQLite, then PostgreSQL), so they run in the first.
once_per_suite_run = pytest.mark.skipif(
    connection.vendor == "postgresql",
    reason="runs its own processes on its own PostgreSQL databases: already run in the SQLite pass",
)


@pytest.fixture(scope="session")
def postgres_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A PostgreSQL database migrated, with the onemall map applied, once per test session: each
    test's fresh database is a copy of it (CREATE DATABASE ... TEMPLATE), which spares a migration."""
    psycopg = pytest.importorskip("psycopg")
    try:
        admin = psycopg.connect(ADMIN_URL, autocommit=True)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL is not reachable on 127.0.0.1:5432 ({type(exc).__name__})")
    name = f"mamori_scale_template_{uuid.uuid4().hex[:10]}"
    admin.execute(f"CREATE DATABASE {name}")
    try:
        folder = tmp_path_factory.mktemp("template")
        env = mamori_env(folder, MAMORI_DATABASE_URL=f"postgres://root@127.0.0.1:5432/{name}")
        for command in (["migrate", "-v", "0"], ["map", "apply", str(REPO / "examples" / "onemall")]):
            done = subprocess.run(
                [sys.executable, "-m", "mamori", *command], env=env, cwd=folder, capture_output=True, text=True
            )
            assert done.returncode == 0, done.stderr
        yield name
    finally:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


@pytest.fixture
def postgres_databases(postgres_template: str) -> Iterator[Callable[[], str]]:
    """Make fresh databases (copies of the template) for this test; all dropped afterwards."""
    import psycopg

    admin = psycopg.connect(ADMIN_URL, autocommit=True)
    made: list[str] = []

    def make() -> str:
        name = f"mamori_scale_{uuid.uuid4().hex[:10]}"
        admin.execute(f"CREATE DATABASE {name} TEMPLATE {postgres_template}")
        made.append(name)
        return f"postgres://root@127.0.0.1:5432/{name}"

    try:
        yield make
    finally:
        for name in made:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


@pytest.fixture
def postgres_url(postgres_databases: Callable[[], str]) -> str:
    """A fresh PostgreSQL database, migrated, with the onemall map applied."""
    return postgres_databases()


def mamori_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAMORI_") and k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        {
            "MAMORI_SECRET_KEY": "scale-out-test-secret-key-0123456789abcdefghij",
            "MAMORI_ENCRYPTION_KEYS": os.environ["MAMORI_ENCRYPTION_KEYS"],
            "MAMORI_DATA_DIR": str(tmp_path / "data"),
        }
    )
    env.update(extra)
    return env


@contextlib.contextmanager
def two_web_processes(
    env: dict[str, str], folder: Path, ready_path: str = "/privacy/onemall/", port: int = 0
) -> Iterator[int]:
    """`mamori serve --workers 2` on `port` (a spare one by default), answering `ready_path`.

    It runs in its own process group, killed whole at the end, so a failed test leaves no gunicorn
    behind."""
    port = port or free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "mamori", "serve", "--workers", "2", "--port", str(port)],
        env=env,
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=(folder / f"web-{port}.log").open("wb"),
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{ready_path}", timeout=20) as response:
                    assert response.status == 200
                    break
            except OSError:  # not listening yet, or still starting up
                if time.monotonic() > deadline:
                    raise AssertionError("the web processes did not answer") from None
                time.sleep(0.2)
        (gunicorn,) = children_of(server.pid)
        assert len(children_of(gunicorn)) == 2  # two web processes behind the one port
        yield port
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=30) == 0  # stops cleanly
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def post(url: str) -> int:
    request = urllib.request.Request(  # noqa: S310 - the test server on loopback
        url, data=b"{}", method="POST", headers={"Content-Type": "text/plain"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


@once_per_suite_run
def test_two_web_processes_on_postgresql_share_their_rate_limits(
    tmp_path: Path,
    postgres_url: str,
    redis_broker: PrivateRedis,  # noqa: F811
) -> None:
    env = mamori_env(
        tmp_path, MAMORI_DATABASE_URL=postgres_url, MAMORI_CACHE_URL=redis_broker.url, MAMORI_CONSENT_RATE="6/m"
    )
    with two_web_processes(env, tmp_path) as port:
        # Malformed events from one address: the first six get their 422, every later one a 429,
        # whichever process answers (each keeps no count of its own).
        # The limit counts in fixed one-minute windows: start early in one so all 14 land in it.
        while time.time() % 60 > 45:
            time.sleep(0.5)
        statuses = [post(f"http://127.0.0.1:{port}/api/v1/consent/events") for _ in range(14)]
        assert statuses[:6] == [422] * 6 and set(statuses[6:]) == {429}, statuses
