"""The scanner in a real Chromium: the faulty site gives exactly its four findings, the demo shop
with mamori's banner gives none. Every address scanned is on this machine (127.0.0.1/localhost)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache

from mamori.audit.services import Actor
from mamori.catalog.services import apply_map
from mamori.consent import siteconfig
from mamori.scanner.browser import CHROMIUM
from mamori.scanner.cli import main as scan_main
from mamori.scanner.models import Scan
from tests.scanner.site import faulty_site

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is missing: apt-get install -y chromium"),
]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
HERE = Path(__file__).resolve().parents[1] / "scanner"
EXAMPLES = HERE.parents[1] / "examples"


@pytest.fixture(autouse=True)
def _fresh_configs() -> None:
    cache.clear()
    siteconfig._parsed.clear()


def test_the_faulty_site_gives_exactly_its_faults(live_server: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """`mamori scan --map` (no database needed) exits 1 on the violations, with exactly four findings."""
    pytest.importorskip("playwright.async_api", reason="playwright is not installed (pip install -e .[dev])")
    apply_map([HERE / "faultyshop"], Actor.cli("test"))  # the banner's config is served from it
    siteconfig.site_config("faultyshop")  # built once here, not by two browser contexts at once
    # mamori (the banner) on 127.0.0.1 like the shop; the widget's host, localhost, is another site.
    with faulty_site(live_server.url.replace("//localhost:", "//127.0.0.1:")) as url:
        code = scan_main(
            [
                url,
                "--map",
                str(HERE / "faultyshop"),
                "--pages",
                "1",
                "--regions",
                "JP",
                "--format",
                "json",
                "--fail-on",
                "violations",
            ]
        )
    out = json.loads(capsys.readouterr().out)
    assert code == 1 and out["summary"] == {"violation": 2, "warning": 2, "info": 0}
    assert not [visit["error"] for visit in out["visits"] if visit["error"]]
    findings = {(f["kind"], f["subject"]): f for f in out["findings"]}
    assert set(findings) == {
        ("cookie_before_consent", "fa_analytics"),
        ("undeclared_cookie", "fa_mystery"),
        ("duration_longer", "fa_pref"),
        ("third_party_embed", "localhost"),
    }
    before = findings[("cookie_before_consent", "fa_analytics")]
    assert before["severity"] == "violation"
    assert {item["state"] for item in before["evidence"]} == {"none", "reject", "gpc"}
    assert all(item["initiator"] == f"{url}tag-before-consent.js" for item in before["evidence"])
    undeclared = findings[("undeclared_cookie", "fa_mystery")]
    assert [item["state"] for item in undeclared["evidence"]] == ["accept"]
    assert undeclared["evidence"][0]["initiator"] == f"{url}analytics.js"
    assert '- name: "fa_mystery"' in undeclared["suggestion"] and 'duration: "1 day"' in undeclared["suggestion"]
    assert findings[("duration_longer", "fa_pref")]["details"] == {"seen_days": 400, "declared": "30 days"}
    embed = findings[("third_party_embed", "localhost")]
    assert embed["severity"] == "violation" and embed["details"] == {"kind": "iframe"}
    assert [item["state"] for item in embed["evidence"]] == ["accept"]
    # What was recorded about the essential cookie: set by the page's response, HttpOnly, a session cookie.
    none = next(visit for visit in out["visits"] if visit["state"] == "none")
    (session,) = [cookie for cookie in none["cookies"] if cookie["name"] == "shop_session"]
    assert session["set_by"] == {"kind": "http", "url": url} and session["http_only"] and session["session"]
    assert not Scan.objects.exists()  # --map stores nothing


def test_mamori_scan_on_the_demo_shop_finds_nothing_and_keeps_the_scan(
    live_server: Any, settings: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command as CI runs it: JSON on standard output, exit 0 with --fail-on violations, the
    HTML report in Japanese with a screenshot per state, and the scan in the console's history."""
    pytest.importorskip("playwright.async_api", reason="playwright is not installed (pip install -e .[dev])")
    settings.MAMORI_DEMO = True
    organisation = apply_map([EXAMPLES / "onemall"], Actor.cli("test")).organisation
    siteconfig.site_config(organisation)
    report = tmp_path / "scan.html"
    code = scan_main(
        [
            f"{live_server.url}/consent/demo/{organisation}/",
            "--organisation",
            organisation,
            "--pages",
            "1",
            "--regions",
            "JP",
            "--format",
            "json",
            "--fail-on",
            "violations",
            "--report",
            str(report),
            "--lang",
            "ja",
        ]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["findings"] == [] and out["summary"] == {"violation": 0, "warning": 0, "info": 0}
    by_state = {visit["state"]: visit for visit in out["visits"]}
    assert by_state["none"]["banner_shown"] and not by_state["none"]["cookies"]
    assert {c["name"] for c in by_state["accept"]["cookies"]} == {"_ga", "_gcl_au", "_fbp", "mamori_consent"}
    update = [m for m in by_state["accept"]["consent_mode"] if m["command"] == "update"][-1]
    assert update["params"]["ad_storage"] == "granted"
    assert by_state["gpc"]["banner_shown"]  # onemall makes no GPC commitment: the visitor is asked
    page = report.read_text("utf-8")
    assert "検出事項はありません" in page and page.count("data:image/jpeg;base64,") == 4
    (stored,) = Scan.objects.all()
    assert (stored.organisation, stored.violations, stored.pages) == (organisation, 0, 1)
    assert set(stored.screenshots) == {"none", "reject", "accept", "gpc"}
