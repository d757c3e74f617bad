"""Recipient notices in a real browser at phone and desktop widths, in English and Japanese: the
list, a notice, and confirming it on the second step. Screenshots are kept when
MAMORI_SCREENSHOTS names a folder."""

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
from mamori.fulfilment.models import RecipientNotice
from mamori.fulfilment.recipient_notices import notify_recipients
from mamori.testing.staff import login_staff, make_staff

from ..fulfilment.club import MAP
from ..fulfilment.test_fulfilment_recipient_notices import RECIPIENTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(os.environ.get("MAMORI_SCREENSHOTS", "")) if os.environ.get("MAMORI_SCREENSHOTS") else None
WIDE = """[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right >
    window.innerWidth + 1 && !e.closest('.table-scroll')).map(e => e.tagName + '.' + e.className).slice(0, 5)"""


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize("width", [390, 1280])
def test_notice_pages_fit_and_confirm(
    chromium: Any, live_server: Any, tmp_path: Path, language: str, width: int
) -> None:
    folder = tmp_path / "map"
    folder.mkdir()
    (folder / "map.yaml").write_text((MAP / "map.yaml").read_text(encoding="utf-8") + RECIPIENTS, encoding="utf-8")
    apply_map([folder], Actor.cli("test"))
    notify_recipients("club", "erasure", {"email": "hanako@example.jp"}, Actor.cli("test"), request_id=7)
    task = RecipientNotice.objects.get(recipient="printer")
    client = Client()
    login_staff(client, make_staff(Role.SUPPORT_AGENT, "agent"))
    context = chromium.new_context(
        viewport={"width": width, "height": 900}, locale=language, extra_http_headers={"Accept-Language": language}
    )
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    page = context.new_page()

    def shot(name: str) -> None:
        assert page.evaluate(WIDE) == []  # the page never scrolls sideways
        if SHOTS:
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"{name}-{language}-{width}.png"), full_page=True)

    page.goto(f"{live_server.url}/console/fulfilment/notices/")
    assert page.locator("h1").inner_text() == ("提供先への通知" if language == "ja" else "Recipient notices")
    assert page.locator("tbody tr").count() == 3
    shot("notices")
    page.goto(f"{live_server.url}/console/fulfilment/notices/{task.pk}/")
    shot("notice")
    page.locator("button.danger").click()
    shot("notice-confirm")
    page.locator("textarea").fill("Printing Co. confirmed by phone")
    page.locator("button.danger").click()
    assert "Printing Co. confirmed by phone" in page.content()
    shot("notice-confirmed")
    task.refresh_from_db()
    assert task.status == "confirmed"
    context.close()
