"""Console pages for runs and manual tasks; the restriction list API. Wrong roles and scopes are refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from mamori.accounts.models import User
from mamori.api.services import create_token
from mamori.audit.services import Actor
from mamori.catalog.services import apply_map
from mamori.fulfilment.handler import ENGINE
from mamori.fulfilment.models import FulfilmentRun, ManualTask, Restriction
from mamori.fulfilment.services.execution import execute_run
from mamori.fulfilment.services.planning import plan_run
from mamori.fulfilment.services.restrictions import restriction_identity_hash, shared_identity_digest

from .conftest import ONEMALL

HANAKO = {"email": "hanako.yamada@example.jp"}


@pytest.fixture
def erased_run(db: None, sqlite_shop: str, monkeypatch: pytest.MonkeyPatch) -> FulfilmentRun:
    monkeypatch.setenv("MAMORI_ONEMALL_SHOP_URL", sqlite_shop)
    apply_map([ONEMALL], Actor.cli("test"))
    run = plan_run("onemall", "erasure", [HANAKO], ENGINE, request_id=41, details={"channel": "post"})
    execute_run(run.pk, ENGINE)
    run.refresh_from_db()
    return run


def test_officers_and_agents_see_runs_plan_and_steps(
    erased_run: FulfilmentRun, officer: User, agent: User, client_as: Callable[[User], Client]
) -> None:
    for user in (officer, agent):
        client = client_as(user)
        listing = client.get("/console/fulfilment/")
        assert listing.status_code == 200 and f"#{erased_run.pk}" in listing.content.decode()
        page = client.get(f"/console/fulfilment/runs/{erased_run.pk}/").content.decode()
        assert "login_sessions" in page and "order-records" in page  # the plan, with the legal hold
        assert "Japanese tax law" in page or "日本の税法" in page
        assert "hanako" not in page  # no personal data on the page
    assert "Fulfilment" in client_as(officer).get("/console/").content.decode()


@pytest.mark.parametrize("who", ["marketing", "auditor", "admin_user", "outsider"])
def test_other_roles_are_refused(
    erased_run: FulfilmentRun, who: str, request: pytest.FixtureRequest, client_as: Callable[[User], Client]
) -> None:
    client = client_as(request.getfixturevalue(who))
    task = ManualTask.objects.get(run=erased_run)
    assert client.get("/console/fulfilment/").status_code == 403
    assert client.get(f"/console/fulfilment/runs/{erased_run.pk}/").status_code == 403
    assert client.get("/console/fulfilment/tasks/").status_code == 403
    assert client.post(f"/console/fulfilment/tasks/{task.pk}/complete/", {"note": "x"}).status_code == 403
    assert client.post(f"/console/fulfilment/runs/{erased_run.pk}/resume/").status_code == 403
    task.refresh_from_db()
    assert task.status == "open"


def test_anonymous_is_sent_to_sign_in(erased_run: FulfilmentRun, client: Client) -> None:
    response = client.get("/console/fulfilment/")
    assert response.status_code == 302 and "/console/login/" in response["Location"]


def test_manual_task_completed_with_evidence(
    erased_run: FulfilmentRun, agent: User, client_as: Callable[[User], Client]
) -> None:
    client = client_as(agent)
    task = ManualTask.objects.get(run=erased_run)
    assert "shred" in client.get("/console/fulfilment/tasks/").content.decode()
    # Nothing said and nothing attached: refused, nothing changes.
    bad = client.post(f"/console/fulfilment/tasks/{task.pk}/complete/", {"note": "  "})
    assert bad.status_code == 400
    task.refresh_from_db()
    assert task.status == "open"
    evidence = SimpleUploadedFile("shredding.jpg", b"\xff\xd8photo", content_type="image/jpeg")
    response = client.post(f"/console/fulfilment/tasks/{task.pk}/complete/", {"note": "Shredded", "evidence": evidence})
    assert response.status_code == 302
    task.refresh_from_db()
    erased_run.refresh_from_db()
    assert task.status == "done" and task.completed_by == agent and task.evidence_name == "shredding.jpg"
    assert erased_run.status == "needs_review"  # the object-storage webhook is not configured here
    assert "alibaba-oss" in erased_run.message


def test_unknown_run_is_404(erased_run: FulfilmentRun, officer: User, client_as: Callable[[User], Client]) -> None:
    assert client_as(officer).get("/console/fulfilment/runs/999999/").status_code == 404


def test_restriction_list_api(db: None, officer: User, marketing: User, client: Client) -> None:
    Restriction.objects.create(
        organisation="onemall", identity_hashes={"email": restriction_identity_hash("email", "a@example.jp")}
    )
    Restriction.objects.create(
        organisation="onemall", identity_hashes={"email": restriction_identity_hash("email", "b@example.jp")}
    )
    _, secret = create_token(officer, "systems", ["restrictions:read"], Actor.for_user(officer))
    auth: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    everything = client.get("/api/v1/restrictions", **auth)
    assert everything.status_code == 200 and len(everything.json()) == 2
    digest = shared_identity_digest("email", "A@example.jp")  # what the company's system computes
    one = client.get(f"/api/v1/restrictions?email_sha256={digest}", **auth).json()
    assert len(one) == 1 and one[0]["active"] is True
    assert len(client.get(f"/api/v1/restrictions?identity_sha256={digest}", **auth).json()) == 1
    # Stored keyed: a list of addresses hashed with plain SHA-256 does not find anyone.
    assert digest not in str(everything.json())
    assert "a@example.jp" not in str(everything.json())
    _, weak = create_token(officer, "other", ["map:read"], Actor.for_user(officer))
    assert client.get("/api/v1/restrictions", HTTP_AUTHORIZATION=f"Bearer {weak}").status_code == 403
    assert client.get("/api/v1/restrictions").status_code == 401


def test_the_run_page_says_each_steps_result_in_words(
    erased_run: FulfilmentRun, officer: User, client_as: Callable[[User], Client]
) -> None:
    page = client_as(officer).get(f"/console/fulfilment/runs/{erased_run.pk}/").content.decode()
    assert "Erased (rows changed per table): " in page and "Checked: nothing of the person is left." in page
    assert "Waiting for staff to do it and record evidence." in page  # the paper form of a request by post
    assert "{&#x27;" not in page and "{'" not in page  # no raw dicts
    assert f"Fulfilment run {erased_run.pk}: Erasure" in page
