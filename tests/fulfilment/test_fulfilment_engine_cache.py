"""Runs reuse the connectors (database engine, pool, schema read) of the map version in force;
a new map version or a changed connection URL gets new ones."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from mamori.audit.services import Actor
from mamori.catalog.in_force import map_in_force
from mamori.catalog.services import apply_map
from mamori.fulfilment.connectors.sql import SqlConnector
from mamori.fulfilment.demo_shop import create_shop
from mamori.fulfilment.engine_cache import ENGINES
from mamori.fulfilment.handler import ENGINE
from mamori.fulfilment.services.common import engine_for
from mamori.fulfilment.services.execution import execute_run
from mamori.fulfilment.services.planning import plan_run

from .conftest import ONEMALL

HANAKO = {"email": "hanako.yamada@example.jp"}


def shop_connector() -> SqlConnector:
    _, engine = engine_for("onemall")
    shop = engine.connector("shop-db")
    assert isinstance(shop, SqlConnector)
    return shop


def access(request_id: int) -> dict[str, Any]:
    run = plan_run("onemall", "access", [HANAKO], ENGINE, request_id=request_id)
    outcome = execute_run(run.pk, ENGINE)
    assert outcome.package_path is not None
    outcome.package_path.unlink()
    return next(step for step in outcome.summary["steps"] if step["action"] == "export")["tables"]


def test_a_second_run_reuses_the_connector_and_its_schema(onemall: str) -> None:
    first = access(1)
    shop = shop_connector()
    layout, built = shop.layout, ENGINES.built
    statements: list[str] = []
    sa.event.listen(shop.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    assert access(2) == first
    assert shop_connector() is shop and shop.layout is layout  # the schema was read once
    assert ENGINES.built == built  # no connector built for the second run (shop, webhook)
    assert not [sql for sql in statements if "PRAGMA" in sql.upper() or "sqlite_master" in sql]  # no reflection
    assert shop.engine.pool.checkedout() == 0  # connections went back to the pool, still open


def test_a_new_map_version_retires_the_old_connectors(onemall: str, tmp_path: Path) -> None:
    access(1)
    old = shop_connector()
    old_pool = old.engine.pool
    changed = tmp_path / "onemall"
    shutil.copytree(ONEMALL, changed)
    text = (changed / "systems.yaml").read_text(encoding="utf-8")
    (changed / "systems.yaml").write_text(text.replace('name: {en: "', 'name: {en: "The ', 1), encoding="utf-8")
    version = apply_map([changed], Actor.cli("test"))
    assert version.was_created and version.number == 2
    assert old.engine.pool is not old_pool  # applying it closed the old version's connections
    new = shop_connector()
    assert new is not old
    assert map_in_force("onemall")[0].number == 2
    assert access(2)["shop-db"]["orders"] == 2


def test_a_changed_connection_url_gets_a_new_connector(
    onemall: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = shop_connector()
    other = tmp_path / "other.sqlite3"
    create_shop(other)
    monkeypatch.setenv("MAMORI_ONEMALL_SHOP_URL", f"sqlite:///{other}")
    new = shop_connector()
    assert new is not old and str(new.engine.url).endswith("other.sqlite3")
    assert shop_connector() is new
