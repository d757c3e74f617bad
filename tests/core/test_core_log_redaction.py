"""Status tokens never appear in the logs, not even in Django's "Not Found" and "Too Many Requests" lines."""

from __future__ import annotations

import logging
from io import StringIO

import pytest
from django.test import Client

SECRET = "s3cr3t-status-token-value"


@pytest.fixture
def log_text() -> StringIO:
    """What the configured console handler writes, captured through the same handler's filters."""
    stream = StringIO()
    root = logging.getLogger()
    [configured] = [handler for handler in root.handlers if handler.filters]
    handler = logging.StreamHandler(stream)
    handler.filters = list(configured.filters)
    root.addHandler(handler)
    yield stream
    root.removeHandler(handler)


@pytest.mark.django_db
def test_not_found_and_too_many_lines_carry_no_token(client: Client, log_text: StringIO) -> None:
    for _ in range(3):
        client.get(f"/privacy/nowhere/requests/status/{SECRET}/")
        client.get(f"/privacy/nowhere/unsubscribe/{SECRET}/")
    for _ in range(130):  # over the status page's limit: 429s are logged too
        client.get(f"/privacy/nowhere/requests/status/{SECRET}/", REMOTE_ADDR="10.9.9.9")
    text = log_text.getvalue()
    assert "Not Found" in text and "Too Many Requests" in text
    assert SECRET not in text
    assert "/requests/status/[redacted]/" in text
