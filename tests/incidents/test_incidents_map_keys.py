"""The map keys the register reads: breach elements and residence, with FILE:LINE:COL errors."""

from __future__ import annotations

import shutil
from pathlib import Path

from mamori.catalog.mapfile import load_map

from .conftest import ONEMALL


def _onemall_with(tmp_path: Path, old: str, new: str, filename: str = "systems.yaml") -> list[str]:
    target = tmp_path / "onemall"
    shutil.copytree(ONEMALL, target)
    path = target / filename
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return [str(problem) for problem in load_map([target]).problems]


def test_onemall_declares_residence_and_breach_elements() -> None:
    result = load_map([ONEMALL])
    assert result.ok and result.map is not None
    residence = result.map.system("shop-db").residence
    assert residence is not None and residence.country == "addresses.country" and residence.default == "JP"
    credentials = next(c for c in result.map.data_categories if c.id == "account.credentials")
    assert credentials.breach_elements == ["credentials"]


def test_residence_column_must_exist(tmp_path: Path) -> None:
    problems = _onemall_with(tmp_path, "country: addresses.country", "country: addresses.nation")
    assert any(
        "/systems.yaml:44:16: residence 'country' refers to unknown column 'addresses.nation'" in p for p in problems
    ), problems


def test_unknown_breach_element_and_country_are_refused(tmp_path: Path) -> None:
    problems = _onemall_with(tmp_path, "breach_elements: [credentials]", "breach_elements: [passwords]", "data.yaml")
    assert any("/data.yaml:" in p and "got 'passwords'" in p for p in problems), problems
    problems = _onemall_with(tmp_path / "b", "default: JP", "default: Japan")
    assert any("Japan" in p and "country code" in p for p in problems), problems
