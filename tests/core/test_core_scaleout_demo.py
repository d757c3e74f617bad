"""The demo in production mode: `mamori serve --workers 2` and a Celery `mamori worker` on a fresh
PostgreSQL database, with a private Redis as broker and shared cache. Everything a person would do
goes over HTTP:

- Hanako files an access request on the privacy center and types the code she was e-mailed; her
  data points match the shop, so the request is verified by itself;
- the demo officer signs in (password and authenticator code), shows the plan and executes it;
- the job runs on the Celery worker (the web processes run no jobs): shop, storage adapter and the
  paper forms' task for staff;
- the officer records the paper forms done; the request completes, Hanako is told and downloads
  her package.
"""

from __future__ import annotations

import contextlib
import email.header
import http.cookiejar
import io
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.core.test_core_celery import PrivateRedis, free_port, redis_broker  # noqa: F401 - fixture
from tests.core.test_core_scaleout import (  # noqa: F401 - fixtures
    mamori_env,
    once_per_suite_run,
    postgres_databases,
    postgres_template,
    postgres_url,
    two_web_processes,
)
from tests.rights.test_rights_smtp import Inbox, smtp  # noqa: F401 - fixture

REPO = Path(__file__).resolve().parents[2]
HANAKO = "hanako.yamada@example.jp"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Browser:
    """A person's browser without JavaScript: cookies, CSRF tokens from the forms, redirects followed."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> tuple[int, str, bytes]:
        return self._open(urllib.request.Request(self.base + path, headers={"Accept-Language": "en"}))  # noqa: S310

    def submit(self, form_page: str, action: str, fields: dict[str, str]) -> tuple[int, str, bytes]:
        """Post `fields` to `action` with the CSRF token of the form on `form_page`."""
        _status, _url, page = self.get(form_page)
        found = CSRF.search(page.decode())
        assert found, f"no form on {form_page}"
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": found.group(1), **fields}).encode()
        request = urllib.request.Request(  # noqa: S310 - the test server on loopback
            self.base + action,
            data=body,
            headers={"Accept-Language": "en", "Referer": self.base + form_page},
        )
        return self._open(request)

    def _open(self, request: urllib.request.Request) -> tuple[int, str, bytes]:
        try:
            with self.opener.open(request, timeout=60) as response:
                return int(response.status), str(response.url), response.read()
        except urllib.error.HTTPError as exc:
            return int(exc.code), str(exc.url), exc.read()


def wait_until(what: str, check: Callable[[], Any], seconds: float = 120) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def mails_to(inbox: Inbox, address: str) -> list[tuple[str, str]]:
    found = []
    for message in list(inbox.messages):
        if message["To"] != address:
            continue
        subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
        payload = message.get_payload(decode=True)
        body = payload.decode(message.get_content_charset() or "utf-8") if isinstance(payload, bytes) else ""
        found.append((subject, body))
    return found


@once_per_suite_run
def test_the_demo_runs_on_postgresql_with_two_web_processes_and_a_celery_worker(
    tmp_path: Path,
    postgres_url: str,  # noqa: F811
    redis_broker: PrivateRedis,  # noqa: F811
    smtp: tuple[Inbox, int],  # noqa: F811
) -> None:
    psycopg = pytest.importorskip("psycopg")
    inbox, smtp_port = smtp
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    redis = redis_broker.url.rsplit("/", 1)[0]
    env = mamori_env(
        tmp_path,
        MAMORI_DEMO="1",
        MAMORI_DATABASE_URL=postgres_url,
        MAMORI_BROKER_URL=f"{redis}/0",
        MAMORI_BROKER_QUEUE=f"mamori-demo-{uuid.uuid4().hex[:8]}",
        MAMORI_CACHE_URL=f"{redis}/1",
        MAMORI_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        MAMORI_EMAIL_HOST="127.0.0.1",
        MAMORI_EMAIL_PORT=str(smtp_port),
        MAMORI_ONEMALL_SHOP_URL=f"sqlite:///{tmp_path / 'data' / 'onemall-shop.sqlite3'}",
        # The demo's own storage adapter, served by the web processes (as `mamori demo` sets it up).
        MAMORI_ONEMALL_OSS_WEBHOOK_URL=f"{base}/demo/onemall-storage/",
        MAMORI_ONEMALL_OSS_WEBHOOK_SECRET="demo-storage-secret-for-the-scale-out-test",
    )
    from mamori.fulfilment.demo_shop import ensure_demo_shop

    ensure_demo_shop(tmp_path / "data")

    def mamori(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "mamori", *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    setup = mamori("demo", "--no-serve")
    username = re.search(r"username:\s+(\S+)", setup)
    password = re.search(r"password:\s+(\S+)", setup)
    assert username and password, setup

    processes: list[subprocess.Popen[bytes]] = []

    def spawn(*args: str, log: str) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            [sys.executable, "-m", "mamori", *args],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=(tmp_path / log).open("wb"),
            start_new_session=True,  # own process group: nothing is left behind when the test ends
        )
        processes.append(process)
        return process

    db = psycopg.connect(postgres_url.replace("postgres://", "postgresql://"), autocommit=True)

    def request_row() -> tuple[Any, ...] | None:
        return db.execute("SELECT id, status, outcome_status FROM rights_rightsrequest").fetchone()

    web = contextlib.ExitStack()
    try:
        web.enter_context(two_web_processes(env, tmp_path, ready_path="/privacy/onemall/", port=port))
        spawn("worker", "--concurrency", "1", log="worker.log")
        requester, officer = Browser(base), Browser(base)

        # Hanako files an access request and confirms her address with the e-mailed code.
        # The form's first step asks where she lives; the second (that place's rights) is the form.
        form = "/privacy/onemall/requests/new/?jurisdiction=JP"
        status, status_url, _page = requester.submit(
            form,
            form,
            {
                "jurisdiction": "JP",
                "right": "access",
                "requester_name": "Hanako Yamada",
                "requester_email": HANAKO,
                "phone": "+81 90-1234-5678",
                "delivery": "electronic",
            },
        )
        assert status == 200 and "/requests/status/" in status_url, status_url
        status_path = urllib.parse.urlparse(status_url).path
        code = wait_until(
            "the code e-mail",
            lambda: next((m.group(1) for _s, b in mails_to(inbox, HANAKO) if (m := re.search(r"\b(\d{6})\b", b))), ""),
        )
        status, _url, page = requester.submit(status_path, status_path + "verify/", {"code": code})
        assert status == 200 and b"confirmed" in page
        request_id, state, _outcome = wait_until("verification", request_row)
        assert state == "verified", state

        # The officer signs in and sets the engine to work.
        login = "/console/login/"
        credentials = {"username": username.group(1), "password": password.group(1)}
        status, url, _page = officer.submit(login, login, credentials)
        assert urllib.parse.urlparse(url).path == "/console/login/code/", url
        totp = mamori("staff", "totp-code", username.group(1)).split()[-1]
        status, url, _page = officer.submit("/console/login/code/", "/console/login/code/", {"code": totp})
        assert status == 200 and urllib.parse.urlparse(url).path == "/console/", url
        detail = f"/console/requests/{request_id}/"
        assert officer.submit(detail, f"{detail}plan/", {})[0] == 200
        assert officer.submit(detail, f"{detail}execute/", {"confirmed": "yes"})[0] == 200

        # The Celery worker runs it to the end: a request made online has no paper-forms task
        # (onemall's manual system covers requests on paper only).
        wait_until("completion", lambda: request_row()[1] == "completed")  # type: ignore[index]
        wait_until("the completion e-mail", lambda: any("complete" in s.lower() for s, _b in mails_to(inbox, HANAKO)))
        subjects = [subject for subject, _body in mails_to(inbox, HANAKO)]
        assert sum("complete" in subject.lower() for subject in subjects) == 1, subjects
        # Downloading takes the status link and a fresh code from the e-mail.
        before = len(mails_to(inbox, HANAKO))
        status, _url, _page = requester.submit(status_path, status_path + "download/code/", {})
        assert status == 200
        fresh = wait_until(
            "the download code",
            lambda: next(
                (m.group(1) for _s, b in mails_to(inbox, HANAKO)[before:] if (m := re.search(r"\b(\d{6})\b", b))), ""
            ),
        )
        status, _url, package = requester.submit(status_path, status_path + "download/", {"code": fresh})
        assert status == 200
        with zipfile.ZipFile(io.BytesIO(package)) as archive:
            text = b"".join(archive.read(name) for name in archive.namelist())
        assert HANAKO.encode() in text and b"taro.suzuki@example.jp" not in text  # hers only

        web.close()  # the web processes stop cleanly
    finally:
        web.close()
        db.close()
        for process in processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _answers(browser: Browser, path: str) -> bool:
    try:
        return browser.get(path)[0] == 200
    except OSError:  # not listening yet
        return False
