"""The public privacy center: served from the applied map, 404 for unknown organisations."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from mamori.audit.services import Actor
from mamori.catalog.services import apply_map

SMALL_MAP = Path(__file__).resolve().parents[1] / "mapversions" / "maps" / "small"


@pytest.mark.django_db
def test_center_home_and_index(client: Client) -> None:
    assert client.get("/privacy/").status_code == 200  # nothing applied yet: an explanation, not an error
    version = apply_map([SMALL_MAP], Actor.cli("test"))
    index = client.get("/privacy/")
    assert index.status_code == 302 and index["Location"] == f"/privacy/{version.organisation}/"
    home = client.get(f"/privacy/{version.organisation}/", HTTP_ACCEPT_LANGUAGE="ja")
    assert home.status_code == 200
    assert client.get("/privacy/nobody/").status_code == 404
    assert client.get("/").status_code == 302
