"""The comparison rules, one by one, on synthetic scan results (no browser)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mamori.catalog.mapfile import PrivacyMap, load_map
from mamori.scanner.compare import compare, suggest_yaml
from tests.scanner.conftest import EXAMPLES, HERE, cookie, request, scan_of, visit

ONEMALL = load_map([EXAMPLES / "onemall"]).map
IPRO = load_map([EXAMPLES / "i-pro"]).map
FAULTY = load_map([HERE / "faultyshop"]).map


def kinds(privacy_map: PrivacyMap | None, *visits: dict) -> set[tuple[str, str]]:
    assert privacy_map is not None
    return {(f.kind, f.subject) for f in compare(privacy_map, scan_of(*visits))}


def test_a_declared_cookie_never_seen_is_noted_only_where_the_scan_could_see_it() -> None:
    seen = [cookie("shop_session"), cookie("fa_analytics", days=0.5)]
    # faultyshop declares no domains: fa_pref is expected on every scanned host.
    assert kinds(FAULTY, visit("accept", seen)) == {("declared_not_seen", "fa_pref")}
    # onemall's cookies live on *.onemall.jp: a scan of www.example.jp cannot judge them.
    assert kinds(ONEMALL, visit("accept", [cookie("_ga", days=300)])) == set()


def test_party_and_duration_are_checked_against_the_map() -> None:
    found = kinds(
        FAULTY,
        visit(
            "accept",
            [
                cookie("shop_session", days=2),
                cookie("fa_analytics", domain=".tracker.example", party="third", days=1),
                cookie("fa_pref", days=30.5),
            ],
        ),
    )
    assert found == {
        ("duration_longer", "shop_session"),
        ("party_differs", "fa_analytics"),
        ("third_party_cookie", "fa_analytics"),  # the faulty shop's map promises none (IC5)
    }


def test_third_party_requests_before_consent_are_violations_but_the_banner_server_is_not() -> None:
    findings = compare(
        FAULTY,
        scan_of(
            visit(
                "none",
                [cookie("shop_session")],
                [
                    request("https://consent.mamori.example/consent/banner.js"),
                    request("https://consent.mamori.example/consent/config/x.json", "xhr"),
                    request("https://px.ads.example/p.gif", "pixel", initiator="https://www.example.jp/ads.js"),
                ],
            ),
            visit(
                "accept",
                [cookie("shop_session"), cookie("fa_analytics", days=1), cookie("fa_pref", days=3)],
                [request("https://cdn.analytics.example/a.js")],
            ),
        ),
    )
    assert [(f.kind, f.subject, f.severity) for f in findings] == [
        ("request_before_consent", "px.ads.example", "violation")
    ]
    assert findings[0].evidence == [
        {
            "page": "https://www.example.jp/",
            "region": "JP",
            "state": "none",
            "initiator": "https://www.example.jp/ads.js",
        }
    ]


def test_ic5_third_party_cookies_and_embeds_where_the_map_promises_none() -> None:
    assert IPRO is not None and IPRO.commitments.website is not None
    found = kinds(
        IPRO,
        visit(
            "accept",
            [
                cookie("PHPSESSID_SECURE"),
                cookie("IDE", domain=".doubleclick.net", party="third", days=300),
            ],
            [request("https://www.youtube.example/embed/x", "iframe"), request("https://plug.example/a.swf", "plugin")],
        ),
    )
    assert ("third_party_cookie", "IDE") in found
    assert {("third_party_embed", "www.youtube.example"), ("third_party_embed", "plug.example")} <= found


def test_gpc_must_be_honoured_where_the_map_says_so() -> None:
    assert IPRO is not None
    advertising = {"command": "update", "params": {"ad_storage": "granted", "analytics_storage": "denied"}}
    found = kinds(
        IPRO,
        visit("none", [cookie("PHPSESSID_SECURE")]),
        visit("gpc", [cookie("PHPSESSID_SECURE")], banner_shown=True, consent_mode=[advertising]),
    )
    assert found == {("gpc_not_honoured", "example.jp")}
    honoured = visit("gpc", [cookie("PHPSESSID_SECURE")], banner_shown=False, gpc_note_shown=True)
    assert kinds(IPRO, visit("none", [cookie("PHPSESSID_SECURE")]), honoured) == set()


@pytest.mark.parametrize(
    ("name", "days", "party"),
    [
        ("_ga", 730.0, "first"),
        ("IDE", 395.2, "third"),
        ("s", None, "first"),
        ("x_1", 0.01, "third"),
        ("yes", 1095.4, "first"),
        ("on", 36500.0, "first"),
        ("null", 1.0, "third"),
    ],
)  # YAML's own traps (yes, on, null) among them
def test_every_suggested_entry_is_a_valid_map_cookie_once_filled_in(name: str, days: float | None, party: str) -> None:
    entry = yaml.safe_load(suggest_yaml(cookie(name, days=days, party=party, domain=".example.jp")))[0]
    assert entry["name"] == name and entry["party"] == party
    entry.update(category="essential", purpose={"en": "x", "ja": "x"})
    document = FAULTY.to_document() if FAULTY else {}
    document["cookies"] = [*document["cookies"], entry]
    PrivacyMap.from_document(document)  # raises when the suggestion is not a valid entry


def test_the_faulty_map_is_valid(tmp_path: Path) -> None:
    assert FAULTY is not None and not load_map([HERE / "faultyshop"]).problems
