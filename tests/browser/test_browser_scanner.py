"""The scanner in a real Chromium: the faulty site gives exactly its four findings, the demo shop
with mamori's banner gives none. Every address scanned is on this machine (127.0.0.1/localhost)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache

from mamori.audit.services import Actor
from mamori.catalog.mapfile import load_map
from mamori.catalog.services import apply_map
from mamori.consent import siteconfig
from mamori.scanner.browser import CHROMIUM, ScanOptions, scan_site
from mamori.scanner.compare import compare
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


def one_page(url: str) -> ScanOptions:
    pytest.importorskip("playwright.async_api", reason="playwright is not installed (pip install -e .[dev])")
    return ScanOptions(urls=[url], max_pages=1, contexts=2, regions=("JP",), settle_ms=1500)


def test_the_faulty_site_gives_exactly_its_faults(live_server: Any) -> None:
    apply_map([HERE / "faultyshop"], Actor.cli("test"))
    privacy_map = load_map([HERE / "faultyshop"]).map
    siteconfig.site_config("faultyshop")  # built once here, not by two browser contexts at once
    # mamori (the banner) on 127.0.0.1 like the shop; the widget's host, localhost, is another site.
    with faulty_site(live_server.url.replace("//localhost:", "//127.0.0.1:")) as url:
        scan = scan_site(one_page(url))
    assert not [visit["error"] for visit in scan["visits"] if visit["error"]]
    findings = {(f.kind, f.subject): f for f in compare(privacy_map, scan)}
    assert set(findings) == {
        ("cookie_before_consent", "fa_analytics"),
        ("undeclared_cookie", "fa_mystery"),
        ("duration_longer", "fa_pref"),
        ("third_party_embed", "localhost"),
    }
    before = findings[("cookie_before_consent", "fa_analytics")]
    assert before.severity == "violation"
    assert {item["state"] for item in before.evidence} == {"none", "reject", "gpc"}
    assert all(item["initiator"] == f"{url}tag-before-consent.js" for item in before.evidence)
    undeclared = findings[("undeclared_cookie", "fa_mystery")]
    assert [item["state"] for item in undeclared.evidence] == ["accept"]
    assert undeclared.evidence[0]["initiator"] == f"{url}analytics.js"
    assert "- name: \"fa_mystery\"" in undeclared.suggestion and 'duration: "1 day"' in undeclared.suggestion
    assert findings[("duration_longer", "fa_pref")].details == {"seen_days": 400, "declared": "30 days"}
    embed = findings[("third_party_embed", "localhost")]
    assert embed.severity == "violation" and embed.details == {"kind": "iframe"}
    assert [item["state"] for item in embed.evidence] == ["accept"]
    # What was recorded about the essential cookie: set by the page's response, HttpOnly, a session cookie.
    none = next(visit for visit in scan["visits"] if visit["state"] == "none")
    (session,) = [cookie for cookie in none["cookies"] if cookie["name"] == "shop_session"]
    assert session["set_by"] == {"kind": "http", "url": url} and session["http_only"] and session["session"]


def test_the_demo_shop_with_mamoris_banner_gives_no_findings(live_server: Any, settings: Any) -> None:
    settings.MAMORI_DEMO = True
    organisation = apply_map([EXAMPLES / "onemall"], Actor.cli("test")).organisation
    siteconfig.site_config(organisation)
    privacy_map = load_map([EXAMPLES / "onemall"]).map
    scan = scan_site(one_page(f"{live_server.url}/consent/demo/{organisation}/"))
    assert [finding.to_json() for finding in compare(privacy_map, scan)] == []
    by_state = {visit["state"]: visit for visit in scan["visits"]}
    assert by_state["none"]["banner_shown"] and not by_state["none"]["cookies"]
    assert {c["name"] for c in by_state["accept"]["cookies"]} == {"_ga", "_gcl_au", "_fbp", "mamori_consent"}
    update = [m for m in by_state["accept"]["consent_mode"] if m["command"] == "update"][-1]
    assert update["params"]["ad_storage"] == "granted"
    assert set(scan["screenshots"]) == {"none", "reject", "accept", "gpc"}
