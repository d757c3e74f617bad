"""Real-browser tests: Debian's Chromium driven by Playwright against Django's live server.

Select them with `-m browser`. Playwright's own browser download is never used (no network for it
here): the system Chromium at /usr/bin/chromium is launched; without it these tests are skipped.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make between
# page actions are ordinary blocking calls and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives a real Chromium (needs /usr/bin/chromium and playwright)")


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is missing: apt-get install -y chromium (Debian's package) to run browser tests")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e .[dev])")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def demo_mode(settings: Any) -> None:
    settings.MAMORI_DEMO = True
    cache.clear()
    from mamori.consent import siteconfig

    siteconfig._parsed.clear()


def staff_page(chromium: Any, live_server: Any, user: Any, lang: str, width: int) -> Any:
    """A browser context signed in as `user` (a real session from the test client), in `lang`
    at `width` px, and its page. Close the context when done."""
    from django.conf import settings
    from django.test import Client

    from mamori.testing.staff import login_staff

    client = Client()
    login_staff(client, user)
    context = chromium.new_context(
        viewport={"width": width, "height": 900}, locale=lang, extra_http_headers={"Accept-Language": lang}
    )
    host = live_server.url.split("//", 1)[1].split(":")[0]
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "domain": host, "path": "/"}])
    return context, context.new_page()
