"""The REST API: scoped bearer tokens, problem+json errors, the privacy map endpoints, OpenAPI."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from mamori.accounts.models import User
from mamori.api.models import ApiToken
from mamori.api.services import ApiTokenError, create_token, revoke_token
from mamori.audit.models import AuditEntry
from mamori.audit.services import Actor
from mamori.catalog.services import apply_map

SMALL_MAP = Path(__file__).resolve().parents[1] / "mapversions" / "maps" / "small"
PROBLEM = "application/problem+json"


@pytest.fixture
def applied(db: None) -> str:
    version = apply_map([SMALL_MAP], Actor.cli("test"))
    return version.organisation


def bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_openapi_document_is_public_and_lists_the_map_endpoints(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/map/{organisation}" in paths
    assert "/api/v1/map/{organisation}/versions" in paths


def test_no_token_is_a_401_problem(client: Client, applied: str) -> None:
    response = client.get(f"/api/v1/map/{applied}")
    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json()["status"] == 401


def test_unknown_or_revoked_token_is_refused(client: Client, officer: User, applied: str) -> None:
    token, secret = create_token(officer, "ci", ["map:read"], Actor.cli("test"))
    assert client.get(f"/api/v1/map/{applied}", **bearer(secret + "x")).status_code == 401
    assert client.get(f"/api/v1/map/{applied}", **bearer(secret)).status_code == 200
    revoke_token(token, Actor.cli("test"))
    assert client.get(f"/api/v1/map/{applied}", **bearer(secret)).status_code == 401


def test_token_without_the_scope_is_a_403_problem(client: Client, marketing: User, applied: str) -> None:
    _, secret = create_token(marketing, "consent only", ["consent:read"], Actor.cli("test"))
    response = client.get(f"/api/v1/map/{applied}", **bearer(secret))
    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM
    assert "map:read" in response.json()["title"]


def test_token_of_a_user_who_lost_the_role_stops_working(client: Client, officer: User, applied: str) -> None:
    _, secret = create_token(officer, "ci", ["map:read"], Actor.cli("test"))
    officer.role = ""
    officer.save()
    assert client.get(f"/api/v1/map/{applied}", **bearer(secret)).status_code == 401


def test_map_document_and_versions(client: Client, officer: User, applied: str) -> None:
    _, secret = create_token(officer, "ci", ["map:read"], Actor.cli("test"))
    current = client.get(f"/api/v1/map/{applied}", **bearer(secret)).json()
    assert current["version"]["number"] == 1
    assert current["document"]["organisation"]["id"] == applied
    versions = client.get(f"/api/v1/map/{applied}/versions", **bearer(secret)).json()
    assert [v["number"] for v in versions] == [1]
    missing = client.get("/api/v1/map/nobody", **bearer(secret))
    assert missing.status_code == 404 and missing["Content-Type"] == PROBLEM


def test_token_secret_is_stored_only_as_a_hash_and_creation_is_audited(officer: User) -> None:
    token, secret = create_token(officer, "ci", ["map:read"], Actor.cli("test"))
    assert secret.startswith("mamori_") and secret not in token.token_hash
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry is not None and entry.action == "api.token_created"
    assert secret not in str(entry.details)


@pytest.mark.parametrize(
    ("scopes", "message"), [(["nope:read"], "unknown scope(s): nope:read"), ([], "at least one scope")]
)
def test_bad_token_requests_change_nothing(officer: User, scopes: list[str], message: str) -> None:
    with pytest.raises(ApiTokenError, match=message.replace("(", r"\(").replace(")", r"\)")):
        create_token(officer, "x", scopes, Actor.cli("test"))
    assert not ApiToken.objects.exists()


def test_tokens_only_for_staff_with_a_role(outsider: User) -> None:
    with pytest.raises(ApiTokenError, match="active staff with a role"):
        create_token(outsider, "x", ["map:read"], Actor.cli("test"))


def test_token_command(officer: User, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("token", "create", "--user", "officer", "--name", "ci", "--scope", "map:read")
    out = capsys.readouterr().out
    assert "mamori_" in out and "not shown again" in out
    call_command("token", "list")
    assert "map:read\tactive" in capsys.readouterr().out
