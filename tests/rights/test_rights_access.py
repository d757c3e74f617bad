"""Wrong roles and missing scopes are refused on every staff page and endpoint of the rights domain."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from mamori.accounts.models import User
from mamori.api.services import create_token
from mamori.audit.services import Actor
from mamori.rights.models import ClosureDay, RequestStatus, RightsRequest
from mamori.rights.services.intake import Submission, submit_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored(ipro: str) -> RightsRequest:
    found, _token = submit_request(
        Submission(
            organisation=ipro,
            right="access",
            jurisdiction="US-CA",
            requester_name="Ann",
            requester_email="ann@example.com",
        ),
        Actor.system("requester"),
    )
    return found


READ_PAGES = [
    "/console/requests/",
    "/console/requests/metrics/",
    "/console/requests/{id}/",
    "/console/requests/closures/",
]
WORK_PAGES = [
    "/console/requests/new/?org=i-pro",
    "/console/requests/minor/?org=i-pro",
    *(f"/console/requests/{{id}}/{action}/confirm/" for action in ("execute", "complete", "deny", "reject_identity")),
]
ACTIONS = [
    "assign",
    "note",
    "acknowledge",
    "extend",
    "pause",
    "resume",
    "accept_identity",
    "reject_identity",
    "plan",
    "start",
    "execute",
    "complete",
    "deny",
]


def test_marketing_and_outsiders_see_no_request_page(
    client_as: Callable[[User], Client], marketing: User, outsider: User, admin_user: User, stored: RightsRequest
) -> None:
    for user in (marketing, outsider):
        staff = client_as(user)
        for page in READ_PAGES + WORK_PAGES:
            assert staff.get(page.format(id=stored.pk)).status_code == 403, (user.role, page)
        for action in ACTIONS:
            assert staff.post(f"/console/requests/{stored.pk}/{action}/").status_code == 403
    admin = client_as(admin_user)  # admins manage closures but do not read requests
    assert admin.get(f"/console/requests/{stored.pk}/").status_code == 403
    assert admin.get("/console/requests/closures/").status_code == 200


def test_anonymous_is_sent_to_sign_in(client: Client, stored: RightsRequest) -> None:
    response = client.get(f"/console/requests/{stored.pk}/")
    assert response.status_code == 302 and "/console/login/" in response["Location"]


def test_auditors_read_but_cannot_act(
    client_as: Callable[[User], Client], auditor: User, stored: RightsRequest
) -> None:
    staff = client_as(auditor)
    for page in READ_PAGES:
        assert staff.get(page.format(id=stored.pk)).status_code == 200
    for page in WORK_PAGES:
        assert staff.get(page.format(id=stored.pk)).status_code == 403
    for action in ACTIONS:
        assert staff.post(f"/console/requests/{stored.pk}/{action}/").status_code == 403
    file_id = 1
    assert staff.get(f"/console/requests/{stored.pk}/files/{file_id}/").status_code == 403
    assert (
        staff.post(
            "/console/requests/closures/", {"organisation": "i-pro", "day": "2027-08-12", "name": "Summer"}
        ).status_code
        == 403
    )
    assert not ClosureDay.objects.exists()


def test_agents_cannot_manage_closures(
    client_as: Callable[[User], Client], agent: User, officer: User, ipro: str
) -> None:
    staff = client_as(agent)
    assert (
        staff.post(
            "/console/requests/closures/", {"organisation": ipro, "day": "2027-08-12", "name": "Summer"}
        ).status_code
        == 403
    )
    closure = ClosureDay.objects.create(organisation=ipro, day="2027-08-12", name="Summer")
    assert staff.post(f"/console/requests/closures/{closure.pk}/delete/").status_code == 403
    assert client_as(officer).post(f"/console/requests/closures/{closure.pk}/delete/").status_code == 302
    assert not ClosureDay.objects.exists()


def _bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_api_needs_the_scope_and_a_role_that_may_see_requests(
    client: Client, officer: User, marketing: User, stored: RightsRequest
) -> None:
    _t, map_only = create_token(officer, "ci", ["map:read"], Actor.cli("test"))
    _t, reader = create_token(officer, "ci", ["requests:read"], Actor.cli("test"))
    _t, writer = create_token(officer, "ci", ["requests:read", "requests:write"], Actor.cli("test"))
    # A token issued before scopes followed roles: its owner's role still decides.
    legacy, marketer = create_token(officer, "ci", ["requests:read", "requests:write"], Actor.cli("test"))
    type(legacy).objects.filter(pk=legacy.pk).update(owner=marketing)
    assert client.get("/api/v1/requests").status_code == 401
    assert client.get("/api/v1/requests", **_bearer(map_only)).status_code == 403
    assert client.get("/api/v1/requests", **_bearer(marketer)).status_code == 403
    assert client.get(f"/api/v1/requests/{stored.pk}", **_bearer(marketer)).status_code == 403
    listed = client.get("/api/v1/requests?organisation=i-pro", **_bearer(reader))
    assert listed.status_code == 200 and listed.json()[0]["reference"] == stored.reference
    body = {
        "organisation": "i-pro",
        "right": "erasure",
        "jurisdiction": "US-CA",
        "requester_name": "Ann",
        "requester_email": "ann@example.com",
    }
    assert client.post("/api/v1/requests", body, content_type="application/json", **_bearer(reader)).status_code == 403
    for path, payload in (("extend", {"reason": "x"}), ("deny", {"ground": "cpra_exception"}), ("complete", {})):
        assert (
            client.post(
                f"/api/v1/requests/{stored.pk}/{path}", payload, content_type="application/json", **_bearer(reader)
            ).status_code
            == 403
        )
    created = client.post("/api/v1/requests", body, content_type="application/json", **_bearer(writer))
    assert created.status_code == 201 and created.json()["status_token"]
    assert created.json()["channel"] == "api"
    bad = client.post(
        "/api/v1/requests", body | {"right": "objection"}, content_type="application/json", **_bearer(writer)
    )
    assert bad.status_code == 400 and RightsRequest.objects.count() == 2  # nothing created
    denied = client.post(
        f"/api/v1/requests/{stored.pk}/deny",
        {"ground": "gdpr_unfounded"},
        content_type="application/json",
        **_bearer(writer),
    )
    assert denied.status_code == 400
    denied = client.post(
        f"/api/v1/requests/{stored.pk}/deny",
        {"ground": "cpra_unverifiable"},
        content_type="application/json",
        **_bearer(writer),
    )
    assert denied.status_code == 200 and denied.json()["status"] == RequestStatus.DENIED


def test_metrics_command_prints_the_year(stored: RightsRequest) -> None:
    import io
    import json

    from django.core.management import call_command

    out = io.StringIO()
    call_command(
        "requests", "metrics", "--org", "i-pro", "--year", str(stored.received_at.year), "--format", "json", stdout=out
    )
    assert json.loads(out.getvalue())[0]["received"] == 1
    out = io.StringIO()
    call_command("requests", "sweep", stdout=out)
    assert json.loads(out.getvalue())["records_purged"] == 0
