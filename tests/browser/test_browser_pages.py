"""Every public page and the main console pages in a real browser, at 390 and 1280 px, in English and
Japanese: a full-page screenshot of each (kept in MAMORI_SCREENSHOT_DIR, or a pytest temporary folder),
no sideways scrolling, no serious or critical axe-core violation, and no English UI string on a
Japanese page (`pagecheck.py`).

One browser for the session; one context per width and language, its page reused for every URL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from mamori.accounts.models import Role
from mamori.audit.services import Actor
from mamori.catalog.services import apply_map
from mamori.console.views import MAP_SECTIONS
from mamori.fulfilment.demo_shop import create_shop
from mamori.notices.services import publish_if_new
from mamori.rights.models import Channel
from mamori.rights.services.common import REQUESTER
from mamori.rights.services.intake import Submission, submit_request
from mamori.rights.services.verification import mark_verified
from mamori.rights.services.workflow import show_plan, start
from mamori.testing.staff import login_staff, make_staff
from tests.browser.pagecheck import Findings, check_page, screenshot_dir, with_axe
from tests.fulfilment.fulfilment_webhook_server import SECRET, StorageAdapter
from tests.fulfilment.fulfilment_webhook_server import start as start_storage

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = (390, 1280)


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return screenshot_dir(tmp_path_factory)


@pytest.fixture
def ipro(transactional_db: None, demo_mode: None) -> Iterator[str]:
    cache.clear()
    version = apply_map([EXAMPLES / "i-pro"], Actor.cli("test"))
    publish_if_new(version, Actor.cli("test"))  # the change history and the notices' dates have a release
    yield version.organisation
    translation.deactivate()


def contexts(chromium: Any, language: str, cookies: list[dict[str, str]] | None = None) -> Iterator[tuple[int, Any]]:
    for width in WIDTHS:
        context = with_axe(
            chromium.new_context(
                viewport={"width": width, "height": 900},
                locale=language,
                extra_http_headers={"Accept-Language": language},
            )
        )
        if cookies:
            context.add_cookies(cookies)
        try:
            yield width, context.new_page()
        finally:
            context.close()


def a_request(organisation: str, jurisdiction: str = "JP") -> tuple[int, str]:
    created, token = submit_request(
        Submission(
            organisation=organisation,
            right="access",
            jurisdiction=jurisdiction,
            requester_name="Hanako Yamada",
            requester_email="hanako@example.jp",
            channel=Channel.FORM,
        ),
        REQUESTER,
    )
    return created.pk, token


@pytest.mark.parametrize("language", ["en", "ja"])
def test_public_pages(chromium: Any, live_server: Any, ipro: str, shots: Path, language: str) -> None:
    _request_id, token = a_request(ipro)
    center = f"{live_server.url}/privacy/{ipro}"
    pages = {
        "center-home": f"{center}/",
        "center-policy": f"{center}/policy/",
        "center-cookies": f"{center}/cookies/",
        "center-cpra": f"{center}/cpra/",
        "center-appi": f"{center}/appi/",
        "center-transmission": f"{center}/transmission/",
        "center-changes": f"{center}/changes/?version=1",
        "center-choices": f"{center}/choices/",
        "center-subscriptions": f"{center}/subscriptions/",
        "request-where": f"{center}/requests/new/",
        "request-form-jp": f"{center}/requests/new/?jurisdiction=JP",
        "request-form-ca": f"{center}/requests/new/?jurisdiction=US-CA",
        "request-status": f"{center}/requests/status/{token}/",
        "demo-shop": f"{live_server.url}/consent/demo/{ipro}/",
    }
    findings = Findings()
    for width, page in contexts(chromium, language):
        for name, url in pages.items():
            response = page.goto(url)
            if response is None or response.status != 200:
                findings.add(f"{name} [{language}, {width}px]", f"answered {response and response.status}")
                continue
            if name == "demo-shop":
                page.locator("#mamori-cb").wait_for(state="visible", timeout=5000)
            check_page(page, name, language, findings, shots, width)
        # The form sent empty: the errors stand next to their fields, in the page's language.
        page.goto(pages["request-form-jp"])
        page.locator("form.request-form [type=submit]").click()
        page.wait_for_load_state()
        check_page(page, "request-form-errors", language, findings, shots, width)
        name_error = page.locator(".form-row.has-error:has(#id_requester_name) .field-error")
        if name_error.count() != 1:
            findings.add(f"request-form-errors [{language}, {width}px]", "no error beside the empty name field")
    findings.assert_none()


def console_cookie(live_server: Any) -> dict[str, str]:
    client = Client()
    login_staff(client, make_staff(Role.PRIVACY_OFFICER, "officer"))
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }


def check_console(chromium: Any, live_server: Any, pages: dict[str, str], shots: Path, language: str) -> None:
    findings = Findings()
    for width, page in contexts(chromium, language, [console_cookie(live_server)]):
        for name, path in pages.items():
            response = page.goto(f"{live_server.url}/console{path}")
            if response is None or response.status != 200:
                findings.add(f"{name} [{language}, {width}px]", f"answered {response and response.status}")
                continue
            check_page(page, name, language, findings, shots, width)
    findings.assert_none()


@pytest.mark.parametrize("language", ["en", "ja"])
def test_console_pages(chromium: Any, live_server: Any, ipro: str, shots: Path, language: str) -> None:
    request_id, _token = a_request(ipro)
    pages = {
        "console-dashboard": "/",
        "console-requests": "/requests/",
        "console-request": f"/requests/{request_id}/",
        "console-audit": "/audit/",
    }
    check_console(chromium, live_server, pages, shots, language)


@pytest.mark.parametrize("language", ["en", "ja"])
def test_console_map_pages(chromium: Any, live_server: Any, ipro: str, shots: Path, language: str) -> None:
    # Every section of the map: its wide tables scroll inside a focusable region, never the page.
    pages = {f"console-map-{section}": f"/map/{section}/" for section in MAP_SECTIONS}
    # Not a version's own page: it shows the map's source files verbatim, the organisation's own
    # English text, which the check for untranslated UI strings would flag.
    pages["console-map-versions"] = "/map/versions/"
    check_console(chromium, live_server, pages, shots, language)


@pytest.fixture
def onemall_erasure(transactional_db: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """An erasure request of the demo shop's customer, verified and planned (the plan on its page)."""
    shop = tmp_path / "shop.sqlite3"
    create_shop(shop)
    monkeypatch.setenv("MAMORI_ONEMALL_SHOP_URL", f"sqlite:///{shop}")
    server, url = start_storage(StorageAdapter())  # the shop's file storage, behind its signed webhook
    monkeypatch.setenv("MAMORI_ONEMALL_OSS_WEBHOOK_URL", url)
    monkeypatch.setenv("MAMORI_ONEMALL_OSS_WEBHOOK_SECRET", SECRET)
    actor = Actor.cli("test")
    apply_map([EXAMPLES / "onemall"], actor)
    request, _token = submit_request(
        Submission(
            organisation="onemall",
            right="erasure",
            jurisdiction="JP",
            requester_name="Hanako Yamada",
            requester_email="hanako.yamada@example.jp",
            channel=Channel.FORM,
        ),
        REQUESTER,
    )
    mark_verified(request, actor, method="staff")
    start(request, actor)
    show_plan(request, actor)
    yield request.pk
    server.shutdown()
    server.server_close()
    translation.deactivate()


@pytest.mark.parametrize("language", ["en", "ja"])
def test_console_erasure_plan(
    chromium: Any, live_server: Any, onemall_erasure: int, shots: Path, language: str
) -> None:
    # The plan's table fits a phone (each table a card), and its retention lines read in the page's
    # language: "kept 7 years" in English, "7年" in Japanese (the map writes "7 years").
    expected = {
        "en": ("Retention rule order-records: kept 7 years under Japanese tax law",),
        "ja": ("保存期間ルール order-records: 日本の税法", "に基づき 7年 保持"),
    }[language]
    findings = Findings()
    for width, page in contexts(chromium, language, [console_cookie(live_server)]):
        page.goto(f"{live_server.url}/console/requests/{onemall_erasure}/")
        check_page(page, "console-request-plan", language, findings, shots, width)
        holds = page.locator(".plan-hold").all_inner_texts()
        if not holds or any(piece not in hold for hold in holds for piece in expected):
            findings.add(f"console-request-plan [{language}, {width}px]", f"retention lines read {holds}")
    findings.assert_none()
