"""Banner size, site config (ETag), the public event endpoint, the ledger's proof and the read API."""

from __future__ import annotations

import gzip
import json
import re
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from mamori.accounts.models import User
from mamori.api.services import create_token
from mamori.audit.models import AuditEntry
from mamori.audit.services import Actor
from mamori.consent import services, siteconfig
from mamori.consent.models import ConsentEvent, LedgerImmutableError
from mamori.consent.services.ledger import is_sealed
from mamori.consent.views import banner_bundle
from mamori.core.crypto import consent_site_key, subject_signature
from tests.consent.conftest import event_body

BANNER_LIMIT = 10 * 1024


def post_event(client: Client, body: dict[str, Any], **headers: Any) -> Any:
    return client.post("/api/v1/consent/events", json.dumps(body), content_type="text/plain", **headers)


def config_of(client: Client, site: str) -> dict[str, Any]:
    return client.get(f"/consent/config/{site}.json").json()


def test_banner_js_and_css_together_are_at_most_10_kb_gzipped(client: Client) -> None:
    plain, packed, _ = banner_bundle()
    assert b"#mamori-cb" in plain  # the style sheet is inside the script
    assert len(gzip.compress(plain, 9)) <= BANNER_LIMIT
    response = client.get("/consent/banner.js", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip" and len(response.content) == len(packed) <= BANNER_LIMIT
    code = plain.split(b"*/", 1)[1]  # after the embedding comment: no address but mamori's own origin
    assert not re.search(rb"https?://", code) and code.count(b"w.fetch(base + ") == 2
    assert "すべて同意する".encode() not in plain  # words come from the config, in both languages
    again = client.get("/consent/banner.js", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


@pytest.mark.django_db
def test_site_config_comes_from_the_map_and_is_cacheable(client: Client, onemall: str, ipro: str) -> None:
    response = client.get(f"/consent/config/{onemall}.json")
    assert response.status_code == 200 and response["ETag"]
    config = response.json()
    ids = [category["id"] for category in config["categories"]]
    assert ids == ["essential", "preferences", "analytics", "advertising"]
    assert config["categories"][0]["essential"] and not config["categories"][2]["essential"]
    assert config["texts"]["ja"]["categories"]["analytics"]["name"] == "分析クッキー"
    assert ["_ga", "Google", "2 years", "Google Analytics: distinguishes users"] in config["texts"]["en"]["categories"][
        "analytics"
    ]["cookies"]
    assert config["gpc"] is False and config["dnt"] is False  # onemall: JP + EEA, ignores DNT (OM9)
    assert [c["id"] for c in config["categories"] if c["sale"]] == ["advertising"]
    assert client.get(f"/consent/config/{onemall}.json", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    assert config_of(client, ipro)["gpc"] is True  # i-PRO honours GPC (US-CA)
    assert client.get("/consent/config/nobody.json").status_code == 404


@pytest.mark.django_db
def test_event_is_recorded_once_with_proof(client: Client, onemall: str) -> None:
    config = config_of(client, onemall)
    body = event_body(config, choices={"analytics": True, "advertising": False}, tz="Asia/Tokyo")
    first = post_event(
        client, body, HTTP_USER_AGENT="TestBrowser/1", REMOTE_ADDR="203.0.113.9", HTTP_ORIGIN="https://www.onemall.jp"
    )
    assert first.status_code == 201 and first.json()["recorded"] is True
    assert first["Access-Control-Allow-Origin"] == "https://www.onemall.jp"
    again = post_event(client, body)
    assert again.status_code == 200 and again.json()["recorded"] is False
    (event,) = ConsentEvent.objects.all()
    assert event.choices == {"essential": True, "preferences": False, "analytics": True, "advertising": False}
    assert event.notice_version == config["version"] and event.map_version == config["map_version"]
    assert event.banner_text_hash == config["hash"]["en"] and event.user_agent == "TestBrowser/1"
    assert event.region == "Asia/Tokyo" and event.method == "click"
    assert event.ip_hash and "203.0.113.9" not in json.dumps(list(ConsentEvent.objects.values()), default=str)
    assert is_sealed(event)
    with pytest.raises(LedgerImmutableError):
        event.save()
    with pytest.raises(LedgerImmutableError):
        ConsentEvent.objects.all().delete()
    other = post_event(client, event_body(config), HTTP_ORIGIN="https://evil.example")
    assert other.status_code == 201 and "Access-Control-Allow-Origin" not in other


@pytest.mark.django_db
def test_event_endpoint_takes_one_insert_and_no_map_parsing(client: Client, onemall: str) -> None:
    config = config_of(client, onemall)  # warms the config cache
    with CaptureQueriesContext(connection) as queries:
        assert post_event(client, event_body(config)).status_code == 201
    statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"].upper()]
    assert len(statements) == 1 and statements[0].upper().startswith("INSERT")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"choices": {"marketing": True}}, "choices_invalid"),
        ({"choices": {"essential": False}}, "choices_invalid"),
        ({"version": 99}, "version_invalid"),
        ({"hash": "0" * 64}, "text_unknown"),
        ({"method": "gpc", "choices": {"analytics": True}}, "choices_invalid"),
        ({"subject": "customer-1.forged"}, "subject_invalid"),
        ({"site": "nobody"}, "site_unknown"),
    ],
)
def test_bad_events_are_refused_and_nothing_is_stored(
    client: Client, onemall: str, change: dict[str, Any], code: str
) -> None:
    response = post_event(client, event_body(config_of(client, onemall), **change))
    assert response.status_code in (400, 404) and response.json()["code"] == code
    assert ConsentEvent.objects.count() == 0


