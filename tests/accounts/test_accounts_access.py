"""staff_required and the audit log page's access rules, for the whole cast."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import Client, RequestFactory

from mamori.accounts.access import AUDIT_READERS, MAP_MANAGERS, MAP_READERS, staff_required
from mamori.audit.services import Actor, record

AUDIT_URL = "/console/audit/"


def test_accounts_role_tuples():
    assert set(MAP_READERS) == {"privacy_officer", "support_agent", "marketing", "auditor", "admin"}
    assert set(MAP_MANAGERS) == {"privacy_officer", "admin"}
    assert set(AUDIT_READERS) == {"privacy_officer", "auditor"}


def test_accounts_staff_required_rejects_unknown_roles():
    with pytest.raises(ValueError):
        staff_required("janitor")


@pytest.mark.django_db
def test_accounts_staff_required_without_roles_admits_any_staff(officer, marketing, outsider):
    @staff_required()
    def view(request):
        return HttpResponse("ok")

    def call(user, verified=True):
        request = RequestFactory().get("/console/x/")
        user.is_verified = lambda: verified
        request.user = user
        return view(request)

    assert call(officer).status_code == 200
    assert call(marketing).status_code == 200
    with pytest.raises(PermissionDenied):
        call(outsider)
    unverified = call(officer, verified=False)
    assert unverified.status_code == 302 and unverified["Location"].startswith("/console/login/")


@pytest.mark.django_db
def test_accounts_anonymous_is_sent_to_sign_in():
    response = Client().get(AUDIT_URL)
    assert response.status_code == 302
    assert response["Location"] == "/console/login/?next=/console/audit/"


@pytest.mark.django_db
def test_accounts_password_only_session_is_sent_to_sign_in(officer):
    client = Client()
    client.force_login(officer, backend="django.contrib.auth.backends.ModelBackend")  # no second factor
    response = client.get(AUDIT_URL)
    assert response.status_code == 302 and response["Location"].startswith("/console/login/")


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["agent", "marketing", "admin_user", "outsider"])
def test_accounts_audit_page_refuses_other_roles(who, request, client_as):
    user = request.getfixturevalue(who)
    assert client_as(user).get(AUDIT_URL).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["officer", "auditor"])
def test_accounts_audit_page_allows_officer_and_auditor(who, request, client_as):
    user = request.getfixturevalue(who)
    record(Actor.system("test"), "map.applied", target_type="map_version", target_id="1", details={"items": 3})
    response = client_as(user).get(AUDIT_URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "map.applied" in html and "items=3" in html
    assert "Chain intact" in html


@pytest.mark.django_db
def test_accounts_audit_page_shows_a_broken_chain(officer, client_as):
    from django.db import connection

    for i in range(3):
        record(Actor.system("test"), "test.entry", details={"i": i})
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET action = %s WHERE seq = 2", ["test.forged"])
    html = client_as(officer).get(AUDIT_URL).content.decode()
    assert "Chain broken at entry #2" in html


@pytest.mark.django_db
def test_accounts_audit_page_filters_and_pages(officer, client_as):
    with time_machine.travel(datetime(2026, 3, 1, 3, 0, tzinfo=UTC), tick=False):
        record(Actor.system("retention"), "retention.swept")
    with time_machine.travel(datetime(2026, 3, 5, 3, 0, tzinfo=UTC), tick=False):
        for i in range(60):
            record(Actor.cli("ops"), "map.applied", details={"i": i})
        record(Actor.cli("ops"), "staff.created")
    client = client_as(officer)

    def rows(query: str) -> str:
        return client.get(AUDIT_URL + query).content.decode()

    html = rows("?action=staff.")
    assert "staff.created" in html and "map.applied" not in html
    html = rows("?actor=retention")
    assert "retention.swept" in html and "map.applied" not in html
    html = rows("?date_from=2026-03-01&date_to=2026-03-02")
    assert "retention.swept" in html and "map.applied" not in html
    # Newest first, 50 a page; the filter survives paging.
    first = rows("?action=map.")
    assert "Page 1 of 2" in first and "page=2" in first and "action=map." in first
    assert first.index("i=59") < first.index("i=58")
    assert "i=0<" not in first
    assert "i=0<" in rows("?action=map.&page=2")
