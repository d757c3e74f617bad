"""Dates on public pages are the company's calendar dates: a release published at 08:30 in Tokyo
(23:30 UTC the day before) reads as published that Tokyo day, on the policy and in the change history."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from mamori.audit.services import Actor
from mamori.catalog.services import apply_map
from mamori.notices.services import publish_notices

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.django_db
def test_publication_dates_are_the_companys_dates(client: Client) -> None:
    cache.clear()
    published_at = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)  # 30 Nov, 08:30 in Tokyo
    with time_machine.travel(published_at, tick=False):
        version = apply_map([EXAMPLES / "i-pro"], Actor.cli("test"))
        publish_notices(version, None, Actor.cli("test"), now=published_at)
        policy = client.get(f"/privacy/{version.organisation}/policy/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
        changes = client.get(f"/privacy/{version.organisation}/changes/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "最終改定日\uff1a2026年11月30日" in policy and "2026年11月29日" not in policy
    assert "Release" in changes and "Nov. 30, 2026" in changes and "Nov. 29, 2026" not in changes
