"""The disposal engine on SQLite, PostgreSQL and MariaDB: exactly the due rows go, at every
boundary (the day before and after, exactly on it, holds running out, open requests), FK-safe,
batched, resumable and idempotent, verified afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from mamori.catalog.mapfile import PrivacyMap
from mamori.fulfilment.connectors.sql import SqlConnector
from mamori.fulfilment.engine import FulfilmentEngine
from mamori.retention.disposal import Progress, before, count_all, table_disposals

from .conftest import AS_OF, add_boundary_rows, ids, onemall_map, row


@pytest.fixture
def shop(shop_url: str) -> Iterator[tuple[PrivacyMap, SqlConnector, str]]:
    add_boundary_rows(shop_url)
    privacy_map = onemall_map()
    engine = FulfilmentEngine(privacy_map, {"MAMORI_ONEMALL_SHOP_URL": shop_url})
    connector = engine.connector("shop-db")
    assert isinstance(connector, SqlConnector)
    yield privacy_map, connector, shop_url
    engine.close()


def dispose(privacy_map: PrivacyMap, connector: SqlConnector, rule_id: str, **kwargs: Any) -> dict[str, Progress]:
    rule = privacy_map.retention_rule(rule_id)
    done = {}
    for disposal in table_disposals(connector, rule, kwargs.pop("protected", None)):
        done[disposal.name] = disposal.dispose(AS_OF, Progress(), lambda progress: None, **kwargs)
    return done


def counts(privacy_map: PrivacyMap, connector: SqlConnector, rule_id: str, protected: Any = None) -> dict[str, Any]:
    rule = privacy_map.retention_rule(rule_id)
    return {c.table: c for c in count_all(table_disposals(connector, rule, protected), AS_OF)}


def test_usage_data_goes_after_14_months_to_the_second(shop: tuple[PrivacyMap, SqlConnector, str]) -> None:
    privacy_map, connector, url = shop
    planned = counts(privacy_map, connector, "usage-data")
    # demo sessions 1-3 (2024), 101 a day before the boundary, 103 exactly on it; 102 a day after.
    assert (planned["login_sessions"].due, planned["login_sessions"].forecast) == (5, 1)
    assert planned["usage_events"].due == 4 and planned["usage_events"].total == 5
    dispose(privacy_map, connector, "usage-data", batch=2)
    assert ids(url, "login_sessions") == {102}
    assert ids(url, "usage_events") == {601}
    assert counts(privacy_map, connector, "usage-data")["login_sessions"].due == 0


def test_resolved_inquiries_go_open_and_future_ones_stay(shop: tuple[PrivacyMap, SqlConnector, str]) -> None:
    privacy_map, connector, url = shop
    dispose(privacy_map, connector, "inquiry-data")
    assert ids(url, "inquiries") == {2, 3, 202, 203}  # 1, 4, 5 (demo) and 201 went


def test_tax_hold_counts_from_each_records_own_date(shop: tuple[PrivacyMap, SqlConnector, str]) -> None:
    privacy_map, connector, url = shop
    planned = counts(privacy_map, connector, "order-records")
    assert (planned["payments"].due, planned["payments"].held) == (1, 5)
    assert (planned["orders"].due, planned["orders"].held) == (1, 5)
    done = dispose(privacy_map, connector, "order-records")
    assert done["payments"].updated == 1 and done["orders"].updated == 1
    old, new = row(url, "payments", 301), row(url, "payments", 302)
    assert old["card_last4"] is None and len(str(old["provider_reference"])) == 64
    assert new["card_last4"] == "4242" and new["provider_reference"] == "pi_new"
    assert row(url, "orders", 301)["shipping_name"] == "erased-301"
    assert row(url, "orders", 302)["shipping_name"] == "Suzuki Taro"
    assert ids(url, "payments") >= {1, 2, 3, 4, 301, 302}  # update_fields tables keep their rows
    # Done is done: nothing is due any more, and a second run changes nothing.
    assert counts(privacy_map, connector, "order-records")["payments"].due == 0
    again = dispose(privacy_map, connector, "order-records")
    assert again["payments"].updated == 0


def test_closed_accounts_after_30_days_children_by_their_parents_date(
    shop: tuple[PrivacyMap, SqlConnector, str],
) -> None:
    privacy_map, connector, url = shop
    dispose(privacy_map, connector, "account-data")
    assert ids(url, "addresses") == {1, 2, 3, 4, 402}
    assert ids(url, "social_accounts") == {1, 2}
    gone, kept = row(url, "customers", 4), row(url, "customers", 5)
    assert gone["email"] == "erased-4" and gone["phone"] is None and gone["first_name"] == "erased-4"
    assert kept["email"] == "closed.recent@example.jp"


def test_unsubscribed_addresses_leave_the_list(shop: tuple[PrivacyMap, SqlConnector, str]) -> None:
    privacy_map, connector, url = shop
    dispose(privacy_map, connector, "newsletter")
    assert ids(url, "newsletter_subscriptions") == {1, 2, 3, 502}


def test_an_open_request_keeps_that_persons_rows(shop: tuple[PrivacyMap, SqlConnector, str]) -> None:
    privacy_map, connector, url = shop
    protected = connector.locate([{"email": "hanako.yamada@example.jp"}], counts=False)["state"]
    planned = counts(privacy_map, connector, "usage-data", protected)
    assert (planned["login_sessions"].due, planned["login_sessions"].protected) == (3, 2)
    dispose(privacy_map, connector, "usage-data", protected=protected)
    assert ids(url, "login_sessions") == {1, 2, 102}  # Hanako's sessions 1 and 2 wait


def test_a_killed_run_resumes_where_it_stopped(shop: tuple[PrivacyMap, SqlConnector, str]) -> None:
    privacy_map, connector, url = shop
    disposal = table_disposals(connector, privacy_map.retention_rule("usage-data"))[0]
    assert disposal.name == "login_sessions"
    progress = Progress()

    def killed(progress: Progress) -> None:
        raise KeyboardInterrupt  # the worker dies right after the first batch committed

    with pytest.raises(KeyboardInterrupt):
        disposal.dispose(AS_OF, progress, killed, batch=2)
    assert len(ids(url, "login_sessions")) == 4  # 2 of the 5 due rows went
    done_before = progress.batches
    statements: list[str] = []
    sa.event.listen(connector.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    resumed = disposal.dispose(AS_OF, progress, lambda progress: None, batch=2)
    assert resumed.deleted == 5 and ids(url, "login_sessions") == {102}
    # One SELECT of the range's bound and one DELETE per batch: set-based, never a statement per row.
    deletes = [sql for sql in statements if sql.lstrip().upper().startswith("DELETE")]
    assert len(deletes) == resumed.batches - done_before < 3
    with connector.engine.connect() as connection:
        assert disposal.residue(connection, AS_OF) == 0


def test_a_parent_still_referenced_is_erased_in_place_not_deleted(
    shop: tuple[PrivacyMap, SqlConnector, str],
) -> None:
    """A delete_row table whose due rows other rows still point at (kept by another rule)."""
    privacy_map, connector, url = shop
    document = privacy_map.to_document()
    # A test rule: disposes of customers by deleting rows; orders (held 7 years) point at customer 2.
    for system in document["systems"]:
        for table in system.get("tables", []):
            if table["name"] == "customers":
                table["erase"] = "delete_row"
    document["retention"].append(
        {
            "id": "all-customers",
            "name": {"en": "test", "ja": "テスト"},
            "trigger": "collected",
            "period": "1 day",
            "applies_to": [{"system": "shop-db", "table": "customers", "date": "created_at"}],
        }
    )
    changed = PrivacyMap.from_document(document)
    engine = FulfilmentEngine(changed, {"MAMORI_ONEMALL_SHOP_URL": url})
    connector = engine.connector("shop-db")
    assert isinstance(connector, SqlConnector)
    done = dispose(changed, connector, "all-customers")["customers"]
    engine.close()
    # Every customer has orders, addresses or sessions pointing at it: none can go, all are erased.
    assert done.deleted == 0 and done.updated == 5
    assert ids(url, "customers") == {1, 2, 3, 4, 5}
    assert row(url, "customers", 2)["email"] == "erased-2"


def test_months_and_years_count_by_the_calendar() -> None:
    from datetime import datetime

    from mamori.catalog.mapfile.values import Duration

    assert before(datetime(2026, 3, 31), Duration.parse("1 month")) == datetime(2026, 2, 28)
    assert before(datetime(2028, 2, 29), Duration.parse("1 year")) == datetime(2027, 2, 28)
    assert before(datetime(2026, 6, 15, 12), Duration.parse("14 months")) == datetime(2025, 4, 15, 12)
    assert before(datetime(2026, 6, 15), Duration.parse("2 weeks")) == datetime(2026, 6, 1)


@pytest.mark.parametrize(
    ("example", "promises"), [("i-pro", ["IP6"]), ("inpro", ["NP13"]), ("onemall", ["OM5", "OM13"])]
)
def test_example_maps_express_their_seeds_retention_promises(example: str, promises: list[str]) -> None:
    from pathlib import Path

    from mamori.catalog.mapfile import load_map

    folder = Path(__file__).resolve().parents[2] / "examples" / example
    text = (folder / "retention.yaml").read_text(encoding="utf-8")
    assert all(promise in text for promise in promises)
    result = load_map([folder])
    assert result.ok and result.map is not None
    assert any(rule.applies_to for rule in result.map.retention)
