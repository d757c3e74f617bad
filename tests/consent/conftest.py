"""Consent fixtures: example maps applied, a fresh cache (site configs and rate counters) per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache

from mamori.audit.services import Actor
from mamori.catalog.services import apply_map
from mamori.consent import siteconfig
from mamori.consent.services.eventids import uuid7

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    siteconfig._parsed.clear()
    yield
    cache.clear()
    siteconfig._parsed.clear()


@pytest.fixture
def onemall(db: None) -> str:
    return apply_map([EXAMPLES / "onemall"], Actor.cli("test")).organisation


@pytest.fixture
def ipro(db: None) -> str:
    return apply_map([EXAMPLES / "i-pro"], Actor.cli("test")).organisation


def event_body(config: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    body = {
        "id": str(uuid7()),
        "site": config["site"],
        "device": str(uuid.uuid4()),
        "version": config["version"],
        "hash": config["hash"]["en"],
        "lang": "en",
        "choices": {"analytics": True},
        "method": "click",
    }
    body.update(overrides)
    return body
