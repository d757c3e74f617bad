"""The banner in a real browser: blocking before consent, reject, accept, GPC, re-consent after a
material notice change, keyboard only, Japanese; and the ledger holds an event for each choice."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.db import OperationalError, connection

from mamori.audit.services import Actor
from mamori.catalog.services import apply_map
from mamori.consent import siteconfig
from mamori.consent.models import ConsentEvent
from mamori.consent.services.eventids import is_v7

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
OPTIONAL_COOKIES = ("_ga", "_gcl_au", "_fbp")
GPC_INIT = "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true});"


@pytest.fixture
def onemall(transactional_db: None, demo_mode: None) -> str:
    return apply_map([EXAMPLES / "onemall"], Actor.cli("test")).organisation


@pytest.fixture
def ipro(transactional_db: None, demo_mode: None) -> str:
    return apply_map([EXAMPLES / "i-pro"], Actor.cli("test")).organisation


@pytest.fixture
def context(chromium: Any) -> Iterator[Any]:
    ctx = chromium.new_context()
    yield ctx
    ctx.close()


def shop(page: Any, live_server: Any, site: str, lang: str = "en") -> None:
    page.goto(f"{live_server.url}/consent/demo/{site}/?lang={lang}")
    page.wait_for_function("window.mamoriConsent && document.readyState === 'complete'")


def wait_for_banner(page: Any) -> Any:
    banner = page.locator("#mamori-cb")
    banner.wait_for(state="visible", timeout=5000)
    return banner


def runs(page: Any) -> dict[str, int]:
    found = page.evaluate("Object.assign({}, window.mamoriDemoRuns || {}, {inline: window.gaInlineRuns || 0})")
    return {name: count for name, count in found.items() if count}


def cookie_names(context: Any) -> set[str]:
    return {cookie["name"] for cookie in context.cookies()}


def events(count: int, timeout: float = 5.0) -> list[ConsentEvent]:
    """The ledger once it holds `count` events (the banner posts in the background)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            found = list(ConsentEvent.objects.order_by("id"))
        except OperationalError:  # SQLite's shared-cache test database: the server thread is writing
            found = []
        if len(found) >= count:
            return found
        time.sleep(0.05)
    raise AssertionError(f"expected {count} ledger events, found {ConsentEvent.objects.count()}")


def tab_to(page: Any, selector: str, limit: int = 40) -> None:
    for _ in range(limit):
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"keyboard focus never reached {selector}")


def test_nothing_optional_runs_before_consent_nor_after_reject_all(
    live_server: Any, context: Any, onemall: str
) -> None:
    page = context.new_page()
    shop(page, live_server, onemall)
    banner = wait_for_banner(page)
    assert banner.get_attribute("role") == "dialog"
    accept, reject = banner.get_by_role("button", name="Accept all"), banner.get_by_role("button", name="Reject all")
    # Equally prominent: same size and same look.
    assert accept.bounding_box()["height"] == reject.bounding_box()["height"]
    assert accept.evaluate("b => getComputedStyle(b).backgroundColor") == reject.evaluate(
        "b => getComputedStyle(b).backgroundColor"
    )
    assert runs(page) == {}
    assert not cookie_names(context) & set(OPTIONAL_COOKIES)
    assert page.locator("#demo-pixel").get_attribute("src") is None

    reject.click()
    assert page.locator("#mamori-cb").count() == 0
    (event,) = events(1)
    assert event.method == "click" and event.choices == {
        "essential": True,
        "preferences": False,
        "analytics": False,
        "advertising": False,
    }
    assert event.banner_text_hash == siteconfig.site_config(onemall)["hash"]["en"]
    assert event.ip_hash and event.user_agent and event.ip_hash != "127.0.0.1"
    # The banner's event ids are UUIDv7 carrying the browser's clock: the ledger's month key.
    assert is_v7(event.event_id) and abs(event.chosen_at - event.recorded_at) < dt.timedelta(minutes=1)

    shop(page, live_server, onemall)  # the choice holds on the next page: no banner, still nothing
    page.wait_for_timeout(300)
    assert page.locator("#mamori-cb").count() == 0
    assert runs(page) == {}
    assert "mamori_consent" in cookie_names(context)
    assert not cookie_names(context) & set(OPTIONAL_COOKIES)
    assert ConsentEvent.objects.count() == 1


