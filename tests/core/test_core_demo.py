"""`mamori demo` from nothing: migrates, applies onemall, prints a sign-in, serves web + worker, stops on Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def children_of(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(status.parent.name))
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to see the worker process")
def test_demo_serves_console_and_worker_and_stops_cleanly(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAMORI_") and k != "DJANGO_SETTINGS_MODULE"}
    env["MAMORI_DATA_DIR"] = str(tmp_path / "data")
    process = subprocess.Popen(
        [sys.executable, "-m", "mamori", "demo", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            output.append(line)
            if "Ctrl-C stops both" in line:
                break
        text = "".join(output)
        assert "Ctrl-C stops both" in text, text
        assert re.search(r"username:\s+demo", text), text
        assert re.search(r"password:\s+\S{12,}", text), text
        assert "privacy map: onemall version 1" in text, text

        with urllib.request.urlopen(f"http://127.0.0.1:{port}/console/login/", timeout=10) as response:
            assert response.status == 200
            assert b"mamori" in response.read()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/mamori/mamori.css", timeout=10) as response:
            assert response.status == 200
        worker_pids = children_of(process.pid)
        assert worker_pids, "the job worker is not running"

        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
        time.sleep(0.5)
        for pid in worker_pids:
            assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert (tmp_path / "data" / "mamori.sqlite3").is_file()
    # The generated key is kept private to the owner.
    assert oct((tmp_path / "data" / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_stylesheet_is_served(client) -> None:  # type: ignore[no-untyped-def]
    """Pages link /static/mamori/mamori.css; it must be served without collectstatic (whitenoise finders)."""
    response = client.get("/static/mamori/mamori.css")
    assert response.status_code == 200
    assert b"--c-accent" in b"".join(response.streaming_content)
