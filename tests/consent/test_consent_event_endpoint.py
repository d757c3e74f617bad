"""The lean event endpoint: one statement per event, no session, strict answers, its rate counter."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import resolve

from mamori.consent.events import consent_events
from mamori.consent.models import ConsentEvent
from mamori.core.ratelimited import parse_rate, retry_after
from tests.consent.conftest import event_body

URL = "/api/v1/consent/events"


def post(client: Client, body: Any, **headers: Any) -> Any:
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(URL, data, content_type="text/plain", **headers)


def config_of(client: Client, site: str) -> dict[str, Any]:
    return client.get(f"/consent/config/{site}.json").json()


def test_the_event_path_goes_to_the_plain_view_not_the_api_router() -> None:
    assert resolve(URL).func is consent_events


@pytest.mark.django_db
def test_one_insert_per_accepted_event_and_nothing_stored_for_a_repeat(client: Client, onemall: str) -> None:
    config = config_of(client, onemall)  # warms the config cache
    body = event_body(config)
    with CaptureQueriesContext(connection) as first:
        assert post(client, body).status_code == 201
    # One statement, not even a savepoint: no BEGIN/COMMIT around it.
    assert [q["sql"].split()[0].upper() for q in first.captured_queries] == ["INSERT"]
    assert "ON CONFLICT DO NOTHING" in first.captured_queries[0]["sql"] or connection.vendor != "postgresql"

    with CaptureQueriesContext(connection) as again:
        repeat = post(client, body)
    assert repeat.status_code == 200 and repeat.json() == {"id": body["id"], "recorded": False}
    # The repeat's INSERT stores nothing; one SELECT checks the stored event's device.
    assert [q["sql"].split()[0].upper() for q in again.captured_queries] == ["INSERT", "SELECT"]
    assert ConsentEvent.objects.count() == 1


@pytest.mark.django_db
def test_a_reused_event_id_from_another_device_is_a_conflict(client: Client, onemall: str) -> None:
    config = config_of(client, onemall)
    body = event_body(config)
    assert post(client, body).status_code == 201
    stolen = post(client, {**body, "device": str(uuid.uuid4())})
    assert stolen.status_code == 409 and stolen.json()["code"] == "event_conflict"
    assert ConsentEvent.objects.count() == 1


@pytest.mark.django_db
def test_no_session_or_cookie_is_touched(client: Client, onemall: str) -> None:
    response = post(client, event_body(config_of(client, onemall)), HTTP_ORIGIN="https://www.onemall.jp")
    assert response.status_code == 201
    assert not response.cookies  # no session, CSRF or language cookie
    assert "Cookie" not in response.get("Vary", "")  # the session was never read
    assert response["Access-Control-Allow-Origin"] == "https://www.onemall.jp"


@pytest.mark.django_db
def test_other_methods_and_oversized_bodies_are_refused(client: Client, onemall: str) -> None:
    config = config_of(client, onemall)
    refused = client.get(URL)
    assert refused.status_code == 405 and "POST" in refused["Allow"]
    big = post(client, event_body(config, tz="x" * 9000))
    assert big.status_code == 413 and big["Content-Type"] == "application/problem+json"
    assert ConsentEvent.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        "",
        "[]",
        "{",
        json.dumps({"id": 1}),
    ],
)
def test_bodies_that_are_not_events_get_422(client: Client, onemall: str, body: str) -> None:
    response = post(client, body)
    assert response.status_code == 422 and response.json()["code"] == "validation_error"
    assert ConsentEvent.objects.count() == 0


@pytest.mark.django_db
def test_validation_errors_do_not_echo_the_input(client: Client, onemall: str) -> None:
    subject = "customer-4711@example.com." + "f" * 300
    response = post(client, event_body(config_of(client, onemall), subject=subject, extra="secret-value"))
    assert response.status_code == 422
    assert {tuple(error["loc"]) for error in response.json()["errors"]} == {("subject",), ("extra",)}
    assert "customer-4711" not in response.content.decode() and "secret-value" not in response.content.decode()
    assert ConsentEvent.objects.count() == 0


def test_rates_parse_as_django_ratelimit_writes_them() -> None:
    assert parse_rate("300/m") == (300, 60)
    assert parse_rate("5/10s") == (5, 10)
    assert parse_rate("100/h") == (100, 3600)
    for bad in ("300", "x/m", "3/w", ""):
        with pytest.raises(ValueError):
            parse_rate(bad)


def test_the_counter_limits_per_client_and_says_when_to_retry() -> None:
    with time_machine.travel(dt.datetime(2026, 5, 1, 9, 0, 15, tzinfo=dt.UTC), tick=False):
        assert [retry_after("test", "a", "2/m") for _ in range(3)] == [0, 0, 45]
        assert retry_after("test", "b", "2/m") == 0  # another client has its own count
    with time_machine.travel(dt.datetime(2026, 5, 1, 9, 1, 0, tzinfo=dt.UTC), tick=False):
        assert retry_after("test", "a", "2/m") == 0  # a new window


@pytest.mark.django_db
@override_settings(MAMORI_CONSENT_RATE="1/m")
def test_a_limited_event_is_answered_429_and_not_stored(client: Client, onemall: str) -> None:
    config = config_of(client, onemall)
    assert post(client, event_body(config)).status_code == 201
    limited = post(client, event_body(config))
    assert limited.status_code == 429 and 1 <= int(limited["Retry-After"]) <= 60
    assert limited.json()["code"] == "rate_limited" and ConsentEvent.objects.count() == 1


@pytest.mark.django_db
@override_settings(MAMORI_CONSENT_RATE="1/m")
def test_a_multipart_post_is_counted_and_refused_not_a_server_error(client: Client, onemall: str) -> None:
    """A multipart body is parsed by the input guard before the view; reading it again raised, so
    the request was answered 500 before it was counted, and no limit ever applied to it."""
    first = client.post("/api/v1/consent/events", {"site": onemall, "file": "x"})
    assert first.status_code == 422 and first["Content-Type"].startswith("application/problem+json")
    second = client.post("/api/v1/consent/events", {"site": onemall, "file": "x"})
    assert second.status_code == 429 and ConsentEvent.objects.count() == 0


@pytest.mark.django_db
def test_the_api_schema_still_documents_the_endpoint(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/consent/events"]["post"]
    body = operation["requestBody"]["content"]["text/plain"]["schema"]
    assert {"id", "site", "device", "version", "hash", "lang", "choices", "method"} <= set(body["required"])
