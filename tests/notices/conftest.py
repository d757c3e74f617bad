"""Helpers for the notices tests: example maps, applying edited copies of them."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def map_copy(tmp_path: Path) -> Callable[[str], Path]:
    """`map_copy("onemall")` -> a writable copy of an example map folder."""

    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(EXAMPLES / name, target, ignore=shutil.ignore_patterns("*.sql"))
        return target

    return copy
