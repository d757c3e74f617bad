"""Token scopes follow roles: a token does no more than its owner may in the console."""

from __future__ import annotations

import pytest
from django.test import Client

from mamori.accounts.models import User
from mamori.api.models import ApiToken
from mamori.api.services import ApiTokenError, create_token
from mamori.audit.services import Actor


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role_fixture", "scope"),
    [
        ("agent", "consent:read"),
        ("marketing", "requests:read"),
        ("admin_user", "requests:read"),
        ("marketing", "audit:read"),
        ("agent", "audit:read"),
        ("auditor", "requests:write"),
    ],
)
def test_a_scope_the_role_lacks_is_refused(request: pytest.FixtureRequest, role_fixture: str, scope: str) -> None:
    owner: User = request.getfixturevalue(role_fixture)
    with pytest.raises(ApiTokenError, match="may not hold the scope"):
        create_token(owner, "x", [scope], Actor.cli("test"))
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_marketing_reads_consent_state_but_not_proof(client: Client, marketing: User, auditor: User) -> None:
    _, secret = create_token(marketing, "mailer", ["consent:read"], Actor.cli("test"))
    response = client.get("/api/v1/consent/proof?organisation=x&subject=y", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 403 and response["Content-Type"] == "application/problem+json"


@pytest.mark.django_db
def test_an_over_scoped_token_from_before_is_held_to_its_owners_role(
    client: Client, officer: User, agent: User
) -> None:
    token, secret = create_token(officer, "old", ["consent:read", "requests:read"], Actor.cli("test"))
    ApiToken.objects.filter(pk=token.pk).update(owner=agent)  # as tokens were issued before this rule
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert client.get("/api/v1/whoami", **auth).json()["scopes"] == ["requests:read"]
    response = client.get("/api/v1/consent/proof?organisation=x&subject=y", **auth)
    assert response.status_code == 403
