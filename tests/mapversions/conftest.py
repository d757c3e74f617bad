"""A small valid privacy map copied into a temporary folder, and a way to edit it."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

SMALL_MAP = Path(__file__).parent / "maps" / "small"

Editor = Callable[[str, Callable[[dict[str, Any]], None]], None]


@pytest.fixture
def map_dir(tmp_path: Path) -> Path:
    target = tmp_path / "tinyshop"
    shutil.copytree(SMALL_MAP, target)
    return target


@pytest.fixture
def edit_map(map_dir: Path) -> Editor:
    """`edit_map("data.yaml", change)` loads a file of the map, lets `change` mutate it, writes it back."""

    def edit(filename: str, change: Callable[[dict[str, Any]], None]) -> None:
        path = map_dir / filename
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

    return edit
