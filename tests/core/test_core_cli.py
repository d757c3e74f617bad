"""Commands that need no database run on a fresh clone with nothing configured."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def bare_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("MAMORI_", "DJANGO_"))}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["check", "examples/onemall"], ""),
        (["calendar", "add-business-days", "--calendar", "JP", "2026-12-25", "10"], "2027-01-15"),
        (
            ["notices", "render", "examples/onemall", "--kind", "privacy", "--lang", "en", "--format", "md"],
            "INAGORA Co., Ltd.",
        ),
    ],
)
def test_pure_commands_need_no_settings(args: list[str], expected: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mamori", *[str(REPO / a) if a.startswith("examples/") else a for a in args]],
        env=bare_env(),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout
    assert not (tmp_path / "data").exists(), "a pure command must not create a data folder"
