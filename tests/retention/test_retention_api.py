"""/api/v1/retention: rules with their dry run, runs, a confirmed approval, certificates as JSON;
readers read, only officers and admins approve, bad input is a 4xx problem+json and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from mamori.accounts.models import User
from mamori.api.services import ApiTokenError, create_token
from mamori.audit.services import Actor
from mamori.retention.models import DisposalRun, DisposalStatus

from .conftest import ids

BASE = "/api/v1/retention"


def _bearer(user: User, *scopes: str) -> dict[str, str]:
    _token, secret = create_token(user, "automation", scopes, Actor.cli("test"))
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


def test_rules_show_the_dry_run_and_forecast(onemall: str, auditor: User) -> None:
    response = Client().get(f"{BASE}/rules?organisation=onemall", **_bearer(auditor, "retention:read"))
    assert response.status_code == 200
    rules = {rule["rule"]: rule for rule in response.json()["rules"]}
    inquiries = rules["inquiry-data"]["tables"][0]
    assert inquiries["table"] == "inquiries" and inquiries["due"] >= 1 and "forecast" in inquiries
    assert rules["order-records"]["hold"]["counts_from"] == {"orders": "ordered_at", "payments": "paid_at"}
    missing = Client().get(f"{BASE}/rules?organisation=nobody", **_bearer(auditor, "retention:read"))
    _problem(missing, 404)


def test_an_officer_approves_with_an_explicit_confirmation(
    waiting: DisposalRun, officer: User, onemall: str, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    headers = _bearer(officer, "retention:read", "retention:approve")
    client = Client()
    url = f"{BASE}/runs/{waiting.pk}/approve"
    for body in ({}, {"confirm": "yes"}, {"confirm": True}):
        _problem(client.post(url, body, content_type="application/json", **headers), 422)
    _problem(client.post(url, "not json", content_type="application/json", **headers), 400)
    waiting.refresh_from_db()
    assert waiting.status == DisposalStatus.AWAITING_APPROVAL and 1 in ids(onemall, "inquiries")

    listed = client.get(f"{BASE}/runs?status=awaiting_approval", **headers).json()
    assert [run["id"] for run in listed] == [waiting.pk] and listed[0]["waits_for"] == "new_rule"

    with django_capture_on_commit_callbacks(execute=True):
        approved = client.post(url, {"confirm": "dispose"}, content_type="application/json", **headers)
    assert approved.status_code == 200 and approved.json()["approved_by"] == officer.get_username()
    waiting.refresh_from_db()
    assert waiting.status == DisposalStatus.COMPLETED and 1 not in ids(onemall, "inquiries")
    again = client.post(url, {"confirm": "dispose"}, content_type="application/json", **headers)
    _problem(again, 409)

    run = client.get(f"{BASE}/runs/{waiting.pk}", **headers).json()
    assert run["status"] == "completed" and run["steps"][0]["deleted"] == 5
    certificates = client.get(f"{BASE}/certificates", **headers).json()
    assert certificates == [
        {
            "run": waiting.pk,
            "organisation": "onemall",
            "rule": "inquiry-data",
            "finished_at": certificates[0]["finished_at"],
            "sha256": waiting.certificate_hash,
            "kept_until": certificates[0]["kept_until"],
        }
    ]
    english = client.get(f"{BASE}/certificates/{waiting.pk}", **headers).json()
    japanese = client.get(f"{BASE}/certificates/{waiting.pk}?lang=ja", **headers).json()
    assert english["sha256"] == japanese["sha256"] == waiting.certificate_hash
    assert english["totals"]["deleted"] == 5 and "お問い合わせ" in str(japanese)
    _problem(client.get(f"{BASE}/certificates/{waiting.pk}?lang=fr", **headers), 422)


def test_bad_paging_and_unknown_runs_are_problems(waiting: DisposalRun, auditor: User) -> None:
    headers = _bearer(auditor, "retention:read")
    client = Client()
    _problem(client.get(f"{BASE}/runs?status=gone", **headers), 400)
    _problem(client.get(f"{BASE}/runs?limit=0", **headers), 400)
    _problem(client.get(f"{BASE}/certificates?offset=-1", **headers), 400)
    _problem(client.get(f"{BASE}/runs/999999", **headers), 404)
    _problem(client.get(f"{BASE}/certificates/{waiting.pk}", **headers), 404)  # not run yet: no certificate
    _problem(client.get(f"{BASE}/runs/abc", **headers), 422)


def test_an_auditor_cannot_approve(waiting: DisposalRun, auditor: User, officer: User) -> None:
    with pytest.raises(ApiTokenError):  # the role lacks the scope: never issued
        create_token(auditor, "automation", ["retention:approve"], Actor.cli("test"))
    url = f"{BASE}/runs/{waiting.pk}/approve"
    reader = _bearer(auditor, "retention:read")
    _problem(Client().post(url, {"confirm": "dispose"}, content_type="application/json", **reader), 403)
    # An officer's token without the approve scope is refused as well.
    officer_reader = _bearer(officer, "retention:read")
    _problem(Client().post(url, {"confirm": "dispose"}, content_type="application/json", **officer_reader), 403)
    waiting.refresh_from_db()
    assert waiting.status == DisposalStatus.AWAITING_APPROVAL


@pytest.mark.parametrize("role", ["agent", "marketing"])
def test_other_roles_get_no_retention_token(role: str, waiting: DisposalRun, request: pytest.FixtureRequest) -> None:
    user = request.getfixturevalue(role)
    with pytest.raises(ApiTokenError):
        create_token(user, "automation", ["retention:read"], Actor.cli("test"))
    # A token issued with the scope before the owner's role changed does not read either.
    officer: User = request.getfixturevalue("officer")
    headers = _bearer(officer, "retention:read")
    officer.role = user.role
    officer.save(update_fields=["role"])
    for path in ("/rules?organisation=onemall", "/runs", f"/runs/{waiting.pk}", "/certificates"):
        _problem(Client().get(BASE + path, **headers), 403)
