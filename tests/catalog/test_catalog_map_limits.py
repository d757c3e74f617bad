"""A privacy map is input too: aliases, nesting, size and the number of messages are bounded, each
refusal a `FILE:LINE:COL: message` with exit 1, in `mamori check` and `mamori map apply`."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from mamori.catalog.mapfile import cli
from mamori.catalog.mapfile.yamlsource import MAX_FILE_BYTES
from mamori.catalog.models import MapVersion

LOCATED = re.compile(r"^[^:]+\.yaml:\d+:\d+: ")


def _laughs() -> str:
    lines = ["mamori: 1", 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 20):
        name, previous = f"l{level}", "a" if level == 1 else f"l{level - 1}"
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    return "\n".join(lines) + "\n"


HOSTILE = {
    "laughs.yaml": (_laughs, "expands to more than"),
    "brackets.yaml": (lambda: "mamori: 1\nx: " + "[" * 5000 + "]" * 5000 + "\n", "nested more than 64 levels"),
    "braces.yaml": (lambda: "mamori: 1\nx: " + "{a: " * 5000 + "1" + "}" * 5000 + "\n", "nested more than 64 levels"),
    "huge.yaml": (lambda: "mamori: 1\n" + "# padding\n" * (MAX_FILE_BYTES // 10 + 1), "larger than"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_check_refuses_hostile_maps_with_a_location(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str):
    make, expected = HOSTILE[name]
    path = tmp_path / name
    path.write_text(make(), encoding="utf-8")
    assert cli.main([str(path)]) == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1 and LOCATED.match(lines[0]) and expected in lines[0], lines


def test_check_prints_at_most_200_problems(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    path = tmp_path / "dupes.yaml"
    path.write_text("".join(f"k: {i}\n" for i in range(5000)), encoding="utf-8")
    assert cli.main([str(path)]) == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 201
    assert all(LOCATED.match(line) for line in lines)
    assert "more problems not shown" in lines[-1]


@pytest.mark.django_db
def test_map_apply_refuses_billion_laughs(tmp_path: Path):
    path = tmp_path / "laughs.yaml"
    path.write_text(_laughs(), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("map", "apply", str(path), stdout=StringIO(), stderr=err)
    assert raised.value.returncode == 1
    assert LOCATED.match(err.getvalue()) and "expands to more than" in err.getvalue()
    assert not MapVersion.objects.exists()