def test_accept_all_runs_each_tag_once_in_order(live_server: Any, context: Any, onemall: str) -> None:
    page = context.new_page()
    shop(page, live_server, onemall)
    wait_for_banner(page).get_by_role("button", name="Accept all").click()
    page.wait_for_function("(window.mamoriDemoRuns || {})['facebook-pixel'] === 1")
    page.wait_for_timeout(200)
    assert runs(page) == {"google-analytics": 1, "google-ads": 1, "facebook-pixel": 1, "inline": 1}
    assert page.locator("#demo-log li").all_inner_texts() == [
        "google-analytics ran",
        "inline analytics ran",
        "google-ads ran",
        "facebook-pixel ran",
    ]
    assert set(OPTIONAL_COOKIES) <= cookie_names(context)
    assert page.locator("#demo-pixel").get_attribute("src")
    consent_calls = page.evaluate("(window.dataLayer || []).filter(a => a[0] === 'consent').map(a => [a[1], a[2]])")
    assert [kind for kind, _ in consent_calls][:1] == ["default"] and consent_calls[-1][0] == "update"
    default, update = consent_calls[0][1], consent_calls[-1][1]
    assert len(default) == len(update) == 7
    assert default["ad_storage"] == "denied" and default["security_storage"] == "granted"
    assert update["ad_storage"] == update["analytics_storage"] == update["ad_personalization"] == "granted"
    (event,) = events(1)
    assert all(event.choices.values())

    shop(page, live_server, onemall)  # next page: runs once again, without asking
    page.wait_for_function("(window.mamoriDemoRuns || {})['facebook-pixel'] === 1")
    assert page.locator("#mamori-cb").count() == 0
    assert runs(page) == {"google-analytics": 1, "google-ads": 1, "facebook-pixel": 1, "inline": 1}


def test_gpc_gives_the_california_opt_out_without_a_banner(live_server: Any, chromium: Any, ipro: str) -> None:
    ctx = chromium.new_context(extra_http_headers={"Sec-GPC": "1"})
    ctx.add_init_script(GPC_INIT)
    try:
        page = ctx.new_page()
        shop(page, live_server, ipro)
        note = page.locator("#mamori-note")
        note.wait_for(state="visible", timeout=5000)
        assert "Global Privacy Control" in note.inner_text()
        assert note.get_attribute("role") == "status"
        assert page.locator("#mamori-cb").count() == 0
        assert runs(page) == {}
        (event,) = events(1)
        assert event.method == "gpc" and event.gpc is True
        assert not any(value for key, value in event.choices.items() if key != "essential")
        # The server sees the header too, and the choices page says the signal was honoured.
        page.goto(f"{live_server.url}/privacy/{ipro}/choices/")
        assert "honour" in page.locator("#gpc-status").inner_text()
    finally:
        ctx.close()


def test_gpc_is_not_applied_where_the_map_does_not_say_so(live_server: Any, chromium: Any, onemall: str) -> None:
    ctx = chromium.new_context(extra_http_headers={"Sec-GPC": "1"})
    ctx.add_init_script(GPC_INIT)
    try:
        page = ctx.new_page()
        shop(page, live_server, onemall)
        wait_for_banner(page)  # onemall (JP, EEA) makes no GPC commitment: the visitor is asked
    finally:
        ctx.close()


