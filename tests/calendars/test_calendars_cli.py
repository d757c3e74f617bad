"""`mamori calendar ...` through the installed console script, with no Django settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

MAMORI = Path(sys.executable).parent / "mamori"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    if not MAMORI.exists():
        pytest.skip(f"console script not installed next to {sys.executable}")
    # No MAMORI_* variables and no DJANGO_SETTINGS_MODULE: the calendar commands need no set-up.
    env = {key: value for key, value in os.environ.items() if not key.startswith(("MAMORI_", "DJANGO_"))}
    return subprocess.run(
        [str(MAMORI), "calendar", *args], capture_output=True, text=True, env=env, timeout=60, check=False
    )


def test_add_business_days_prints_the_iso_date():
    result = run("add-business-days", "--calendar", "JP", "2026-12-25", "10")
    assert (result.returncode, result.stdout, result.stderr) == (0, "2027-01-15\n", "")
    result = run("add-business-days", "--calendar", "US-CA", "2026-12-25", "10")
    assert (result.returncode, result.stdout) == (0, "2027-01-11\n")


def test_company_closures_on_the_command_line():
    result = run(
        "add-business-days",
        "--calendar",
        "JP",
        "--closure",
        "2027-01-04",
        "--closure",
        "2027-01-05",
        "2026-12-25",
        "1",
    )
    assert (result.returncode, result.stdout) == (0, "2026-12-28\n")
    result = run("add-business-days", "--calendar", "JP", "--closure", "2026-12-28", "2026-12-25", "1")
    assert (result.returncode, result.stdout) == (0, "2027-01-04\n")


@pytest.mark.parametrize(("day", "answer"), [("2027-01-04", "yes"), ("2027-01-03", "no"), ("2027-01-11", "no")])
def test_is_business_day_answers_yes_or_no_with_exit_status_0(day, answer):
    result = run("is-business-day", "--calendar", "JP", day)
    assert (result.returncode, result.stdout, result.stderr) == (0, f"{answer}\n", "")


def test_holidays_lists_closed_days_with_names():
    result = run("holidays", "--calendar", "JP", "2027")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "2027-01-01\tNew Year's Day; Year-end closure"
    assert "2027-01-11\tComing of Age Day" in lines
    assert "2027-03-22\tSubstitute Holiday" in lines
    assert lines[-1] == "2027-12-31\tYear-end closure"
    assert len(lines) == 16 + 6  # 16 national holidays (Cabinet Office list) + the other 6 closure days

    japanese = run("holidays", "--calendar", "JP", "--language", "ja", "2027")
    assert "2027-01-11\t成人の日" in japanese.stdout.splitlines()


def test_add_months_gdpr():
    result = run("add-months-gdpr", "--calendar", "EU-FR", "2026-01-31", "1")
    assert (result.returncode, result.stdout) == (0, "2026-03-02\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("add-business-days", "--calendar", "JP", "2026-02-30", "10"), "invalid date '2026-02-30'"),
        (("add-business-days", "--calendar", "JP", "25/12/2026", "10"), "invalid date '25/12/2026'"),
        (("add-business-days", "--calendar", "MARS", "2026-12-25", "10"), "Unknown calendar 'MARS'; valid"),
        (("add-business-days", "--calendar", "JP", "2026-12-25", "-3"), "must not be negative"),
        (("add-business-days", "--calendar", "JP", "2026-12-25", "ten"), "invalid count 'ten'"),
        (("add-business-days", "2026-12-25", "10"), "--calendar"),
        (("is-business-day", "--calendar", "JP", "tomorrow"), "invalid date 'tomorrow'"),
        (("holidays", "--calendar", "JP", "2150"), "1949 to 2099"),
        (("holidays", "--calendar", "EU-XX", "2026"), "Unknown calendar"),
        (("fortnight",), "invalid choice"),
        ((), "COMMAND"),
    ],
)
def test_bad_input_exits_2_with_a_message_on_stderr(args, message):
    result = run(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert message in result.stderr
