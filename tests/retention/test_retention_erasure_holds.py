"""Erasure requests: a legal hold that counts from a date keeps only the rows still inside it
(before, a hold kept every one of the person's rows in the table, however old)."""

from __future__ import annotations

import sqlalchemy as sa

from mamori.fulfilment.engine import FulfilmentEngine

from .conftest import onemall_map, row


def test_an_erasure_erases_held_fields_of_rows_whose_hold_ran_out(shop_url: str) -> None:
    engine = sa.create_engine(shop_url)
    with engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO orders (id, customer_id, ordered_at, status, total_amount, currency, shipping_name) "
            "VALUES (900, 1, '2018-01-05 10:00:00', 'delivered', 10, 'JPY', 'Yamada Hanako')"))
        connection.execute(sa.text(
            "INSERT INTO payments (id, order_id, customer_id, provider, provider_reference, amount, currency, "
            "card_brand, card_last4, status, paid_at) VALUES (900, 900, 1, 'stripe', 'pi_2018', 10, 'JPY', 'visa', "
            "'4242', 'succeeded', '2018-01-05 10:01:00')"))  # fmt: skip
    engine.dispose()
    fulfilment = FulfilmentEngine(onemall_map(), {"MAMORI_ONEMALL_SHOP_URL": shop_url})
    try:
        plan = fulfilment.plan_erasure([{"email": "hanako.yamada@example.jp"}])
        fulfilment.execute_erasure(plan)
        assert not any(fulfilment.verify_erasure(plan)["shop-db"].values())
    finally:
        fulfilment.close()
    old, recent = row(shop_url, "payments", 900), row(shop_url, "payments", 1)
    assert old["card_last4"] is None and old["card_brand"] is None and old["provider_reference"] != "pi_2018"
    assert recent["card_last4"] == "4242" and recent["provider_reference"] == "pi_3Hanako001"  # 2024: held
    assert row(shop_url, "payments", 2)["provider_reference"] == "PAYID-TARO-7788"  # Taro's payment: not hers
