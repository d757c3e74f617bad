"""The real `mamori` console script: exit codes, output streams, JSON output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
VALID = "tests/catalog/maps/valid/minimal.yaml"
BROKEN = "tests/catalog/maps/broken/multiple-problems.yaml"


def mamori_check(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).parent / "mamori"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "mamori"]
    # No Django settings at all: `mamori check` must not need them.
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    return subprocess.run(
        [*command, "check", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_a_valid_map_exits_0_and_says_ok() -> None:
    result = mamori_check(VALID)

    assert result.returncode == 0
    assert result.stdout == ""
    assert result.stderr == f"{VALID}: ok\n"


def test_an_invalid_map_exits_1_with_one_line_per_problem() -> None:
    result = mamori_check(BROKEN)

    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    assert all(line.startswith(f"{BROKEN}:") for line in lines)
    assert result.stderr == f"{BROKEN}: 3 problems\n"


def test_a_missing_file_exits_2() -> None:
    result = mamori_check("no/such/map.yaml")

    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == "no/such/map.yaml: cannot read: no such file or folder\n"


def test_a_file_that_is_not_utf8_exits_2(tmp_path: Path) -> None:
    (tmp_path / "latin1.yaml").write_bytes("mamori: 1\norganisation: {id: caf\xe9}\n".encode("latin-1"))

    result = mamori_check("latin1.yaml", cwd=tmp_path)

    assert result.returncode == 2
    assert result.stderr == "latin1.yaml: cannot read: not UTF-8 text (line 2, byte 23)\n"


def test_a_binary_file_exits_2(tmp_path: Path) -> None:
    (tmp_path / "image.yaml").write_bytes(b"\x00\x01\x02binary")

    result = mamori_check("image.yaml", cwd=tmp_path)

    assert result.returncode == 2
    assert result.stderr.startswith("image.yaml: cannot read: not a text file")


def test_a_folder_without_yaml_files_exits_2(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()

    result = mamori_check("empty", cwd=tmp_path)

    assert result.returncode == 2
    assert result.stderr == "empty: cannot read: the folder holds no *.yaml or *.yml file\n"


def test_several_maps_are_checked_and_the_worst_status_wins() -> None:
    result = mamori_check(VALID, BROKEN, "missing.yaml")

    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"{VALID}: ok",
        f"{BROKEN}: 3 problems",
        "missing.yaml: cannot read: no such file or folder",
    ]


def test_absolute_paths_inside_the_current_folder_are_shown_relative() -> None:
    result = mamori_check(str(REPO / BROKEN))

    assert result.stdout.splitlines()[0].startswith(f"{BROKEN}:19:9: ")


def test_json_output_for_machines() -> None:
    result = mamori_check("--format", "json", VALID, BROKEN)

    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False
    valid, broken = report["maps"]
    assert valid == {"path": VALID, "ok": True, "problems": [], "error": None}
    assert broken["ok"] is False
    assert broken["problems"][1] == {
        "file": BROKEN,
        "line": 25,
        "col": 12,
        "message": "expected one of first, third; got 'third-party'",
    }


@pytest.mark.parametrize("argv", [[], ["--format", "xml", VALID]])
def test_usage_errors_exit_2(argv: list[str]) -> None:
    assert mamori_check(*argv).returncode == 2


def test_every_example_passes_as_the_issue_writes_it() -> None:
    """`mamori check examples/*`: the shell also passes examples/README.md, which is skipped, not an error."""
    paths = sorted(str(p.relative_to(REPO)) for p in (REPO / "examples").iterdir())
    result = mamori_check(*paths)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "examples/README.md: skipped (not a .yaml or .yml file)" in result.stderr
    for name in ("i-pro", "inpro", "onemall", "picocela", "fides-sample"):
        assert f"examples/{name}: ok" in result.stderr