def test_material_notice_change_asks_again(
    live_server: Any, context: Any, onemall: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = context.new_page()
    shop(page, live_server, onemall)
    wait_for_banner(page).get_by_role("button", name="Accept all").click()
    events(1)

    monkeypatch.setattr(siteconfig, "notice_version", lambda organisation: 2)
    cache.clear()
    siteconfig._parsed.clear()
    shop(page, live_server, onemall)
    wait_for_banner(page)
    assert runs(page) == {}  # the old consent no longer counts
    page.get_by_role("button", name="Reject all").click()
    second = events(2)[1]
    assert second.notice_version == 2 and second.choices["analytics"] is False


def test_the_whole_flow_by_keyboard_alone(live_server: Any, context: Any, onemall: str) -> None:
    page = context.new_page()
    shop(page, live_server, onemall)
    wait_for_banner(page)
    assert page.evaluate("document.activeElement.id") == "mamori-cb"  # focus moved to the banner
    tab_to(page, "#mamori-cb button[data-a=custom]")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.getAttribute('data-cat')") == "preferences"
    tab_to(page, "input[data-cat=analytics]")
    page.keyboard.press("Space")
    tab_to(page, "#mamori-cb button[data-a=save]")
    page.keyboard.press("Enter")
    page.wait_for_function("window.gaInlineRuns === 1")  # the inline tag runs after the external one loaded
    page.wait_for_timeout(200)
    assert runs(page) == {"google-analytics": 1, "inline": 1}
    first = events(1)[0]
    assert first.choices == {"essential": True, "preferences": False, "analytics": True, "advertising": False}
    assert "_ga" in cookie_names(context)

    # Reopen with the "cookie settings" link, withdraw analytics: its first-party cookies go.
    page.focus("body")
    tab_to(page, "[data-mamori-settings]")
    page.keyboard.press("Enter")
    wait_for_banner(page)
    tab_to(page, "input[data-cat=analytics]")
    assert page.evaluate("document.activeElement.checked") is True
    page.keyboard.press("Space")
    tab_to(page, "#mamori-cb button[data-a=save]")
    page.keyboard.press("Enter")
    withdrawal = events(2)[1]
    assert withdrawal.method == "withdrawal" and withdrawal.choices["analytics"] is False
    assert "_ga" not in cookie_names(context)
    assert page.evaluate("document.activeElement.hasAttribute('data-mamori-settings')")  # focus came back


def test_japanese_renders(live_server: Any, context: Any, onemall: str) -> None:
    page = context.new_page()
    shop(page, live_server, onemall, lang="ja")
    banner = wait_for_banner(page)
    assert banner.get_attribute("lang") == "ja"
    assert "すべて同意する" in banner.inner_text() and "すべて拒否する" in banner.inner_text()
    banner.get_by_role("button", name="カスタマイズ").click()
    assert "分析クッキー" in banner.inner_text()
    banner.get_by_role("button", name="選択を保存").click()
    (event,) = events(1)
    assert event.language == "ja" and event.banner_text_hash == siteconfig.site_config(onemall)["hash"]["ja"]


def test_an_event_the_server_did_not_take_is_sent_again(live_server: Any, context: Any, onemall: str) -> None:
    """Nothing is lost silently: a 503 (or a dropped connection) is retried with the same event id."""
    answered: list[int] = []

    def flaky(route: Any) -> None:
        if not answered:
            answered.append(503)
            route.fulfill(status=503, body="busy")
        else:
            answered.append(0)
            route.continue_()

    page = context.new_page()
    page.route("**/api/v1/consent/events", flaky)
    shop(page, live_server, onemall)
    wait_for_banner(page).get_by_role("button", name="Reject all").click()
    # Waiting inside Playwright lets it answer the retried request (route handlers run only then).
    page.wait_for_function("(localStorage.getItem('mamori_pending') || '[]') === '[]'")
    (event,) = events(1)
    assert answered[0] == 503 and len(answered) >= 2
    assert event.method == "click"


def test_an_event_left_unsent_by_a_closed_page_goes_with_the_next_page(
    live_server: Any, context: Any, onemall: str
) -> None:
    page = context.new_page()
    page.route("**/api/v1/consent/events", lambda route: route.abort())
    shop(page, live_server, onemall)
    wait_for_banner(page).get_by_role("button", name="Accept all").click()
    page.wait_for_function("JSON.parse(localStorage.getItem('mamori_pending') || '[]').length === 1")
    page.close()
    assert ConsentEvent.objects.count() == 0

    later = context.new_page()
    shop(later, live_server, onemall)
    (event,) = events(1)
    assert all(event.choices.values())
    later.wait_for_function("(localStorage.getItem('mamori_pending') || '[]') === '[]'")
    time.sleep(0.3)
    assert ConsentEvent.objects.count() == 1  # sent twice at most, stored once


def test_events_survive_the_database_dropping_the_servers_connections(
    live_server: Any, chromium: Any, onemall: str
) -> None:
    """A burst of choices while PostgreSQL terminates the server's connections: the banner's
    retries make events sent = events stored, none twice."""
    if connection.vendor != "postgresql":
        pytest.skip("pg_terminate_backend is PostgreSQL's; this suite runs on PostgreSQL too (scripts/test)")
    contexts = [chromium.new_context() for _ in range(8)]
    try:
        pages = []
        for number, ctx in enumerate(contexts):
            page = ctx.new_page()
            shop(page, live_server, onemall)
            wait_for_banner(page).get_by_role("button", name="Accept all" if number % 2 else "Reject all").click()
            pages.append(page)
            if number in (2, 5):  # twice in the burst, every connection but this test's own is cut
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
        for page in pages:
            page.wait_for_function("(localStorage.getItem('mamori_pending') || '[]') === '[]'", timeout=20000)
        found = events(8)
        assert len(found) == 8 and len({event.event_id for event in found}) == 8
        assert sorted(event.method for event in found) == ["click"] * 8
    finally:
        for ctx in contexts:
            ctx.close()
