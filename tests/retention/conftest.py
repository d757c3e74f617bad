"""The onemall shop on SQLite, PostgreSQL and MariaDB (from the fulfilment tests), plus rows on
both sides of every retention boundary of examples/onemall at one fixed moment, AS_OF."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from mamori.audit.services import Actor
from mamori.catalog.services import apply_map
from mamori.retention import services
from mamori.retention.models import DisposalRun
from tests.fulfilment.conftest import _fresh_engine_cache, onemall_map, shop_url, sqlite_shop  # noqa: F401

AS_OF = datetime(2026, 6, 15, 12, 0, 0)  # naive UTC, as the shop stores its timestamps
DAY = timedelta(days=1)
SEVEN_YEARS_AGO = datetime(2019, 6, 15, 12, 0, 0)
FOURTEEN_MONTHS_AGO = datetime(2025, 4, 15, 12, 0, 0)


def add_boundary_rows(url: str) -> None:
    """Rows just inside and just outside each rule of examples/onemall/retention.yaml."""
    engine = sa.create_engine(url)
    metadata = sa.MetaData()
    metadata.reflect(engine)
    t = metadata.tables
    with engine.begin() as connection:
        connection.execute(
            t["customers"].insert(),
            [
                # account-data: 30 days after closing. 4 closed 31 days ago (due), 5 closed 29 days ago.
                {
                    "id": 4,
                    "email": "closed.long@example.jp",
                    "first_name": "Long",
                    "last_name": "Gone",
                    "phone": "+81 1",
                    "preferred_language": "ja",
                    "status": "closed",
                    "created_at": AS_OF - 900 * DAY,
                    "closed_at": AS_OF - 31 * DAY,
                },
                {
                    "id": 5,
                    "email": "closed.recent@example.jp",
                    "first_name": "Just",
                    "last_name": "Left",
                    "phone": "+81 2",
                    "preferred_language": "ja",
                    "status": "closed",
                    "created_at": AS_OF - 900 * DAY,
                    "closed_at": AS_OF - 29 * DAY,
                },
            ],
        )
        connection.execute(
            t["addresses"].insert(),
            [
                {"id": 401, "customer_id": 4, "kind": "residential", "full_name": "Long Gone", "country": "JP"},
                {"id": 402, "customer_id": 5, "kind": "residential", "full_name": "Just Left", "country": "JP"},
            ],
        )
        connection.execute(
            t["social_accounts"].insert(),
            [
                {
                    "id": 401,
                    "customer_id": 4,
                    "provider": "google",
                    "provider_user_id": "g-4",
                    "linked_at": AS_OF - 800 * DAY,
                },
            ],
        )
        connection.execute(
            t["login_sessions"].insert(),
            [
                # usage-data: 14 months. 101 a day before the boundary, 102 a day after, 103 exactly on it.
                {
                    "id": 101,
                    "customer_id": 2,
                    "ip_address": "198.51.100.1",
                    "started_at": FOURTEEN_MONTHS_AGO - DAY,
                    "last_seen_at": FOURTEEN_MONTHS_AGO - DAY,
                },
                {
                    "id": 102,
                    "customer_id": 2,
                    "ip_address": "198.51.100.2",
                    "started_at": FOURTEEN_MONTHS_AGO + DAY,
                    "last_seen_at": FOURTEEN_MONTHS_AGO + DAY,
                },
                {
                    "id": 103,
                    "customer_id": 2,
                    "ip_address": "198.51.100.3",
                    "started_at": FOURTEEN_MONTHS_AGO,
                    "last_seen_at": FOURTEEN_MONTHS_AGO,
                },
            ],
        )
        connection.execute(
            t["usage_events"].insert(),
            [
                {
                    "id": 601,
                    "customer_id": 2,
                    "device_id": "dev-x",
                    "page_url": "https://www.onemall.jp/",
                    "occurred_at": AS_OF - DAY,
                },
            ],
        )
        connection.execute(
            t["inquiries"].insert(),
            [
                # inquiry-data: deleted once resolved. 201 resolved yesterday; 202 "resolved" tomorrow
                # (a scheduled closing); 203 has a date but is open again.
                {
                    "id": 201,
                    "customer_id": None,
                    "name": "Visitor A",
                    "email": "a@example.jp",
                    "subject": "s",
                    "body": "b",
                    "status": "resolved",
                    "created_at": AS_OF - 3 * DAY,
                    "resolved_at": AS_OF - DAY,
                },
                {
                    "id": 202,
                    "customer_id": None,
                    "name": "Visitor B",
                    "email": "b@example.jp",
                    "subject": "s",
                    "body": "b",
                    "status": "resolved",
                    "created_at": AS_OF - 3 * DAY,
                    "resolved_at": AS_OF + DAY,
                },
                {
                    "id": 203,
                    "customer_id": 2,
                    "name": "Suzuki Taro",
                    "email": "taro.suzuki@example.jp",
                    "subject": "s",
                    "body": "b",
                    "status": "open",
                    "created_at": AS_OF - 9 * DAY,
                    "resolved_at": AS_OF - 8 * DAY,
                },
            ],
        )
        connection.execute(
            t["newsletter_subscriptions"].insert(),
            [
                {
                    "id": 501,
                    "customer_id": None,
                    "email": "left@example.jp",
                    "source": "footer",
                    "subscribed_at": AS_OF - 90 * DAY,
                    "unsubscribed_at": AS_OF - DAY,
                },
                {
                    "id": 502,
                    "customer_id": None,
                    "email": "stays@example.jp",
                    "source": "footer",
                    "subscribed_at": AS_OF - 90 * DAY,
                    "unsubscribed_at": None,
                },
            ],
        )
        # order-records: the 7-year tax hold counts from each record's own date.
        connection.execute(
            t["orders"].insert(),
            [
                {
                    "id": 301,
                    "customer_id": 2,
                    "ordered_at": SEVEN_YEARS_AGO - DAY,
                    "status": "delivered",
                    "total_amount": 100,
                    "currency": "JPY",
                    "shipping_name": "Suzuki Taro",
                    "ip_address": "198.51.100.9",
                },
                {
                    "id": 302,
                    "customer_id": 2,
                    "ordered_at": SEVEN_YEARS_AGO + DAY,
                    "status": "delivered",
                    "total_amount": 100,
                    "currency": "JPY",
                    "shipping_name": "Suzuki Taro",
                    "ip_address": "198.51.100.9",
                },
            ],
        )
        connection.execute(
            t["payments"].insert(),
            [
                {
                    "id": 301,
                    "order_id": 301,
                    "customer_id": 2,
                    "provider": "stripe",
                    "provider_reference": "pi_old",
                    "amount": 100,
                    "currency": "JPY",
                    "card_brand": "visa",
                    "card_last4": "4242",
                    "status": "succeeded",
                    "paid_at": SEVEN_YEARS_AGO - DAY,
                },
                {
                    "id": 302,
                    "order_id": 302,
                    "customer_id": 2,
                    "provider": "stripe",
                    "provider_reference": "pi_new",
                    "amount": 100,
                    "currency": "JPY",
                    "card_brand": "visa",
                    "card_last4": "4242",
                    "status": "succeeded",
                    "paid_at": SEVEN_YEARS_AGO + DAY,
                },
            ],
        )
    engine.dispose()


def ids(url: str, table: str) -> set[int]:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        found = {row[0] for row in connection.execute(sa.text(f"SELECT id FROM {table}"))}  # noqa: S608 (test tables)
    engine.dispose()
    return found


def row(url: str, table: str, key: int) -> dict[str, object]:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        statement = sa.text(f"SELECT * FROM {table} WHERE id = :id")  # noqa: S608 (test tables)
        found = connection.execute(statement, {"id": key}).mappings().first()
    engine.dispose()
    return dict(found) if found else {}


@pytest.fixture
def onemall(db: None, sqlite_shop: str, monkeypatch: pytest.MonkeyPatch) -> str:  # noqa: F811
    """examples/onemall applied, its shop on SQLite with rows on both sides of every boundary."""
    add_boundary_rows(sqlite_shop)
    monkeypatch.setenv("MAMORI_ONEMALL_SHOP_URL", sqlite_shop)
    apply_map(["examples/onemall"], Actor.cli("test"))
    return sqlite_shop


@pytest.fixture
def waiting(onemall: str) -> DisposalRun:
    """A run of inquiry-data waiting for an officer's approval (a new rule)."""
    return services.plan_run("onemall", "inquiry-data", Actor.cli("test"))
