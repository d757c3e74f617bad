"""The consent centre's forms are limited per client like the rights centre's pages (one limiter,
core.ratelimited), and Retry-After says when the window really ends, not a fixed minute."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("page", ["subscriptions", "choices"])
def test_retry_after_counts_down_to_the_end_of_the_window(client: Client, onemall: str, page: str) -> None:
    url = f"/privacy/{onemall}/{page}/"
    start = datetime(2026, 5, 1, 3, 0, 45, tzinfo=UTC)  # 45 s into a one-minute window
    with time_machine.travel(start, tick=False):
        statuses = [client.post(url, {"topic": "none", "email": "not-an-address"}).status_code for _ in range(10)]
        assert 429 not in statuses
        limited = client.post(url, {"topic": "none", "email": "not-an-address"})
    assert limited.status_code == 429 and limited["Retry-After"] == "15"
    with time_machine.travel(start + timedelta(seconds=10), tick=False):
        assert client.post(url, {"topic": "none"})["Retry-After"] == "5"
    with time_machine.travel(start + timedelta(seconds=16), tick=False):  # the next window
        assert client.post(url, {"topic": "none"}).status_code != 429


def test_a_limited_api_client_gets_a_problem_with_the_true_retry_after(client: Client, onemall: str) -> None:
    url = f"/privacy/{onemall}/choices/"
    with time_machine.travel(datetime(2026, 5, 1, 3, 0, 20, tzinfo=UTC), tick=False):
        for _ in range(10):
            client.post(url, HTTP_ACCEPT="application/json")
        limited = client.post(url, HTTP_ACCEPT="application/json")
    assert limited.status_code == 429 and limited["Content-Type"] == "application/problem+json"
    assert limited["Retry-After"] == "40"
