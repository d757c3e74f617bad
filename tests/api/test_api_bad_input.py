"""Bad input gets a 4xx (problem+json on the API), never a 500, and nothing is stored."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from django.test import Client

from mamori.accounts.models import User
from mamori.api.services import create_token
from mamori.audit.services import Actor
from mamori.catalog.services import apply_map
from mamori.rights.models import RightsRequest

SMALL_MAP = Path(__file__).resolve().parents[1] / "mapversions" / "maps" / "small"
PROBLEM = "application/problem+json"


@pytest.fixture
def token(officer: User) -> dict[str, str]:
    apply_map([SMALL_MAP], Actor.cli("test"))
    _, secret = create_token(
        officer,
        "ci",
        ["requests:read", "requests:write", "consent:read", "restrictions:read", "map:read"],
        Actor.cli("test"),
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _event(**changes: object) -> bytes:
    event = {
        "id": str(uuid.uuid4()),
        "site": "shop",
        "device": str(uuid.uuid4()),
        "version": 1,
        "hash": "0" * 64,
        "lang": "en",
        "choices": {"analytics": True},
        "method": "click",
    }
    event.update(changes)
    return json.dumps(event).encode()


def _is_nul_problem(response) -> bool:
    return (
        response.status_code == 400
        and response["Content-Type"] == PROBLEM
        and (response.json()["code"] == "nul_character")
    )


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["site", "tz", "subject"])
def test_nul_in_the_public_consent_event_is_a_400_problem(client: Client, field: str) -> None:
    response = client.post("/api/v1/consent/events", _event(**{field: "shop\u0000"}), content_type="text/plain")
    assert _is_nul_problem(response)


@pytest.mark.django_db
def test_nul_in_query_path_and_json_fields_is_a_400_problem(client: Client, token: dict[str, str]) -> None:
    assert _is_nul_problem(client.get("/api/v1/requests?organisation=tiny%00shop", **token))
    assert _is_nul_problem(client.get("/api/v1/consent/state?site=a%00", **token))
    assert _is_nul_problem(client.get("/api/v1/map/tiny%00shop", **token))
    body = {"organisation": "tinyshop", "right": "access", "jurisdiction": "JP", "requester_name": "Ann\u0000"}
    assert _is_nul_problem(client.post("/api/v1/requests", body, content_type="application/json", **token))
    # An escaped backslash followed by "u0000" is ordinary text, not a NUL.
    body["requester_name"] = "C:\\u0000 folder"
    response = client.post("/api/v1/requests", body, content_type="application/json", **token)
    assert response.status_code != 400 or response.json().get("code") != "nul_character"


@pytest.mark.django_db
def test_nul_in_a_form_is_a_400_page_in_the_visitors_language(client: Client) -> None:
    response = client.post("/privacy/", {"q": "x\x00"}, HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 400
    assert "不正なリクエスト" in response.content.decode()


@pytest.mark.django_db
def test_offsets_and_ids_beyond_the_integer_range_are_422(client: Client, token: dict[str, str]) -> None:
    for url in (
        f"/api/v1/requests?offset={2**70}",
        "/api/v1/requests?offset=-1",
        f"/api/v1/requests/{2**64}",
        f"/api/v1/restrictions?offset={2**70}",
        "/api/v1/requests?limit=0",
    ):
        response = client.get(url, **token)
        assert (response.status_code, response["Content-Type"]) == (422, PROBLEM), url


@pytest.mark.django_db
def test_a_20_mb_body_is_a_413_problem(client: Client, token: dict[str, str]) -> None:
    body = b'{"requester_name": "' + b"a" * (20 * 1024 * 1024) + b'"}'
    response = client.post("/api/v1/requests", body, content_type="application/json", **token)
    assert (response.status_code, response["Content-Type"]) == (413, PROBLEM)
    response = client.post("/api/v1/consent/events", body, content_type="text/plain")
    assert response.status_code == 413


@pytest.mark.django_db
def test_api_fields_have_the_forms_limits(client: Client, token: dict[str, str]) -> None:
    body = {"organisation": "tinyshop", "right": "access", "jurisdiction": "JP", "requester_name": "x" * 1_000_000}
    response = client.post("/api/v1/requests", body, content_type="application/json", **token)
    assert (response.status_code, response["Content-Type"]) == (422, PROBLEM)
    body["requester_name"] = ""
    assert client.post("/api/v1/requests", body, content_type="application/json", **token).status_code == 422
    assert not RightsRequest.objects.exists()
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["RequestIn"]["properties"]
    assert schema["requester_name"]["minLength"] == 1 and schema["requester_name"]["maxLength"] == 200


def test_openapi_lists_every_problem_status_of_every_operation(client: Client) -> None:
    document = client.get("/api/v1/openapi.json").json()
    assert "Problem" in document["components"]["schemas"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            statuses = set(operation["responses"])
            wanted = {"400", "404", "409", "413", "415", "422", "429"}
            if operation.get("security"):
                wanted |= {"401", "403"}
            assert wanted <= statuses, (method, path, wanted - statuses)
            problem = operation["responses"]["422"]["content"][PROBLEM]["schema"]
            assert problem == {"$ref": "#/components/schemas/Problem"}
