"""Erasure requests and dated legal holds: a hold that counts from a date (onemall's 7 tax years
from a payment's `paid_at`) keeps only the person's rows still inside it, counted on the
organisation's calendar (Asia/Tokyo); rows whose hold has run out are erased like any other."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
import time_machine

from mamori.catalog.mapfile import PrivacyMap
from mamori.catalog.mapfile.values import Duration
from mamori.fulfilment.engine import FulfilmentEngine
from mamori.fulfilment.plan_text import plan_lines

from .conftest import onemall_map, row

# 12:00 in Tokyo on 15 June 2026: the 7-year hold ends for records of 12:00 (Tokyo) 15 June 2019.
NOW = datetime(2026, 6, 15, 3, 0, tzinfo=UTC)
HOLD_ENDS = datetime(2019, 6, 15, 3, 0)  # naive UTC, as the shop stores it
DAY = timedelta(days=1)


def _add_old_payments(url: str) -> None:
    """Hanako's payments: 901 whose hold ended a day ago, 902 whose hold ends tomorrow."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        for key, moment in ((901, HOLD_ENDS - DAY), (902, HOLD_ENDS + DAY)):
            connection.execute(
                sa.text(
                    "INSERT INTO orders (id, customer_id, ordered_at, status, total_amount, currency, shipping_name) "
                    "VALUES (:id, 1, :at, 'delivered', 10, 'JPY', 'Yamada Hanako')"
                ),
                {"id": key, "at": moment},
            )
            connection.execute(
                sa.text(
                    "INSERT INTO payments (id, order_id, customer_id, provider, provider_reference, amount, currency, "
                    "card_brand, card_last4, status, paid_at) VALUES (:id, :id, 1, 'stripe', :ref, 10, 'JPY', "
                    "'visa', '4242', 'succeeded', :at)"
                ),
                {"id": key, "ref": f"pi_old_{key}", "at": moment},
            )
    engine.dispose()


def _payments_entry(plan: dict) -> dict:
    system = next(system for system in plan["systems"] if system["system"] == "shop-db")
    return next(table for table in system["tables"] if table["table"] == "payments")


def test_an_erasure_keeps_only_the_rows_still_inside_a_dated_hold(shop_url: str) -> None:
    _add_old_payments(shop_url)
    fulfilment = FulfilmentEngine(onemall_map(), {"MAMORI_ONEMALL_SHOP_URL": shop_url})
    try:
        with time_machine.travel(NOW, tick=False):
            plan = fulfilment.plan_erasure([{"email": "hanako.yamada@example.jp"}])
        payments = _payments_entry(plan)
        dated = payments["dated_hold"]
        # Payment 1 (2024) and 902 (hold ends tomorrow) stay; 901 (ended yesterday) goes.
        assert (dated["kept_rows"], dated["expired_rows"]) == (2, 1)
        assert payments["action"] == "keep" and payments["reason"] == "legal_hold"
        text = "\n".join(plan_lines(plan))
        # The last row kept (payment 1, 2024-03-05 12:01 UTC) leaves the hold on 5 March 2031 in Tokyo.
        assert "2 rows kept under Japanese tax law" in text and "until 2031-03-05 at the latest" in text
        assert "1 row past the hold, its personal fields erased" in text

        # Executed a week later: still exactly the rows the plan counted (the plan fixed the moment).
        with time_machine.travel(NOW + 7 * DAY, tick=False):
            erased = fulfilment.execute_erasure(plan)
            residue = fulfilment.verify_erasure(plan)
        assert erased["shop-db"]["payments"] == dated["expired_rows"]
        assert not any(residue["shop-db"].values())
    finally:
        fulfilment.close()
    old, inside, recent = row(shop_url, "payments", 901), row(shop_url, "payments", 902), row(shop_url, "payments", 1)
    assert old["card_last4"] is None and old["card_brand"] is None and old["provider_reference"] != "pi_old_901"
    assert inside["card_last4"] == "4242" and inside["provider_reference"] == "pi_old_902"
    assert recent["card_last4"] == "4242" and recent["provider_reference"] == "pi_3Hanako001"
    assert row(shop_url, "payments", 2)["provider_reference"] == "PAYID-TARO-7788"  # Taro's: not hers
    # Orders: the held order details stay on every order, her name goes from all of them.
    assert row(shop_url, "orders", 901)["ordered_at"] is not None
    assert row(shop_url, "orders", 902)["shipping_name"] != "Yamada Hanako"


