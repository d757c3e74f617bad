"""The retention console in a real browser: the dry run, a run waiting for approval, the confirmed
approval, and the certificate, in English and Japanese, at phone and desktop widths.

With MAMORI_SCREENSHOTS=DIR set, each page is also saved as DIR/retention-<page>-<lang>-<width>.png.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from mamori.audit.services import Actor
from mamori.catalog.services import apply_map
from mamori.fulfilment.demo_shop import create_shop
from mamori.retention import services
from mamori.testing.staff import make_staff

from .conftest import staff_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SHOTS = os.environ.get("MAMORI_SCREENSHOTS", "")


def shoot(page: Any, name: str, lang: str, width: int) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"retention-{name}-{lang}-{width}.png"), full_page=True)


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_dry_run_approval_and_certificate(
    lang: str, width: int, chromium: Any, live_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = tmp_path / "shop.sqlite3"
    create_shop(shop)
    monkeypatch.setenv("MAMORI_ONEMALL_SHOP_URL", f"sqlite:///{shop}")
    apply_map([EXAMPLES / "onemall"], Actor.cli("test"))
    officer = make_staff("privacy_officer", "officer")
    run = services.plan_run("onemall", "inquiry-data", Actor.cli("test"))
    context, page = staff_page(chromium, live_server, officer, lang, width)
    try:
        page.goto(f"{live_server.url}/console/retention/")
        assert page.locator("h1").first.inner_text() == ("Retention" if lang == "en" else "保存期間と廃棄")
        shoot(page, "overview", lang, width)
        page.goto(f"{live_server.url}/console/retention/runs/{run.pk}/")
        shoot(page, "run-waiting", lang, width)
        page.locator("a.button.danger").click()
        shoot(page, "approve", lang, width)
        page.locator("input[name=confirm]").check()
        page.locator("button.danger").click()
        page.wait_for_url(f"**/console/retention/runs/{run.pk}/")
        run.refresh_from_db()
        assert run.status == "completed"
        page.reload()
        shoot(page, "run-done", lang, width)
        page.goto(f"{live_server.url}/console/retention/runs/{run.pk}/certificate.html?lang={lang}")
        assert ("Disposal certificate" if lang == "en" else "廃棄証明書") in page.locator("h1").inner_text()
        shoot(page, "certificate", lang, width)
    finally:
        context.close()
