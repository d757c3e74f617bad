"""Finding the affected people is the same on SQLite, PostgreSQL and MariaDB (set-based SQL)."""

from __future__ import annotations

import sqlalchemy as sa

from mamori.fulfilment.connectors.sql.connector import SqlConnector
from mamori.incidents.affected import Selector, count_by_group, find_people
from tests.fulfilment.conftest import onemall_map, shop_url  # noqa: F401  (the fixture)


def _connector(url: str) -> SqlConnector:
    privacy_map = onemall_map()
    return SqlConnector(privacy_map.system("shop-db"), privacy_map, url)


def test_owners_visitors_and_residence_on_every_dialect(shop_url: str) -> None:  # noqa: F811
    connector = _connector(shop_url)
    assert connector.layout is not None  # the schema is read once, before counting statements
    statements: list[str] = []
    sa.event.listen(connector.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    try:
        people = find_people(connector, Selector("shop-db", "inquiries"))
        assert count_by_group(people) == {"JP": 4, "EEA_UK": 0, "US-CA": 1, "other": 0}  # 3 visitors
        assert sorted(person.contact for person in people) == [
            "aya.mori@example.jp",
            "emily.clark@example.com",
            "hanako.yamada@example.jp",
            "kenji.sato@example.jp",
            "yuki.ito@example.jp",
        ]
        # one statement for the breached rows, one for contacts, one for residences: not one per row
        assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) <= 4
        window = find_people(
            connector, Selector("shop-db", "orders", "ordered_at", "2024-07-01T00:00:00", "2024-08-31T23:59:59")
        )
        # orders 2 (Hanako's, paid by Taro) and 3 (Taro's): each order is its customer's
        assert count_by_group(window) == {"JP": 2, "EEA_UK": 0, "US-CA": 0, "other": 0}
        payments = find_people(connector, Selector("shop-db", "payments", "id", "2", "2"))
        assert [p.contact for p in payments] == ["taro.suzuki@example.jp"]  # the payer, not the order's customer
    finally:
        connector.close()
