"""The fulfilment engine as `mamori fulfil` and the request handler build it, on the bench store."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from bench.common import REPO

MAP_PATH = REPO / "bench" / "maps" / "store"
STORE_ENV = "MAMORI_BENCH_STORE_URL"


def store_map() -> Any:
    """The store's privacy map, read and checked the way `mamori fulfil` reads it."""
    from mamori.fulfilment.management.commands.fulfil import read_map

    return read_map([str(MAP_PATH)])


def new_engine(privacy_map: Any, url: str) -> Any:
    from mamori.fulfilment.engine import FulfilmentEngine

    return FulfilmentEngine(privacy_map, {**os.environ, STORE_ENV: url})


def email_of(customer_id: int) -> str:
    return f"customer{customer_id}@store.example"


def package_size(path: Path) -> int:
    return path.stat().st_size
