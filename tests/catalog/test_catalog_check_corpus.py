"""`mamori check` on the broken-map corpus: every file states the exact lines it must produce.

Each broken map (a file, or a folder for merge problems) carries its expectations in comments
`# expect: LINE:COL: message` in the file the problem is in; the output must be exactly those
lines, prefixed with the file name, and nothing else.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mamori.catalog.mapfile.cli import main

REPO = Path(__file__).resolve().parents[2]
MAPS = Path("tests/catalog/maps")
EXPECT = re.compile(r"^# expect: (\d+:\d+: .+)$")


def _broken_maps() -> list[Path]:
    return sorted((REPO / MAPS / "broken").iterdir())


def _expected_lines(entry: Path) -> list[str]:
    files = sorted(entry.rglob("*.yaml")) if entry.is_dir() else [entry]
    lines = []
    for file in files:
        shown = file.relative_to(REPO).as_posix()
        for text in file.read_text(encoding="utf-8").splitlines():
            match = EXPECT.match(text)
            if match:
                lines.append(f"{shown}:{match.group(1)}")
    return lines


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


def test_the_corpus_is_large_enough() -> None:
    assert len(_broken_maps()) >= 24


@pytest.mark.parametrize("entry", _broken_maps(), ids=lambda entry: entry.name)
def test_broken_map_reports_exactly_its_problems(entry: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expected = _expected_lines(entry)
    assert expected, f"{entry.name} states no expectation"
    shown = entry.relative_to(REPO).as_posix()

    status = main([shown], prog="mamori check")

    out, err = capsys.readouterr()
    assert out.splitlines() == expected
    count = len(expected)
    assert err == f"{shown}: {count} problem{'' if count == 1 else 's'}\n"
    assert status == 1


@pytest.mark.parametrize("name", ["minimal.yaml", "full"])
def test_valid_maps_pass(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    shown = (MAPS / "valid" / name).as_posix()

    status = main([shown], prog="mamori check")

    out, err = capsys.readouterr()
    assert (status, out, err) == (0, "", f"{shown}: ok\n")


def test_a_file_with_three_problems_gives_three_lines(capsys: pytest.CaptureFixture[str]) -> None:
    main([(MAPS / "broken" / "multiple-problems.yaml").as_posix()], prog="mamori check")

    assert len(capsys.readouterr().out.splitlines()) == 3
