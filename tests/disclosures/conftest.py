"""Fixtures of the register's tests: the example maps, applied."""

from __future__ import annotations

from pathlib import Path

from mamori.audit.services import Actor
from mamori.catalog.services import apply_map

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def apply_example(name: str) -> str:
    return apply_map([EXAMPLES / name], Actor.cli("test")).organisation
