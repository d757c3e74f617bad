"""The console's map page names the version in force and the one coming, in a real browser (issue 9)."""

from __future__ import annotations

import os
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from mamori.accounts.models import Role
from mamori.audit.services import Actor
from mamori.catalog.services import apply_map
from mamori.testing.staff import login_staff, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(os.environ.get("MAMORI_SCREENSHOTS", "")) if os.environ.get("MAMORI_SCREENSHOTS") else None
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize("width", [390, 1280])
def test_map_page_shows_the_version_in_force_and_the_upcoming_one(
    chromium: Any, live_server: Any, tmp_path: Path, language: str, width: int
) -> None:
    folder = tmp_path / "onemall"
    shutil.copytree(EXAMPLES / "onemall", folder, ignore=shutil.ignore_patterns("*.sql"))
    apply_map([folder], Actor.cli("test"))
    (folder / "notices.yaml").write_text((folder / "notices.yaml").read_text() + "\n# version 2\n")
    apply_map([folder], Actor.cli("test"), effective=timezone.localdate() + timedelta(days=30))
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
    page.goto(f"{live_server.url}/console/map/?org=onemall")
    notice = page.locator(".upcoming-version")
    expected = "バージョン 2 は" if language == "ja" else "Version 2 takes effect on"
    assert expected in notice.inner_text()
    if SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"map-upcoming-{language}-{width}.png"), full_page=True)
    notice.locator("a").first.click()
    assert "/console/map/diff/1/2/" in page.url
    context.close()
