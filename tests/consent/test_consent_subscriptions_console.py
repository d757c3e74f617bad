"""Double opt-in, one-click unsubscribe (RFC 8058), Do Not Sell or Share, and the console pages."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from mamori.accounts.models import User
from mamori.api.services import create_token
from mamori.audit.models import AuditEntry
from mamori.audit.services import Actor
from mamori.consent import services
from mamori.consent.models import ConsentEvent, SaleOptOut, Subscription, SubscriptionEvent
from mamori.consent.services.subscriptions import confirmed_subscribers
from tests.consent.conftest import event_body

ADDRESS = "hanako@example.jp"


@pytest.fixture
def subscribe(django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    """Posts the form; the confirmation job is queued on commit, so commit callbacks run here."""

    def post(client: Client, org: str, *, express: bool = True, email: str = ADDRESS, **extra: Any) -> Any:
        data = {"email": email, "topic": "newsletter"} | ({"express": "yes"} if express else {})
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(f"/privacy/{org}/subscriptions/", data, **extra)

    return post


def confirm_url(message: Any) -> str:
    match = re.search(r"https?://\S+/subscriptions/confirm/\S+/", message.body)
    assert match
    return match.group(0).split("://", 1)[1].split("/", 1)[1]


@pytest.mark.django_db
def test_double_opt_in_only_on_express_request(client: Client, ipro: str, subscribe: Callable[..., Any]) -> None:
    page = client.get(f"/privacy/{ipro}/subscriptions/")
    assert page.status_code == 200 and b'name="express" value="yes">' in page.content  # never pre-ticked
    refused = subscribe(client, ipro, express=False)
    assert refused.status_code == 400 and Subscription.objects.count() == 0 and not mail.outbox
    assert subscribe(client, ipro, email="not-an-address").status_code == 400

    assert subscribe(client, ipro).status_code == 200
    (subscription,) = Subscription.objects.all()
    assert subscription.status == "pending" and ADDRESS.encode() not in bytes(subscription.email_encrypted)
    (message,) = mail.outbox
    assert message.to == [ADDRESS] and "confirm" in message.subject.lower()
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert confirmed_subscribers(ipro) == []

    url = "/" + confirm_url(message)
    assert client.get(url).status_code == 200  # a link scanner opening it subscribes nobody
    assert Subscription.objects.get().status == "pending"
    assert client.post(url).status_code == 200
    assert Subscription.objects.get().status == "confirmed"
    assert confirmed_subscribers(ipro) == [(ADDRESS, "en")]
    assert list(SubscriptionEvent.objects.values_list("action", flat=True)) == ["requested", "confirmed"]
    assert AuditEntry.objects.filter(action="consent.subscription_confirmed").exists()
    assert client.post(url.replace("/confirm/", "/confirm/x")).status_code == 400


@pytest.mark.django_db
def test_japanese_confirmation_mail(client: Client, onemall: str, subscribe: Callable[..., Any]) -> None:
    subscribe(client, onemall, HTTP_ACCEPT_LANGUAGE="ja")
    (message,) = mail.outbox
    assert "ご購読の確認" in message.subject and "確認する" in message.body


@pytest.mark.django_db
def test_confirmation_link_expires(client: Client, onemall: str, subscribe: Callable[..., Any]) -> None:
    subscribe(client, onemall)
    url = "/" + confirm_url(mail.outbox[0])
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        assert client.post(url).status_code == 400
    assert Subscription.objects.get().status == "pending"


@pytest.mark.django_db
def test_one_click_unsubscribe_rfc8058(
    client: Client, onemall: str, marketing: User, subscribe: Callable[..., Any]
) -> None:
    subscribe(client, onemall)
    client.post("/" + confirm_url(mail.outbox[0]))
    _, secret = create_token(marketing, "mailer", ["consent:read"], Actor.cli("test"))
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    body = {"organisation": onemall, "topic": "newsletter", "email": ADDRESS}
    headers = client.post("/api/v1/consent/unsubscribe-headers", body, content_type="application/json", **auth).json()
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = headers["List-Unsubscribe"].strip("<>")
    assert url.startswith("http") and ADDRESS not in url and "hanako" not in url
    path = "/" + url.split("://", 1)[1].split("/", 1)[1]

    # The mail client's POST: no page, no CSRF token, done.
    response = Client(enforce_csrf_checks=True).post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    assert Subscription.objects.get().status == "withdrawn"
    assert SubscriptionEvent.objects.filter(action="one_click").count() == 1
    status = client.post("/api/v1/consent/subscriptions/status", body, content_type="application/json", **auth)
    assert status.json() == {"status": "withdrawn"}
    assert client.post("/api/v1/consent/unsubscribe-headers", body, content_type="application/json").status_code == 401
    bad = client.post(
        "/api/v1/consent/unsubscribe-headers", body | {"topic": "nope"}, content_type="application/json", **auth
    )
    assert bad.status_code == 400


@pytest.mark.django_db
def test_unsubscribe_page_works_in_one_step_even_for_unknown_addresses(client: Client, onemall: str) -> None:
    token = services.unsubscribe_token(onemall, "newsletter", "someone@example.com")
    path = f"/privacy/{onemall}/unsubscribe/{token}/"
    assert client.get(path).status_code == 200 and Subscription.objects.count() == 0  # GET changes nothing
    assert client.post(path).status_code == 200
    assert services.subscription_status(onemall, "newsletter", "someone@example.com") == "withdrawn"
    assert client.post(f"/privacy/{onemall}/unsubscribe/{token}x/").status_code == 400
    assert client.post(f"/privacy/{onemall}/unsubscribe/{token}/".replace(onemall, "i-pro", 1)).status_code == 404


@pytest.mark.django_db
def test_do_not_sell_or_share_page(client: Client, ipro: str) -> None:
    page = client.get(f"/privacy/{ipro}/choices/", HTTP_SEC_GPC="1")
    assert page.status_code == 200 and b'id="gpc-status"' in page.content
    assert ConsentEvent.objects.count() == 0
    done = client.post(f"/privacy/{ipro}/choices/", {"email": ADDRESS}, HTTP_SEC_GPC="1")
    assert done.status_code == 200 and b'id="opt-out-done"' in done.content
    (event,) = ConsentEvent.objects.all()
    assert event.method == "opt_out" and event.choices["advertising"] is False and event.gpc
    (opt_out,) = SaleOptOut.objects.all()
    assert opt_out.gpc and ADDRESS not in opt_out.email_hash
    assert "mamori_consent" in done.cookies
    assert client.post(f"/privacy/{ipro}/choices/", {"email": "nope"}).status_code == 400
    assert SaleOptOut.objects.count() == 1


@pytest.mark.django_db
def test_console_rates_chart_and_access(
    client: Client,
    client_as: Callable[[User], Client],
    onemall: str,
    officer: User,
    marketing: User,
    auditor: User,
    agent: User,
) -> None:
    config = client.get(f"/consent/config/{onemall}.json").json()
    for granted in (True, True, False):
        client.post(
            "/api/v1/consent/events",
            __import__("json").dumps(event_body(config, choices={"analytics": granted})),
            content_type="text/plain",
        )
    for user in (officer, marketing, auditor):
        page = client_as(user).get("/console/consent/")
        assert page.status_code == 200
        assert b"<svg" in page.content and b"67%" in page.content  # 2 of 3 granted analytics today
    assert client_as(agent).get("/console/consent/").status_code == 403
    assert client.get("/console/consent/").status_code == 302


@pytest.mark.django_db
def test_console_proof_export_access(
    client_as: Callable[[User], Client], onemall: str, officer: User, marketing: User
) -> None:
    assert client_as(marketing).get("/console/consent/proof/").status_code == 403
    page = client_as(officer).get(f"/console/consent/proof/?organisation={onemall}&subject=c-1")
    assert page.status_code == 200 and page["Content-Type"] == "application/json"
    assert page.json()["events"] == []
    assert client_as(officer).get("/console/consent/proof/?organisation=x&subject=").status_code == 200


@pytest.mark.django_db
def test_demo_shop_only_in_demo_mode(client: Client, onemall: str, settings: Any) -> None:
    assert client.get(f"/consent/demo/{onemall}/").status_code == 404
    settings.MAMORI_DEMO = True
    page = client.get(f"/consent/demo/{onemall}/")
    assert page.status_code == 200 and b'type="text/plain" data-category="analytics"' in page.content
    assert client.get("/consent/demo/scripts/google-analytics.js").status_code == 200


def _unsubscribe(client: Client, org: str) -> Subscription:
    from mamori.consent.services.subscriptions import unsubscribe_token

    client.post(f"/privacy/{org}/unsubscribe/{unsubscribe_token(org, 'newsletter', ADDRESS)}/")
    found = Subscription.objects.get()
    assert found.status == "withdrawn"
    return found


@pytest.mark.django_db
def test_an_unsubscribed_address_is_not_kept_readable(
    client: Client, onemall: str, subscribe: Callable[..., Any]
) -> None:
    """onemall's newsletter rule: trigger consent_withdrawn, period 0 days. Observed before: kept."""
    subscribe(client, onemall)
    client.post("/" + confirm_url(mail.outbox[0]))
    assert Subscription.objects.get().email_encrypted is not None
    found = _unsubscribe(client, onemall)
    assert found.email_encrypted is None and found.email_hash  # the hash stops further mail
    assert confirmed_subscribers(onemall) == []
    assert AuditEntry.objects.filter(action="consent.address_disposed").count() == 1


