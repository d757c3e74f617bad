"""The rate counter on Redis, as production runs it (several web processes share one Redis): one
round trip per hit that counts, gives a new window its expiry and can read one more cache entry;
the counts are the same ones the portable path keeps, and the event endpoint reads its site-config
pointer in that round trip. A private redis-server per test (tests.core.test_core_celery)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.cache import cache, caches
from django.test import Client, override_settings

from mamori.audit.services import Actor
from mamori.consent import siteconfig
from mamori.consent.models import ConsentEvent
from mamori.consent.services import configure_site
from mamori.core.ratelimited import retry_after, retry_after_reading
from tests.consent.conftest import event_body
from tests.core.test_core_celery import PrivateRedis, redis_broker  # noqa: F401 - fixture

URL = "/api/v1/consent/events"


@pytest.fixture
def redis_cache(redis_broker: PrivateRedis) -> Iterator[PrivateRedis]:  # noqa: F811
    location = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_broker.url}}
    with override_settings(CACHES=location):
        caches["default"].clear()
        siteconfig._parsed.clear()
        yield redis_broker
        siteconfig._parsed.clear()


def round_trips(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the commands sent to Redis (one element per round trip)."""
    import redis.connection

    sent: list[int] = []
    original = redis.connection.AbstractConnection.send_packed_command

    def counting(self: Any, command: Any, check_health: bool = True) -> None:
        sent.append(1)
        original(self, command, check_health)

    monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", counting)
    return sent


def test_a_hit_is_one_round_trip_and_a_new_window_gets_its_expiry(
    redis_cache: PrivateRedis, monkeypatch: pytest.MonkeyPatch
) -> None:
    retry_after("warm-up", "a", "2/m")  # connects, and loads the script into this new Redis
    sent = round_trips(monkeypatch)
    with time_machine.travel(dt.datetime(2026, 5, 1, 9, 0, 15, tzinfo=dt.UTC), tick=False):
        assert [retry_after("test", "a", "2/m") for _ in range(3)] == [0, 0, 45]
        assert retry_after("test", "b", "2/m") == 0  # another client has its own count
    assert len(sent) == 4
    key = cache.make_key(f"mamori:rl:test:a:{int(dt.datetime(2026, 5, 1, 9, 0, 15, tzinfo=dt.UTC).timestamp()) // 60}")
    client = caches["default"]._cache.get_client(key, write=True)  # type: ignore[attr-defined]
    assert 0 < client.ttl(key) <= 61  # the window's key expires with the window (and a second)
    with time_machine.travel(dt.datetime(2026, 5, 1, 9, 1, 0, tzinfo=dt.UTC), tick=False):
        assert retry_after("test", "a", "2/m") == 0  # a new window


def test_the_counter_is_the_one_the_cache_itself_reads(redis_cache: PrivateRedis) -> None:
    with time_machine.travel(dt.datetime(2026, 5, 1, 9, 0, 15, tzinfo=dt.UTC), tick=False):
        window = int(dt.datetime(2026, 5, 1, 9, 0, 15, tzinfo=dt.UTC).timestamp()) // 60
        retry_after("test", "a", "5/m")
        retry_after("test", "a", "5/m")
        assert cache.get(f"mamori:rl:test:a:{window}") == 2
        assert cache.incr(f"mamori:rl:test:a:{window}") == 3  # Django's own increment continues it
        assert retry_after("test", "a", "5/m") == 0
        assert retry_after("test", "a", "5/m") == 0
        assert retry_after("test", "a", "5/m") == 45  # the sixth hit


def test_the_same_round_trip_reads_an_entry_set_through_the_cache(
    redis_cache: PrivateRedis, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache.set("some:entry", "mamori:consent:build:x:1:1", 30)
    cache.set("some:number", 7, 30)
    retry_after("warm-up", "a", "2/m")
    sent = round_trips(monkeypatch)
    assert retry_after_reading("test", "a", "5/m", "some:entry") == (0, "mamori:consent:build:x:1:1")
    assert retry_after_reading("test", "a", "5/m", "some:number") == (0, 7)
    assert retry_after_reading("test", "a", "5/m", "no:such:entry") == (0, None)
    assert len(sent) == 3


def test_it_still_counts_after_redis_forgot_its_scripts(redis_cache: PrivateRedis) -> None:
    assert retry_after("test", "a", "2/m") == 0
    caches["default"]._cache.get_client(write=True).script_flush()  # type: ignore[attr-defined]
    assert retry_after("test", "a", "2/m") == 0
    assert retry_after("test", "a", "2/m") > 0


@pytest.mark.django_db
def test_an_event_costs_one_round_trip_once_the_config_is_cached(
    redis_cache: PrivateRedis, onemall: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = Client()
    config = client.get(f"/consent/config/{onemall}.json").json()
    assert client.post(URL, json.dumps(event_body(config)), content_type="text/plain").status_code == 201
    sent = round_trips(monkeypatch)
    response = client.post(
        URL, json.dumps(event_body(config)), content_type="text/plain", HTTP_ORIGIN="https://www.onemall.jp"
    )
    assert response.status_code == 201 and response["Access-Control-Allow-Origin"] == "https://www.onemall.jp"
    assert len(sent) == 1  # the counter and the site's pointer, together
    assert ConsentEvent.objects.count() == 2


@pytest.mark.django_db
def test_a_changed_site_is_seen_by_the_next_event(
    redis_cache: PrivateRedis, onemall: str, django_capture_on_commit_callbacks: Any
) -> None:
    """The pointer is read with every event's counter, so dropping it (a map applied, a site
    changed) reaches the event endpoint at once, in every web process."""
    client = Client()
    config = client.get(f"/consent/config/{onemall}.json").json()
    origin = "https://shop.example.org"
    first = client.post(URL, json.dumps(event_body(config)), content_type="text/plain", HTTP_ORIGIN=origin)
    assert first.status_code == 201 and "Access-Control-Allow-Origin" not in first
    with django_capture_on_commit_callbacks(execute=True):  # the pointer is dropped once committed
        configure_site(onemall, onemall, ["shop.example.org"], Actor.cli("test"))
    second = client.post(URL, json.dumps(event_body(config)), content_type="text/plain", HTTP_ORIGIN=origin)
    assert second.status_code == 201 and second["Access-Control-Allow-Origin"] == origin


@pytest.mark.django_db
@override_settings(MAMORI_CONSENT_RATE="2/m")
def test_every_request_counts_valid_or_not_and_a_limited_one_stores_nothing(
    redis_cache: PrivateRedis, onemall: str
) -> None:
    client = Client()
    config = client.get(f"/consent/config/{onemall}.json").json()
    assert client.post(URL, "not json", content_type="text/plain").status_code == 422
    assert client.post(URL, json.dumps(event_body(config)), content_type="text/plain").status_code == 201
    limited = client.post(URL, json.dumps(event_body(config)), content_type="text/plain")
    assert limited.status_code == 429 and 1 <= int(limited["Retry-After"]) <= 60
    assert client.post(URL, "not json", content_type="text/plain").status_code == 429
    assert ConsentEvent.objects.count() == 1
