"""Every example's privacy center home lists its notices, rights, choices and contacts, in both languages."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from mamori.audit.services import Actor
from mamori.catalog.services import apply_map

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("example", "facts"),
    [
        ("inpro", ["(+81) 50-5375-8684", "09:00\u201318:00", "next business day"]),
        ("picocela", ["03-6661-2780"]),
        ("i-pro", ["/cpra/", "/appi/"]),
        ("onemall", ["/collection/membership-registration/", "/collection/inquiry/"]),
    ],
)
def test_center_home_of_each_example(client: Client, example: str, facts: list[str]) -> None:
    version = apply_map([EXAMPLES / example], Actor.cli("test"))
    page = client.get(f"/privacy/{version.organisation}/").content.decode()
    for fact in [*facts, f"/privacy/{version.organisation}/requests/new/", "/policy/", "/choices/"]:
        assert fact in page, fact
    japanese = client.get(f"/privacy/{version.organisation}/", HTTP_ACCEPT_LANGUAGE="ja")
    assert japanese.status_code == 200
    assert 'lang="ja"' in japanese.content.decode()
