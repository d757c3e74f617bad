"""GET /api/v1/restrictions filters and pages in the database, however long the list is."""

from __future__ import annotations

import hashlib

import pytest
from django.test import Client

from mamori.accounts.models import User
from mamori.api.services import create_token
from mamori.audit.services import Actor
from mamori.fulfilment.models import Restriction
from mamori.fulfilment.services.restrictions import restriction_hash


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@pytest.mark.django_db
def test_a_lookup_by_hash_finds_a_restriction_past_the_first_thousand(client: Client, officer: User) -> None:
    Restriction.objects.bulk_create(
        Restriction(organisation="shop", identity_hashes={"email": restriction_hash("email", _hash(f"p{i}@ex.com"))})
        for i in range(1200)
    )
    _, secret = create_token(officer, "ci", ["restrictions:read"], Actor.cli("test"))
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    found = client.get(f"/api/v1/restrictions?identity_sha256={_hash('p5@ex.com')}", **auth).json()
    assert [row["identity_hashes"]["email"] for row in found] == [restriction_hash("email", _hash("p5@ex.com"))]
    found = client.get(f"/api/v1/restrictions?email_sha256={_hash('p1150@ex.com')}", **auth).json()
    assert len(found) == 1
    first = client.get("/api/v1/restrictions?limit=1000", **auth).json()
    rest = client.get("/api/v1/restrictions?limit=1000&offset=1000", **auth).json()
    assert (len(first), len(rest)) == (1000, 200)
    assert {row["id"] for row in first}.isdisjoint(row["id"] for row in rest)
