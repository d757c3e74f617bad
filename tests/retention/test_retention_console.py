"""Console and CLI: officers and admins act, auditors read, everyone else is refused; approval is
a confirmed second step; certificates in English and Japanese, HTML and JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from mamori.accounts.models import User
from mamori.retention import services
from mamori.retention.models import DisposalRun, DisposalStatus

from .conftest import ids


def test_officer_sees_rules_forecasts_and_runs(
    onemall: str, officer: User, client_as: Callable[[User], Client]
) -> None:
    client = client_as(officer)
    page = client.get(reverse("console:retention")).content.decode()
    assert "inquiry-data" in page and "Next 30 days" in page and "Run the rules now" in page
    response = client.post(reverse("console:retention_run_now"), {"org": "onemall"})
    assert response.status_code == 302
    assert DisposalRun.objects.filter(status=DisposalStatus.AWAITING_APPROVAL).count() == 5
    runs = client.get(reverse("console:retention_runs")).content.decode()
    assert "inquiry-data" in runs and "waiting for approval" in runs


def test_approval_is_a_confirmed_second_step(
    waiting: DisposalRun,
    officer: User,
    client_as: Callable[[User], Client],
    django_capture_on_commit_callbacks: Callable[..., Any],
    onemall: str,
) -> None:
    client = client_as(officer)
    url = reverse("console:retention_approve", args=[waiting.pk])
    confirm = client.get(url).content.decode()
    assert "cannot be undone" in confirm and 'class="danger"' in confirm
    refused = client.post(url, {})
    assert refused.status_code == 400 and ids(onemall, "inquiries") >= {1, 201}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"confirm": "dispose"}).status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == DisposalStatus.COMPLETED and 1 not in ids(onemall, "inquiries")
    english = client.get(reverse("console:retention_certificate", args=[waiting.pk, "html"]) + "?lang=en")
    assert f"Disposal certificate {waiting.pk}" in english.content.decode()
    japanese = client.get(reverse("console:retention_certificate", args=[waiting.pk, "html"]) + "?lang=ja")
    assert "廃棄証明書" in japanese.content.decode() and "お問い合わせ" in japanese.content.decode()
    document = json.loads(client.get(reverse("console:retention_certificate", args=[waiting.pk, "json"])).content)
    assert document["sha256"] == waiting.certificate_hash and document["totals"]["deleted"] == 5  # 1, 4, 5, 201, 202


def test_auditor_reads_but_cannot_act(waiting: DisposalRun, auditor: User, client_as: Callable[[User], Client]) -> None:
    client = client_as(auditor)
    assert client.get(reverse("console:retention")).status_code == 200
    page = client.get(reverse("console:retention_run", args=[waiting.pk])).content.decode()
    assert "Approve this disposal" not in page
    assert client.get(reverse("console:retention_approve", args=[waiting.pk])).status_code == 403
    approve = reverse("console:retention_approve", args=[waiting.pk])
    assert client.post(approve, {"confirm": "dispose"}).status_code == 403
    assert client.post(reverse("console:retention_run_now"), {"org": "onemall"}).status_code == 403
    waiting.refresh_from_db()
    assert waiting.status == DisposalStatus.AWAITING_APPROVAL


@pytest.mark.parametrize("role", ["agent", "marketing", "outsider"])
def test_other_roles_are_refused(
    role: str, waiting: DisposalRun, request: pytest.FixtureRequest, client_as: Callable[[User], Client]
) -> None:
    client = client_as(request.getfixturevalue(role))
    for url in (
        reverse("console:retention"),
        reverse("console:retention_runs"),
        reverse("console:retention_run", args=[waiting.pk]),
        reverse("console:retention_certificate", args=[waiting.pk, "json"]),
    ):
        assert client.get(url).status_code == 403, url
    approve = reverse("console:retention_approve", args=[waiting.pk])
    assert client.post(approve, {"confirm": "dispose"}).status_code == 403


def test_admin_may_act(waiting: DisposalRun, admin_user: User, client_as: Callable[[User], Client]) -> None:
    assert client_as(admin_user).get(reverse("console:retention_approve", args=[waiting.pk])).status_code == 200


def test_japanese_console(onemall: str, officer: User, client_as: Callable[[User], Client]) -> None:
    client = client_as(officer)
    page = client.get(reverse("console:retention"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "保存期間" in page or "廃棄" in page


def test_cli_plan_run_and_certificates(onemall: str, officer: User) -> None:
    out = StringIO()
    call_command("retention", "plan", "--organisation", "onemall", "--format", "json", stdout=out)
    plan = json.loads(out.getvalue())[0]
    assert {rule["rule"] for rule in plan["rules"]} == {
        "account-data",
        "order-records",
        "inquiry-data",
        "newsletter",
        "usage-data",
    }
    out = StringIO()
    call_command("retention", "run", "--organisation", "onemall", "--rule", "inquiry-data", stdout=out)
    assert "awaiting_approval (new_rule)" in out.getvalue()
    run = DisposalRun.objects.get()
    services.approve_run(run.pk, officer, confirmed=True)
    services.execute_run(run.pk)
    out = StringIO()
    call_command("retention", "certificates", stdout=out)
    assert "inquiry-data\tcompleted" in out.getvalue()
    out = StringIO()
    call_command("retention", "certificate", str(run.pk), "--format", "html", "--lang", "ja", stdout=out)
    assert "廃棄証明書" in out.getvalue()
