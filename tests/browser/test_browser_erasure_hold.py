"""An erasure plan with a dated legal hold, in a real browser: the staff member sees how many rows
stay under which hold until when, and how many past it are erased, in English and Japanese, at
phone and desktop widths.

With MAMORI_SCREENSHOTS=DIR set, each page is also saved as DIR/erasure-hold-<lang>-<width>.png.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import time_machine

from mamori.audit.services import Actor
from mamori.catalog.services import apply_map
from mamori.fulfilment.demo_shop import create_shop
from mamori.fulfilment.services.planning import plan_run
from mamori.testing.staff import make_staff

from .conftest import staff_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SHOTS = os.environ.get("MAMORI_SCREENSHOTS", "")


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_plan_says_what_a_dated_hold_keeps(
    lang: str, width: int, chromium: Any, live_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = tmp_path / "shop.sqlite3"
    create_shop(shop)
    engine = sa.create_engine(f"sqlite:///{shop}")
    with engine.begin() as connection:  # a payment of 2018: its 7 tax years have run out
        connection.execute(
            sa.text(
                "INSERT INTO orders (id, customer_id, ordered_at, status, total_amount, currency) "
                "VALUES (900, 1, '2018-01-05 10:00:00', 'delivered', 10, 'JPY')"
            )
        )
        connection.execute(
            sa.text(
                "INSERT INTO payments (id, order_id, customer_id, provider, provider_reference, amount, currency, "
                "card_brand, card_last4, status, paid_at) VALUES (900, 900, 1, 'stripe', 'pi_2018', 10, 'JPY', "
                "'visa', '4242', 'succeeded', '2018-01-05 10:01:00')"
            )
        )
    engine.dispose()
    monkeypatch.setenv("MAMORI_ONEMALL_SHOP_URL", f"sqlite:///{shop}")
    apply_map([EXAMPLES / "onemall"], Actor.cli("test"))
    officer = make_staff("privacy_officer", "officer")
    with time_machine.travel(datetime(2026, 6, 15, 3, 0, tzinfo=UTC), tick=False):
        run = plan_run("onemall", "erasure", [{"email": "hanako.yamada@example.jp"}], Actor.cli("test"))
    context, page = staff_page(chromium, live_server, officer, lang, width)
    try:
        page.goto(f"{live_server.url}/console/fulfilment/runs/{run.pk}/")
        holds = " ".join(page.locator(".plan-dated-hold").all_inner_texts())
        if lang == "en":
            assert "1 row kept under Japanese tax law" in holds and "until 2031-03-05 at the latest" in holds
            assert "1 row past the hold, its personal fields erased" in holds
        else:
            assert "2031-03-05 まで" in holds and "保存期間を過ぎた 1 行は個人情報のフィールドを消去" in holds
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(SHOTS) / f"erasure-hold-{lang}-{width}.png"), full_page=True)
    finally:
        context.close()
