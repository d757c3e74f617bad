"""Errors that reach people are in their language (issue 12's leftovers): a connector's refusal on a
Japanese console page, and the catalog's, audit keys' and map reader's errors under Japanese."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from mamori.accounts.models import User
from mamori.audit.keys import AuditKeyError, public_key_from_text
from mamori.audit.services import Actor
from mamori.catalog.errors import CatalogError
from mamori.catalog.mapfile.yamlsource import MapReadError
from mamori.catalog.models import ImmutableError, MapVersion
from mamori.catalog.services import apply_map

from .conftest import add_boundary_rows

COLON = "\N{FULLWIDTH COLON}"  # Japanese messages use it after a name


@pytest.fixture
def onemall(db: None, sqlite_shop: str, monkeypatch: pytest.MonkeyPatch) -> str:
    add_boundary_rows(sqlite_shop)
    monkeypatch.setenv("MAMORI_ONEMALL_SHOP_URL", sqlite_shop)
    apply_map(["examples/onemall"], Actor.cli("test"))
    return sqlite_shop


def test_a_connector_error_on_a_japanese_page_is_japanese(
    onemall: str, officer: User, client_as: Callable[[User], Client]
) -> None:
    with sqlite3.connect(onemall.removeprefix("sqlite:///")) as shop:
        shop.execute("DROP TABLE inquiries")  # the company dropped a table the map still names
    client = client_as(officer)
    page = client.get(reverse("console:retention"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert f"システム shop-db{COLON}" in page and "データベースにありません" in page
    english = client.get(reverse("console:retention"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "system shop-db: a table of the map is missing from the database" in english


@pytest.mark.django_db
def test_catalog_audit_and_map_errors_are_japanese_where_shown() -> None:
    apply_map(["examples/onemall"], Actor.cli("test"))
    version = MapVersion.objects.get()
    with pytest.raises(ImmutableError) as immutable:
        version.delete()
    with pytest.raises(AuditKeyError) as bad_key, translation.override("ja"):
        public_key_from_text("not a key")
    with pytest.raises(CatalogError) as unreadable:
        apply_map(["no/such/map.yaml"], Actor.cli("test"))
    with translation.override("ja"):
        assert str(immutable.value) == "適用済みのマップバージョンは削除できません。"
        assert "base64 の Ed25519 公開鍵ではありません" in str(bad_key.value)
        assert unreadable.value.message.startswith(f"no/such/map.yaml{COLON}読み込めません{COLON}")
        assert str(MapReadError("a.yaml", "x")) == f"a.yaml{COLON}読み込めません{COLON}x"
    assert str(immutable.value) == "applied map versions cannot be deleted"
    assert str(MapReadError("a.yaml", "x")) == "a.yaml: cannot read: x"
