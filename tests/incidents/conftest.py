"""The onemall demo shop (SQLite) with its map applied, and an incident on its inquiries table."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from mamori.audit.services import Actor
from mamori.catalog.services import apply_map
from mamori.fulfilment.demo_shop import create_shop
from mamori.incidents.models import Incident
from mamori.incidents.rules import TOKYO
from mamori.incidents.services import IncidentInput, open_incident

ONEMALL = Path(__file__).resolve().parents[2] / "examples" / "onemall"
ACTOR = Actor.cli("test")


@pytest.fixture
def shop(db: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    path = tmp_path / "shop.sqlite3"
    create_shop(path)
    monkeypatch.setenv("MAMORI_ONEMALL_SHOP_URL", f"sqlite:///{path}")
    apply_map([ONEMALL], ACTOR)
    return str(path)


@pytest.fixture
def leak(shop: str) -> Incident:
    return open_incident(
        IncidentInput(
            organisation="onemall",
            title="Inquiries table exposed",
            aware_at=datetime(2026, 11, 2, 23, 30, tzinfo=TOKYO),
            kind="leak",
            cause="unauthorised_access",
            scope={"tables": ["shop-db.inquiries"]},
        ),
        ACTOR,
    )
