"""Loading the example privacy maps of `examples/` once per test session."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
EXAMPLE_NAMES = ("i-pro", "inpro", "onemall", "picocela")


@pytest.fixture(scope="session")
def example_map() -> Callable[[str], object]:
    """`example_map("onemall")` -> the loaded PrivacyMap; fails with every problem if it does not load."""
    mapfile = pytest.importorskip(
        "mamori.catalog.mapfile", reason="the privacy-map loader (mamori.catalog.mapfile) is not importable yet"
    )
    cache: dict[str, object] = {}

    def load(name: str) -> object:
        if name not in cache:
            result = mapfile.load_map([EXAMPLES / name])
            assert result.ok, "\n".join(str(problem) for problem in result.problems)
            cache[name] = result.map
        return cache[name]

    return load
