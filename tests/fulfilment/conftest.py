"""Scratch company databases for the fulfilment tests: SQLite files, PostgreSQL and MariaDB.

PostgreSQL (127.0.0.1:5432, user root) and MariaDB (127.0.0.1:3306, root) get a database of their
own per test, dropped afterwards; a test on a server that is not running is skipped with the reason.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from mamori.catalog.mapfile import PrivacyMap, load_map
from mamori.fulfilment.demo_shop import TABLES, create_shop, shop_schema_path

ROOT = Path(__file__).resolve().parents[2]
ONEMALL = ROOT / "examples" / "onemall"
POSTGRES = "postgresql+psycopg://root@127.0.0.1:5432/"
MARIADB = "mysql+pymysql://root@127.0.0.1:3306/"


def onemall_map() -> PrivacyMap:
    result = load_map([ONEMALL])
    assert result.ok and result.map is not None
    return result.map


def _server_database(server_url: str, kind: str) -> Iterator[str]:
    name = f"mamori_fulfil_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server_url + ("postgres" if kind == "postgresql" else ""), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f"CREATE DATABASE {name}"))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        pytest.skip(f"{kind} server not reachable at 127.0.0.1: {type(exc).__name__}")
    try:
        yield server_url + name
    finally:
        with admin.connect() as connection:
            if kind == "postgresql":
                connection.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            else:
                connection.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
        admin.dispose()


def load_shop(url: str) -> None:
    """examples/onemall/shop-schema.sql plus the demo shop's rows, on any dialect."""
    engine = sa.create_engine(url)
    script = re.sub(r"--[^\n]*", "", shop_schema_path().read_text(encoding="utf-8"))
    with engine.begin() as connection:
        for statement in filter(str.strip, script.split(";")):
            connection.execute(sa.text(statement))
    metadata = sa.MetaData()
    metadata.reflect(engine)
    with engine.begin() as connection:
        for name, rows in TABLES.items():
            table = metadata.tables[name]
            columns = [column.name for column in table.c]
            connection.execute(table.insert(), [dict(zip(columns, row, strict=True)) for row in rows])
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def shop_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The onemall demo shop on each kind of database."""
    if request.param == "sqlite":
        path = tmp_path / "shop.sqlite3"
        create_shop(path)
        yield f"sqlite:///{path}"
        return
    server = POSTGRES if request.param == "postgresql" else MARIADB
    for url in _server_database(server, request.param):
        load_shop(url)
        yield url


@pytest.fixture
def sqlite_shop(tmp_path: Path) -> str:
    path = tmp_path / "shop.sqlite3"
    create_shop(path)
    return f"sqlite:///{path}"


@pytest.fixture
def postgres_database() -> Iterator[str]:
    yield from _server_database(POSTGRES, "postgresql")


@pytest.fixture
def storage_adapter() -> Iterator[tuple[object, str]]:
    from .fulfilment_webhook_server import StorageAdapter, start

    adapter = StorageAdapter()
    server, url = start(adapter)
    yield adapter, url
    server.shutdown()
    server.server_close()


@pytest.fixture
def onemall(db: None, sqlite_shop: str, storage_adapter: tuple[object, str], monkeypatch: pytest.MonkeyPatch) -> str:
    """The onemall map applied, its shop on SQLite and its object storage on the webhook stub."""
    from mamori.audit.services import Actor
    from mamori.catalog.services import apply_map

    from .fulfilment_webhook_server import SECRET

    _adapter, url = storage_adapter
    monkeypatch.setenv("MAMORI_ONEMALL_SHOP_URL", sqlite_shop)
    monkeypatch.setenv("MAMORI_ONEMALL_OSS_WEBHOOK_URL", url)
    monkeypatch.setenv("MAMORI_ONEMALL_OSS_WEBHOOK_SECRET", SECRET)
    apply_map([ONEMALL], Actor.cli("test"))
    return sqlite_shop


@pytest.fixture(autouse=True)
def _fresh_engine_cache() -> Iterator[None]:
    """Connectors kept open by services (per map version) do not outlive a test's databases."""
    from mamori.fulfilment.engine_cache import ENGINES

    ENGINES.clear()
    yield
    ENGINES.clear()


def erasure_statement_count(privacy_map: PrivacyMap, shop: str, subjects: list[dict[str, str]]) -> int:
    """SQL statements one bulk erasure (plan, execute, verify) sends to the shop, reflection left out."""
    from mamori.fulfilment.connectors.sql import SqlConnector
    from mamori.fulfilment.engine import FulfilmentEngine

    engine = FulfilmentEngine(privacy_map, {"MAMORI_ONEMALL_SHOP_URL": shop})
    connector = engine.connector("shop-db")
    assert isinstance(connector, SqlConnector)
    _ = connector.layout  # reflection is not part of the count
    seen: list[str] = []
    sa.event.listen(connector.engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    plan = engine.plan_erasure(subjects)
    engine.execute_erasure(plan)
    assert not any(engine.verify_erasure(plan)["shop-db"].values())
    engine.close()
    return len([sql for sql in seen if not sql.startswith(("PRAGMA", "SELECT 1"))])


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def club_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The members' club of tests/fulfilment/club.py (messy real-world shapes) on each database."""
    from .club import create_club

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'club.sqlite3'}"
        create_club(url)
        yield url
        return
    server = POSTGRES if request.param == "postgresql" else MARIADB
    for url in _server_database(server, request.param):
        create_club(url)
        yield url