@pytest.mark.django_db
def test_a_retention_period_after_unsubscribing_is_honoured(
    client: Client, tmp_path: Any, subscribe: Callable[..., Any]
) -> None:
    import shutil
    from datetime import timedelta
    from pathlib import Path

    import time_machine
    from django.utils import timezone

    from mamori.catalog.services import apply_map
    from mamori.consent.services.subscriptions import dispose_withdrawn_addresses

    folder = tmp_path / "onemall"
    shutil.copytree(Path(__file__).resolve().parents[2] / "examples" / "onemall", folder)
    retention = folder / "retention.yaml"
    text = retention.read_text(encoding="utf-8")
    start = text.index("id: newsletter")
    retention.write_text(
        text[:start] + text[start:].replace('period: "0 days"', 'period: "30 days"', 1), encoding="utf-8"
    )
    org = apply_map([folder], Actor.cli("test")).organisation
    subscribe(client, org)
    client.post("/" + confirm_url(mail.outbox[0]))
    assert _unsubscribe(client, org).email_encrypted is not None  # kept for the 30 days the map gives
    assert dispose_withdrawn_addresses() == 0
    with time_machine.travel(timezone.now() + timedelta(days=30, minutes=1)):
        assert dispose_withdrawn_addresses() == 1
    assert Subscription.objects.get().email_encrypted is None