def test_an_erasure_with_every_row_inside_the_hold_changes_no_held_row(sqlite_shop: str) -> None:
    fulfilment = FulfilmentEngine(onemall_map(), {"MAMORI_ONEMALL_SHOP_URL": sqlite_shop})
    try:
        with time_machine.travel(NOW, tick=False):
            plan = fulfilment.plan_erasure([{"email": "hanako.yamada@example.jp"}])
            dated = _payments_entry(plan)["dated_hold"]
            assert (dated["kept_rows"], dated["expired_rows"]) == (1, 0)
            assert "past the hold" not in "\n".join(plan_lines(plan))
            erased = fulfilment.execute_erasure(plan)
            assert not any(fulfilment.verify_erasure(plan)["shop-db"].values())
    finally:
        fulfilment.close()
    assert erased["shop-db"].get("payments", 0) == 0
    assert row(sqlite_shop, "payments", 1)["provider_reference"] == "pi_3Hanako001"


def test_a_hold_ends_on_the_organisations_calendar() -> None:
    """01:00 on 1 March 2027 in Tokyo is still 28 February in UTC. A payment made at 19:00 on
    29 February 2020 in Tokyo left its 7-year hold at the end of 28 February 2027 there (no 29th):
    counted in Tokyo the hold is over; counted on the UTC calendar it would last a day longer."""
    seven_years = Duration.parse("7 years")
    now = datetime(2027, 2, 28, 16, 0)  # naive UTC
    paid = datetime(2020, 2, 29, 10, 0)  # 19:00 in Tokyo
    assert paid <= seven_years.before(now, "Asia/Tokyo")
    assert paid > seven_years.before(now)  # the UTC calendar would keep it
    assert seven_years.after(datetime(2024, 3, 5, 12, 1), "Asia/Tokyo") == datetime(2031, 3, 5, 12, 1)
    # A day either side of the local boundary.
    cutoff = seven_years.before(datetime(2026, 6, 15, 3, 0), "Asia/Tokyo")
    assert cutoff == HOLD_ENDS


def test_rows_past_the_hold_of_a_deleting_table_are_deleted_unless_rows_that_stay_point_at_them(
    shop_url: str,
) -> None:
    """Orders made a `delete_row` table: order 901's hold ran out but payment 901 (kept, its
    fields erased) still points at it, so it is erased in place; 903 goes; 902 is inside the hold."""
    _add_old_payments(shop_url)
    document = onemall_map().to_document()
    shop_db = next(system for system in document["systems"] if system["id"] == "shop-db")
    next(table for table in shop_db["tables"] if table["name"] == "orders")["erase"] = "delete_row"
    engine = sa.create_engine(shop_url)
    with engine.begin() as connection:  # an old order nothing points at: it goes
        connection.execute(
            sa.text(
                "INSERT INTO orders (id, customer_id, ordered_at, status, total_amount, currency, shipping_name) "
                "VALUES (903, 1, :at, 'delivered', 10, 'JPY', 'Yamada Hanako')"
            ),
            {"at": HOLD_ENDS - 30 * DAY},
        )
    engine.dispose()
    fulfilment = FulfilmentEngine(PrivacyMap.from_document(document), {"MAMORI_ONEMALL_SHOP_URL": shop_url})
    try:
        with time_machine.travel(NOW, tick=False):
            plan = fulfilment.plan_erasure([{"email": "hanako.yamada@example.jp"}])
            system = next(system for system in plan["systems"] if system["system"] == "shop-db")
            orders = next(table for table in system["tables"] if table["table"] == "orders")["dated_hold"]
            assert (orders["kept_rows"], orders["expired_rows"], orders["expired_action"]) == (
                3,
                2,
                "delete",
            )  # her two 2024 orders and 902 stay
            assert "2 rows past the hold, deleted" in "\n".join(plan_lines(plan))
            fulfilment.execute_erasure(plan)
            assert not any(fulfilment.verify_erasure(plan)["shop-db"].values())
    finally:
        fulfilment.close()
    assert row(shop_url, "orders", 903) == {}
    assert row(shop_url, "orders", 901)["shipping_name"] != "Yamada Hanako"  # kept: payment 901 points at it
    assert row(shop_url, "orders", 902)["ordered_at"] is not None and row(shop_url, "payments", 901)
