"""`mamori scan` refuses bad input with a clear message and exit code 2, before any browser starts."""

from __future__ import annotations

import pytest

from mamori.scanner.browser import regions_for
from mamori.scanner.cli import main
from tests.scanner.conftest import EXAMPLES, HERE


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["ftp://x/", "--map", str(EXAMPLES / "onemall")], "ftp://x/: not an http(s) URL"),
        (["http://127.0.0.1:9/", "--map", str(HERE / "missing")], "cannot read"),
        (["http://127.0.0.1:9/", "--map", str(EXAMPLES / "onemall"), "--regions", "JP,MARS"], "unknown region MARS"),
        (["http://127.0.0.1:9/", "--map", str(EXAMPLES / "onemall"), "--states", "maybe"], "unknown state maybe"),
        (["http://127.0.0.1:9/", "--map", str(EXAMPLES / "onemall"), "--pages", "0"], "must be positive"),
    ],
)
def test_bad_input_is_refused(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_a_map_with_problems_is_refused_with_file_line_col(
    tmp_path: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "map.yaml"  # type: ignore[operator]
    broken.write_text("mamori: 1\norganisation: {id: x}\n", encoding="utf-8")
    assert main(["http://127.0.0.1:9/", "--map", str(broken)]) == 2
    assert f"{broken}:2:" in capsys.readouterr().err


def test_regions_follow_the_maps_jurisdictions() -> None:
    assert regions_for(["JP", "EEA"]) == ["JP", "EU"]
    assert regions_for(["EU", "UK", "US-CA"]) == ["EU", "US-CA"]
    assert regions_for(["US-CA"]) == ["US-CA"]
