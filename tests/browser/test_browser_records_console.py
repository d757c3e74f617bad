"""The register page in a real browser at phone and desktop widths, in English and Japanese:
it fits the screen (the wide table scrolls inside its box) and the screenshots are kept to look at."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from mamori.accounts.models import Role
from mamori.audit.services import Actor
from mamori.catalog.services import apply_map
from mamori.disclosures.models import Direction
from mamori.disclosures.services import record_batch
from mamori.testing.staff import login_staff, make_staff

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(os.environ.get("MAMORI_SCREENSHOTS", "")) if os.environ.get("MAMORI_SCREENSHOTS") else None


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize("width", [390, 1280])
def test_register_page_fits_and_reads(chromium: Any, live_server: Any, language: str, width: int) -> None:
    apply_map([EXAMPLES / "inpro"], Actor.cli("test"))
    record_batch(
        "inpro",
        Direction.PROVISION,
        [
            {
                "client_key": f"guides-{n}",
                "recipient": "overseas-partners",
                "transferred_on": f"2026-10-{n + 1:02d}",
                "consent_document": "booking form",
                "people": [{"identities": {"email": f"p{k}@example.jp"}} for k in range(n + 1)],
            }
            for n in range(3)
        ]
        + [
            {
                "client_key": "ads",
                "recipient": "opt-out-partners",
                "transferred_on": "2026-11-02",
                "made_from": "bulk",
                "people": [{"identities": {"user_id": "M-1"}}],
            }
        ],
        Actor.cli("test"),
    )
    record_batch(
        "inpro",
        Direction.RECEIPT,
        [
            {
                "client_key": "bureau",
                "source": "credit-bureaus",
                "basis": "opt_out",
                "transferred_on": "2026-09-01",
                "ppc_publication": "PPC 2026-0815",
                "provider": {"address": "1-2-3 Nishi-Shinjuku, Tokyo", "representative": "Taro Credit"},
                "people": [{"identities": {"email": "p1@example.jp"}}],
            }
        ],
        Actor.cli("test"),
    )
    client = Client()
    login_staff(client, make_staff(Role.PRIVACY_OFFICER, "officer"))
    context = chromium.new_context(
        viewport={"width": width, "height": 900}, locale=language, extra_http_headers={"Accept-Language": language}
    )
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/console/records/")
    heading = "第三者提供・受領の記録" if language == "ja" else "Provision and receipt records"
    assert page.locator("h1").inner_text() == heading
    assert page.locator("tbody tr").count() == 5
    if SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"records-{language}-{width}.png"), full_page=True)
    # The page itself never scrolls sideways; the table scrolls in its own box.
    wide = page.evaluate("""[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right >
        window.innerWidth + 1 && !e.closest('.table-scroll')).map(e => e.tagName + '.' + e.className).slice(0, 5)""")
    assert wide == []
    if SHOTS:
        page.locator("tbody tr a").first.click()
        page.screenshot(path=str(SHOTS / f"record-{language}-{width}.png"), full_page=True)
    context.close()
