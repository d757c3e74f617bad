"""The console's workplace pages in a real browser, at phone and desktop widths, in English and
Japanese: no sideways page scroll, the menu folded behind "Menu" on a phone (no JavaScript needed),
menu links not broken mid-word; and the API docs rendered with no network but this machine.

With MAMORI_SCREENSHOTS=DIR set, each page is also saved as DIR/console-<page>-<lang>-<width>.png.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from mamori.audit.services import Actor
from mamori.catalog.services import apply_map
from mamori.rights.models import RequestStatus, RightsRequest
from mamori.rights.services.intake import Submission, submit_request
from mamori.testing.staff import login_staff, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SHOTS = os.environ.get("MAMORI_SCREENSHOTS", "")
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def shoot(page: Any, name: str, lang: str, width: int) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"console-{name}-{lang}-{width}.png"), full_page=True)


def a_day_of_requests() -> RightsRequest:
    """Requests in several states: one overdue, one to review, one long-named with an agent."""
    apply_map([EXAMPLES / "i-pro"], Actor.cli("test"))
    names = ["山田 花子", "Alexandria Konstantinopoulou-Wellington", "佐藤 太郎", "Ann Lee"]
    made = []
    for number, name in enumerate(names):
        found, _token = submit_request(
            Submission(
                organisation="i-pro",
                right=["access", "erasure", "rectification", "access"][number],
                jurisdiction=["JP", "US-CA", "JP", "US-CA"][number],
                requester_name=name,
                requester_email=f"person{number}@example.com",
                message="Please correct my phone number." if number == 2 else "",
            ),
            Actor.system("requester"),
        )
        made.append(found)
    now = timezone.now()
    RightsRequest.objects.filter(pk=made[0].pk).update(due_at=now - timedelta(days=3))
    RightsRequest.objects.filter(pk=made[1].pk).update(status=RequestStatus.VERIFYING, needs_staff_review=True)
    RightsRequest.objects.filter(pk=made[3].pk).update(due_at=now + timedelta(days=2))
    return made[1]


def signed_in_page(chromium: Any, live_server: Any, lang: str, width: int, *, block_network: bool = False) -> Any:
    officer = make_staff("privacy_officer", "officer")
    client = Client()
    login_staff(client, officer)
    context = chromium.new_context(
        viewport={"width": width, "height": 900}, locale=lang, extra_http_headers={"Accept-Language": lang}
    )
    host = live_server.url.split("//", 1)[1].split(":")[0]
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "domain": host, "path": "/"}])
    if block_network:
        # Anything not served by this test's server fails, as on an install with no internet.
        context.route(
            "**/*", lambda route: route.continue_() if route.request.url.startswith(live_server.url) else route.abort()
        )
    return context.new_page()


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_console_pages_fit_the_screen(lang: str, width: int, chromium: Any, live_server: Any) -> None:
    reviewed = a_day_of_requests()
    page = signed_in_page(chromium, live_server, lang, width)
    try:
        pages = {
            "dashboard": "/console/",
            "queue": "/console/requests/",
            "request": f"/console/requests/{reviewed.pk}/",
            "audit": "/console/audit/",
            "new-request": "/console/requests/new/",
        }
        for name, path in pages.items():
            page.goto(f"{live_server.url}{path}")
            assert page.evaluate(NO_SIDEWAYS_SCROLL), f"{name} scrolls sideways at {width}px"
            assert page.locator("html").get_attribute("lang") == lang
            shoot(page, name, lang, width)
        menu_link = page.locator("#console-nav a", has_text="監査ログ" if lang == "ja" else "Audit log")
        if width == 390:
            # Folded on a phone: the links appear when "Menu" is pressed (a label, no script).
            assert not menu_link.is_visible()
            page.locator("label.nav-toggle-label").click()
            assert menu_link.is_visible()
            page.goto(f"{live_server.url}/console/")
            page.locator("label.nav-toggle-label").click()
            shoot(page, "menu-open", lang, width)
        else:
            assert menu_link.is_visible()
            # Every menu link on one line: a Japanese label is never broken in the middle of a word.
            lines = page.eval_on_selector_all(
                "#console-nav .console-links a", "links => links.map(a => a.getClientRects().length)"
            )
            assert lines and set(lines) == {1}
    finally:
        page.context.close()


# The other console pages, still in their own markup: at a phone's width none scrolls sideways.
OTHER_PAGES = [
    "/console/map/?org=i-pro",
    "/console/map/systems/?org=i-pro",
    "/console/map/purposes/?org=i-pro",
    "/console/map/recipients/?org=i-pro",
    "/console/map/versions/",
    "/console/map/versions/1/?org=i-pro",
    "/console/notices/",
    "/console/fulfilment/",
    "/console/fulfilment/tasks/",
    "/console/retention/?org=i-pro",
    "/console/records/",
    "/console/incidents/",
    "/console/consent/",
    "/console/scans/",
    "/console/requests/closures/",
    "/console/requests/metrics/",
    "/console/requests/minor/",
]


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_other_console_page_fits_a_phone(lang: str, chromium: Any, live_server: Any) -> None:
    a_day_of_requests()
    page = signed_in_page(chromium, live_server, lang, 390)
    try:
        wide = []
        for path in OTHER_PAGES:
            response = page.goto(f"{live_server.url}{path}")
            assert response is not None and response.status == 200, path
            if not page.evaluate(NO_SIDEWAYS_SCROLL):
                wide.append(path)
            shoot(page, "other" + path.split("?")[0].replace("/", "-").rstrip("-"), lang, 390)
        assert wide == []
    finally:
        page.context.close()


def test_the_api_docs_render_without_the_internet(chromium: Any, live_server: Any) -> None:
    page = signed_in_page(chromium, live_server, "en", 1280, block_network=True)
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    try:
        page.goto(f"{live_server.url}/api/v1/docs")
        page.wait_for_selector(".swagger-ui .info .title", timeout=20_000)
        assert "mamori API" in page.locator(".swagger-ui .info .title").inner_text()
        assert page.locator(".swagger-ui .opblock").count() > 10  # the endpoints are listed
        assert failed == []  # nothing was fetched from elsewhere
        shoot(page, "api-docs", "en", 1280)
    finally:
        page.context.close()
