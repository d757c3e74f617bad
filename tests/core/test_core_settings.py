"""Settings come from the environment and bad values stop the process with a clear message."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

GOOD_KEY = "k" * 40
ENCRYPTION_KEY = "kN2m9yqH0cX1b7WJ3wO2Qz3oQe2r5cB1s8Xy6tQd0hE="


def run_mamori(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("MAMORI_") and k != "DJANGO_SETTINGS_MODULE"}
    base["MAMORI_ENCRYPTION_KEYS"] = ENCRYPTION_KEY
    base.update(env)
    return subprocess.run(
        [sys.executable, "-m", "mamori", *args], env=base, cwd=cwd, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "MAMORI_SECRET_KEY (or MAMORI_SECRET_KEY_FILE) must be set"),
        ({"MAMORI_SECRET_KEY": "short"}, "must be set to a random string of at least 32 characters"),
        ({"MAMORI_SECRET_KEY": GOOD_KEY, "MAMORI_DEBUG": "maybe"}, "MAMORI_DEBUG='maybe' is not a boolean"),
        (
            {"MAMORI_SECRET_KEY": GOOD_KEY, "MAMORI_DATABASE_URL": "oracle://x@y/z"},
            "MAMORI_DATABASE_URL has unsupported scheme 'oracle'",
        ),
        (
            {"MAMORI_SECRET_KEY": GOOD_KEY, "MAMORI_LOGIN_FAILURE_LIMIT": "0"},
            "MAMORI_LOGIN_FAILURE_LIMIT=0 is below the minimum 1",
        ),
        (
            {"MAMORI_SECRET_KEY": GOOD_KEY, "MAMORI_TIME_ZONE": "Mars/Olympus"},
            "MAMORI_TIME_ZONE='Mars/Olympus' is not a known time zone",
        ),
        (
            {"MAMORI_SECRET_KEY": GOOD_KEY, "MAMORI_SECRET_KEY_FILE": "/nonexistent"},
            "MAMORI_SECRET_KEY and MAMORI_SECRET_KEY_FILE are both set",
        ),
        ({"MAMORI_SECRET_KEY_FILE": "/nonexistent/secret"}, "MAMORI_SECRET_KEY_FILE: cannot read /nonexistent/secret"),
        ({"MAMORI_SECRET_KEY": GOOD_KEY, "MAMORI_ENCRYPTION_KEYS": ""}, "MAMORI_ENCRYPTION_KEYS (or MAMORI_ENCRYPTION"),
        (
            {"MAMORI_SECRET_KEY": GOOD_KEY, "MAMORI_ENCRYPTION_KEYS": "not-a-key"},
            "MAMORI_ENCRYPTION_KEYS: key 1 is not a valid Fernet key",
        ),
        ({"MAMORI_SECRET_KEY": GOOD_KEY, "MAMORI_ENCRYPTION_KEYS": ""}, "MAMORI_ENCRYPTION_KEYS (or MAMORI_ENCRYPTION"),
    ],
)
def test_bad_configuration_fails_loudly(tmp_path: Path, env: dict[str, str], message: str) -> None:
    result = run_mamori("system-check", env={"MAMORI_DATA_DIR": str(tmp_path), **env}, cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "mamori: configuration error:" in result.stderr
    assert message in result.stderr


def test_secret_key_file_is_read(tmp_path: Path) -> None:
    key_file = tmp_path / "key"
    key_file.write_text(GOOD_KEY + "\n")
    result = run_mamori(
        "system-check",
        "--fail-level",
        "ERROR",
        env={"MAMORI_SECRET_KEY_FILE": str(key_file), "MAMORI_DATA_DIR": str(tmp_path)},
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr


def test_default_database_is_a_sqlite_file_under_the_data_folder(tmp_path: Path) -> None:
    result = run_mamori(
        "migrate",
        "-v",
        "0",
        env={"MAMORI_SECRET_KEY": GOOD_KEY, "MAMORI_DATA_DIR": str(tmp_path / "d")},
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "d" / "mamori.sqlite3").is_file()