@pytest.mark.django_db
def test_malformed_events_get_a_validation_problem(client: Client, onemall: str) -> None:
    config = config_of(client, onemall)
    assert client.post("/api/v1/consent/events", "not json", content_type="text/plain").status_code == 422
    response = post_event(client, event_body(config, method="telepathy", id="x"))
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    assert {tuple(e["loc"]) for e in response.json()["errors"]} >= {("id",), ("method",)}
    assert ConsentEvent.objects.count() == 0


@pytest.mark.django_db
@override_settings(MAMORI_CONSENT_RATE="3/m")
def test_event_endpoint_is_rate_limited_with_retry_after(client: Client, onemall: str) -> None:
    config = config_of(client, onemall)
    statuses = [post_event(client, event_body(config)).status_code for _ in range(4)]
    assert statuses == [201, 201, 201, 429]
    limited = post_event(client, event_body(config))
    assert int(limited["Retry-After"]) >= 1 and ConsentEvent.objects.count() == 3


@pytest.mark.django_db
def test_preflight_allows_the_post(client: Client, onemall: str) -> None:
    response = client.options(
        "/api/v1/consent/events", HTTP_ORIGIN="https://www.onemall.jp", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
    )
    assert response.status_code == 204 and "POST" in response["Access-Control-Allow-Methods"]


