"""Console pages and /api/v1/incidents: what each role sees, bad input refused with 4xx problem+json."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from mamori.accounts.models import User
from mamori.api.services import ApiTokenError, create_token
from mamori.audit.models import AuditEntry
from mamori.incidents.models import Incident, ReportDraft

from .conftest import ACTOR


def _pages(incident: Incident) -> list[tuple[str, str]]:
    draft = ReportDraft.objects.filter(incident=incident).first()
    person = incident.affected.first()
    pk = incident.pk
    pages = [
        ("get", reverse("console:incidents")),
        ("get", reverse("console:incident_new")),
        ("get", reverse("console:incident", args=[pk])),
        ("get", reverse("console:incident_notices", args=[pk])),
    ]
    pages += [
        ("post", reverse(name, args=[pk]))
        for name in (
            "console:incident_status",
            "console:incident_note",
            "console:incident_facts",
            "console:incident_override",
            "console:incident_find_people",
            "console:incident_draft",
            "console:incident_public_notice",
        )
    ]
    if draft:
        pages.append(("post", reverse("console:incident_draft_sent", args=[pk, draft.pk])))
    if person:
        pages.append(("post", reverse("console:incident_bounced", args=[pk, person.pk])))
    evidence = incident.timeline.first()
    if evidence:
        pages.append(("get", reverse("console:incident_evidence", args=[pk, evidence.pk])))
    return pages


@pytest.fixture
def worked(leak: Incident) -> Incident:
    from mamori.incidents.people import find_affected
    from mamori.incidents.services import add_note, make_draft

    find_affected(leak.pk, ACTOR)
    make_draft(leak.pk, "ppc", "preliminary", ACTOR)
    add_note(leak.pk, "access log", ACTOR, file_name="access.log", data=b"GET /inquiries 200")
    return leak


@pytest.mark.parametrize("role", ["agent", "marketing", "outsider"])
def test_support_agents_marketing_and_others_see_nothing(
    worked: Incident, role: str, request: pytest.FixtureRequest, client_as: Callable[[User], Client]
) -> None:
    client = client_as(request.getfixturevalue(role))
    for method, url in _pages(worked):
        assert getattr(client, method)(url).status_code == 403, url
    assert b"/console/incidents/" not in client_as(request.getfixturevalue(role)).get("/console/map/").content


def test_auditors_read_but_cannot_change(worked: Incident, auditor: User, client_as: Callable[[User], Client]) -> None:
    client = client_as(auditor)
    for method, url in _pages(worked):
        status = getattr(client, method)(url).status_code
        assert status == (200 if method == "get" and "new" not in url and "notices" not in url else 403), url
    page = client.get(reverse("console:incident", args=[worked.pk])).content.decode()
    assert "Japan (APPI)" in page and "Override" not in page and "example.jp" not in page


def test_anonymous_is_sent_to_sign_in(worked: Incident, client: Client) -> None:
    response = client.get(reverse("console:incident", args=[worked.pk]))
    assert response.status_code == 302 and "/console/login/" in response["Location"]


def test_officer_walks_an_incident(
    worked: Incident, officer: User, client_as: Callable[[User], Client], django_capture_on_commit_callbacks: Any
) -> None:
    from django.core import mail

    client = client_as(officer)
    page = client.get(reverse("console:incident", args=[worked.pk])).content.decode()
    assert "APPI preliminary report to the PPC" in page and "Time left" in page
    assert "hanako" not in page and "example.jp" not in page  # only hashes
    dashboard = client.get(reverse("console:dashboard")).content.decode()
    assert worked.reference in dashboard and "Open incidents" in dashboard
    response = client.post(reverse("console:incident_override", args=[worked.pk]), {"law": "GDPR", "reason": ""})
    assert response.status_code == 302 and not Incident.objects.get(pk=worked.pk).overrides
    client.post(
        reverse("console:incident_facts", args=[worked.pk]),
        {"actions_summary_en": "We blocked the access.", "actions_summary_ja": "アクセスを遮断しました。"},
    )
    confirm = client.get(reverse("console:incident_notices", args=[worked.pk]))
    assert "This cannot be undone" in confirm.content.decode() and not mail.outbox
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("console:incident_notices", args=[worked.pk]), {"confirm": "yes"})
    assert len(mail.outbox) == 5
    client.post(reverse("console:incident_note", args=[worked.pk]), {"text": "Firewall log attached"})
    timeline = Incident.objects.get(pk=worked.pk).timeline
    assert timeline.count() == 2
    evidence = timeline.get(kind="evidence")
    download = client.get(reverse("console:incident_evidence", args=[worked.pk, evidence.pk]))
    assert download.content == b"GET /inquiries 200" and "attachment" in download["Content-Disposition"]
    from django.db import connection

    with connection.cursor() as cursor:  # encrypted at rest
        cursor.execute("SELECT text FROM incidents_timelineentry")
        assert all("Firewall" not in row[0] and "access log" not in row[0] for row in cursor.fetchall())
    assert AuditEntry.objects.filter(action="incident.note_added").exists()


def test_officer_registers_an_incident_in_japanese(
    shop: str, officer: User, client_as: Callable[[User], Client]
) -> None:
    client = client_as(officer)
    client.post("/i18n/setlang/", {"language": "ja", "next": "/console/"})
    response = client.post(
        reverse("console:incident_new"),
        {
            "organisation": "onemall",
            "title": "問い合わせテーブルの流出",
            "aware_at": "2026-11-02 23:30",
            "kind": "leak",
            "cause": "ransomware",
            "tables": ["shop-db.inquiries"],
        },
    )
    incident = Incident.objects.get()
    assert response.status_code == 302 and incident.possibly_malicious
    page = client.get(reverse("console:incident", args=[incident.pk])).content.decode()
    assert "個人情報保護委員会" in page or "速報" in page
    client.post(reverse("console:incident_override", args=[incident.pk]), {"law": "GDPR", "reason": " "})
    assert "理由は必須です" in client.get(reverse("console:incident", args=[incident.pk])).content.decode()
    bad = client.post(
        reverse("console:incident_new"),
        {"organisation": "onemall", "title": "x", "aware_at": "nope", "kind": "leak", "cause": "ransomware"},
    )
    assert bad.status_code == 400 and Incident.objects.count() == 1


def _token(user: User, *scopes: str) -> dict[str, str]:
    _token_row, secret = create_token(user, "monitoring", scopes, ACTOR)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


BODY = {
    "organisation": "onemall",
    "title": "SIEM: mass export from inquiries",
    "aware_at": "2026-11-02T23:30:00+09:00",
    "kind": "leak",
    "cause": "unauthorised_access",
    "scope": {"tables": ["shop-db.inquiries"]},
}


def _post(client: Client, body: Any, headers: dict[str, str]) -> Any:
    return client.post(
        "/api/v1/incidents",
        json.dumps(body) if not isinstance(body, bytes) else body,
        content_type="application/json",
        **headers,
    )


def test_api_opens_and_reads_incidents(shop: str, officer: User, auditor: User, client: Client) -> None:
    created = _post(client, BODY, _token(officer, "incidents:write", "incidents:read"))
    assert created.status_code == 201, created.content
    data = created.json()
    assert {d["key"] for d in data["deadlines"]} == {"gdpr_authority", "appi_preliminary", "appi_final"}
    reader = _token(auditor, "incidents:read")
    assert client.get("/api/v1/incidents", **reader).json()[0]["reference"] == data["reference"]
    assert client.get(f"/api/v1/incidents/{data['id']}", **reader).json()["evaluation"][0]["law"] == "APPI"
    assert client.get("/api/v1/incidents/999999", **reader).status_code == 404


def test_api_refuses_wrong_scope_role_and_bad_input(
    shop: str, officer: User, auditor: User, agent: User, marketing: User, client: Client
) -> None:
    with pytest.raises(ApiTokenError):  # a token never carries a scope its owner's role lacks
        _token(auditor, "incidents:write")
    assert _post(client, BODY, _token(officer, "incidents:read")).status_code == 403
    for outsider in (agent, marketing):
        with pytest.raises(ApiTokenError):
            _token(outsider, "incidents:read")
    assert client.get("/api/v1/incidents").status_code == 401
    writer = _token(officer, "incidents:write")
    bad_bodies: list[Any] = [
        {**BODY, "title": "nul\x00byte"},
        {**BODY, "organisation": "one\x00mall"},
        {**BODY, "title": "x" * 201},
        {**BODY, "aware_at": "yesterday"},
        {**BODY, "kind": "flood"},
        {**BODY, "people_estimated": "many"},
        {**BODY, "scope": {"tables": ["shop-db.nope"]}},
        {**BODY, "scope": "all"},
        {**BODY, "encrypted": "yes"},
        {**BODY, "aware_at": "2099-01-01T00:00:00+00:00"},
        [1, 2],
        b"{not json",
        b"\x00",
        {**BODY, "title": "y" * 3_000_000},
    ]
    for body in bad_bodies:
        response = _post(client, body, writer)
        assert 400 <= response.status_code < 500, (str(body)[-60:], response.status_code)
        assert response["Content-Type"] == "application/problem+json", str(body)[:80]
    assert not Incident.objects.exists()
    assert client.get("/api/v1/incidents?status=o%00pen", **_token(officer, "incidents:read")).status_code == 400


def test_console_bad_numbers_are_refused_not_crashed(
    worked: Incident, officer: User, client_as: Callable[[User], Client]
) -> None:
    client = client_as(officer)
    response = client.post(reverse("console:incident_facts", args=[worked.pk]), {"people_confirmed": "²"})
    assert response.status_code == 302 and Incident.objects.get(pk=worked.pk).people_confirmed is None


def test_owner_is_an_officer_or_admin(
    worked: Incident, officer: User, admin_user: User, agent: User, client_as: Callable[[User], Client]
) -> None:
    client = client_as(officer)
    client.post(reverse("console:incident_facts", args=[worked.pk]), {"owner": str(admin_user.pk)})
    assert Incident.objects.get(pk=worked.pk).owner == admin_user
    client.post(reverse("console:incident_facts", args=[worked.pk]), {"owner": str(agent.pk)})
    assert Incident.objects.get(pk=worked.pk).owner == admin_user
    form = client.get(reverse("console:incident_new")).content.decode()
    assert "Inquiry contents and our replies" in form and "shop-db.inquiries" in form


def test_dashboard_cost_does_not_grow_with_open_incidents(
    worked: Incident, officer: User, client_as: Callable[[User], Client]
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from mamori.incidents.services import IncidentInput, open_incident

    client = client_as(officer)
    client.get(reverse("console:dashboard"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("console:dashboard"))
    for number in range(3):
        open_incident(
            IncidentInput(
                organisation="onemall",
                title=f"more {number}",
                aware_at=worked.aware_at,
                kind="loss",
                cause="lost_device",
            ),
            ACTOR,
        )
    with CaptureQueriesContext(connection) as four:
        page = client.get(reverse("console:dashboard")).content.decode()
    assert page.count("INC-2026-") == 4 and len(four.captured_queries) == len(one.captured_queries)