@pytest.mark.django_db
def test_subject_state_and_proof(client: Client, onemall: str, auditor: User, marketing: User) -> None:
    config = config_of(client, onemall)
    device = str(uuid.uuid4())
    token = f"customer-7.{subject_signature(onemall, 'customer-7')}"
    post_event(client, event_body(config, device=device, choices={"analytics": False}))  # before login
    post_event(client, event_body(config, device=device, choices={"analytics": True}, subject=token))
    post_event(client, event_body(config))  # somebody else

    _, secret = create_token(auditor, "audit", ["consent:read"], Actor.cli("test"))
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    state = client.get(f"/api/v1/consent/state?site={onemall}&subject=customer-7", **auth).json()
    assert state["devices"] == 1 and state["consent"]["choices"]["analytics"] is True
    assert state["consent"]["current"] is True
    device_state = client.get(f"/api/v1/consent/state?site={onemall}&device={device}", **auth).json()
    assert device_state["consent"]["event_id"] == state["consent"]["event_id"]

    proof = client.get(f"/api/v1/consent/proof?organisation={onemall}&subject=customer-7", **auth).json()
    assert [entry["choices"]["analytics"] for entry in proof["events"]] == [False, True]
    assert [entry["logged_in_as_subject"] for entry in proof["events"]] == [False, True]
    assert all(entry["seal_valid"] for entry in proof["events"])
    assert proof["banner_texts"][config["hash"]["en"]]["content"]["ui"]["accept"] == "Accept all"
    assert "customer-7" not in json.dumps(proof)
    assert AuditEntry.objects.filter(action="consent.proof_exported").count() == 1

    _, other = create_token(marketing, "map", ["map:read"], Actor.cli("test"))
    refused = client.get(
        f"/api/v1/consent/proof?organisation={onemall}&subject=customer-7", HTTP_AUTHORIZATION=f"Bearer {other}"
    )
    assert refused.status_code == 403
    assert client.get(f"/api/v1/consent/state?site={onemall}&device={device}").status_code == 401


@pytest.mark.django_db
def test_changed_row_breaks_its_seal(client: Client, onemall: str) -> None:
    post_event(client, event_body(config_of(client, onemall)))
    event = ConsentEvent.objects.get()
    event.choices = {**event.choices, "advertising": True}  # what a tamperer would do in the database
    assert not is_sealed(event)


@pytest.mark.django_db
def test_configured_site_with_its_own_domains(client: Client, onemall: str, officer: User) -> None:
    services.configure_site("onemall-shop", onemall, ["shop.onemall.jp"], Actor.for_user(officer), cookie_days=90)
    config = config_of(client, "onemall-shop")
    assert config["days"] == 90 and config["domains"] == ["shop.onemall.jp"] and config["organisation"] == onemall
    assert (
        post_event(client, event_body(config), HTTP_ORIGIN="https://shop.onemall.jp")["Access-Control-Allow-Origin"]
        == "https://shop.onemall.jp"
    )
    with pytest.raises(services.ConsentError):
        services.configure_site("bad site", onemall, ["x.jp"], Actor.for_user(officer))
    with pytest.raises(services.ConsentError):
        services.configure_site("other", onemall, ["not a domain"], Actor.for_user(officer))
    assert AuditEntry.objects.filter(action="consent.site_created").count() == 1


@pytest.mark.django_db
def test_gpc_well_known(client: Client, onemall: str) -> None:
    assert client.get("/.well-known/gpc.json").json() == {"gpc": False}
    from mamori.catalog.services import apply_map
    from tests.consent.conftest import EXAMPLES

    version = apply_map([EXAMPLES / "i-pro"], Actor.cli("test"))
    body = client.get("/.well-known/gpc.json").json()
    assert body == {"gpc": True, "lastUpdate": version.applied_at.date().isoformat()}


@pytest.mark.django_db
def test_new_map_version_reaches_the_config(client: Client, onemall: str) -> None:
    before = config_of(client, onemall)["map_version"]
    siteconfig.forget(onemall)
    assert siteconfig.site_config(onemall)["map_version"] == before


@pytest.mark.django_db
def test_consent_command(onemall: str, capsys: pytest.CaptureFixture[str]) -> None:
    from django.core.management import CommandError, call_command

    call_command("consent", "set-site", "shop", "--organisation", onemall, "--domain", "shop.onemall.jp")
    call_command("consent", "sites")
    call_command("consent", "site-key", "shop")
    out = capsys.readouterr().out
    assert "shop.onemall.jp" in out and "(organisation default)" in out
    assert out.strip().splitlines()[-1] == consent_site_key("shop")
    with pytest.raises(CommandError):
        call_command("consent", "set-site", "shop2", "--organisation", "nobody", "--domain", "x.jp")
    call_command("consent", "remove-site", "shop")
    with pytest.raises(CommandError):
        call_command("consent", "remove-site", "shop")
