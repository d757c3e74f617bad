"""Runs through the services, on the demo shop with rows at every boundary: approval of a new or
changed rule, the share stop, open requests, the certificate and its hash in the audit chain,
mamori's own data, the daily sweep."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, timedelta
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from mamori.accounts.models import User
from mamori.audit.models import AuditEntry
from mamori.audit.services import Actor
from mamori.catalog.services import apply_map
from mamori.retention import services
from mamori.retention.certificate import certificate_hash
from mamori.retention.models import DisposalRun, DisposalStatus, RuleApproval
from mamori.retention.services import RetentionError

from .conftest import AS_OF, add_boundary_rows, ids

NOW = AS_OF.replace(tzinfo=UTC)
ONEMALL = "examples/onemall"


@pytest.fixture
def onemall(db: None, sqlite_shop: str, monkeypatch: pytest.MonkeyPatch) -> str:
    add_boundary_rows(sqlite_shop)
    monkeypatch.setenv("MAMORI_ONEMALL_SHOP_URL", sqlite_shop)
    apply_map([ONEMALL], Actor.cli("test"))
    return sqlite_shop


def approve(run: DisposalRun, user: User, capture: Callable[..., Any]) -> DisposalRun:
    with capture(execute=True):
        services.approve_run(run.pk, user, confirmed=True, now=NOW)
    run.refresh_from_db()
    return run


def open_request(email: str) -> None:
    from mamori.rights.models import RightsRequest

    RightsRequest.objects.create(
        organisation="onemall",
        map_version=1,
        reference="R-OPEN-1",
        right="access",
        jurisdiction="JP",
        law="APPI",
        calendar_id="JP",
        channel="web",
        requester_name="Hanako",
        requester_email=email,
        status_token_hash="x" * 64,
        received_at=NOW,
        received_on=NOW.date(),
        due_at=NOW + timedelta(days=30),
        original_due_at=NOW + timedelta(days=30),
        verify_by=NOW + timedelta(days=30),
    )


def test_first_run_of_a_rule_waits_for_an_officer_then_disposes_with_a_certificate(
    onemall: str, officer: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    run = services.plan_run("onemall", "inquiry-data", Actor.cli("test"), NOW)
    assert (run.status, run.reason) == (DisposalStatus.AWAITING_APPROVAL, "new_rule")
    assert run.plan["tables"][0]["due"] == 4  # demo inquiries 1, 4, 5 and 201
    assert ids(onemall, "inquiries") >= {1, 201}  # nothing went yet
    with pytest.raises(RetentionError):
        services.approve_run(run.pk, officer, confirmed=False)
    run = approve(run, officer, django_capture_on_commit_callbacks)
    assert run.status == DisposalStatus.COMPLETED
    assert ids(onemall, "inquiries") == {2, 3, 202, 203}
    certificate = run.certificate
    assert certificate is not None
    assert certificate["approved_by"] == officer.username and certificate["verification"]["ok"]
    assert certificate["tables"][0] | {"batches": 1} == {
        "system": "shop-db",
        "table": "inquiries",
        "action": "delete",
        "deleted": 4,
        "erased_in_place": 0,
        "batches": 1,
        "kept_under_hold": 0,
        "kept_for_open_requests": 0,
        "residue": 0,
    }
    assert certificate_hash(certificate) == run.certificate_hash
    entry = AuditEntry.objects.get(action="retention.certificate_issued")
    assert entry.details["certificate_sha256"] == run.certificate_hash
    # The approved version of the rule runs by itself the next day, when inquiry 202 is resolved too.
    again = services.run_rules("onemall", Actor.system("test"), ["inquiry-data"], now=NOW + timedelta(days=1))
    assert again[0].status == DisposalStatus.COMPLETED and again[0].certificate["totals"]["deleted"] == 1
    assert ids(onemall, "inquiries") == {2, 3, 203}


def test_a_changed_rule_asks_again(onemall: str, officer: User) -> None:
    run = services.plan_run("onemall", "newsletter", Actor.cli("test"), NOW)
    RuleApproval.objects.create(organisation="onemall", rule_id="newsletter", fingerprint="0" * 64)
    assert run.reason == "new_rule"  # an approval of another version does not count


def test_a_run_above_the_rules_share_of_a_table_stops_and_asks(onemall: str, officer: User) -> None:
    run = services.plan_run("onemall", "usage-data", Actor.cli("test"), NOW)
    RuleApproval.objects.create(organisation="onemall", rule_id="usage-data", fingerprint=run.fingerprint)
    run.delete()
    stopped = services.plan_run("onemall", "usage-data", Actor.cli("test"), NOW)
    # 4 of 5 usage events (80 %) is more than the default 50 %: a wrong rule must not empty a table.
    assert (stopped.status, stopped.reason) == (DisposalStatus.AWAITING_APPROVAL, "max_share")
    assert stopped.plan["over_share"] == ["shop-db.login_sessions", "shop-db.usage_events"]
    assert ids(onemall, "usage_events") == {1, 2, 3, 4, 601}


def test_an_open_request_wins_over_disposal(
    onemall: str, officer: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    open_request("hanako.yamada@example.jp")
    run = services.plan_run("onemall", "usage-data", Actor.cli("test"), NOW)
    sessions = next(t for t in run.plan["tables"] if t["table"] == "login_sessions")
    assert (sessions["due"], sessions["protected"]) == (3, 2)
    run = approve(run, officer, django_capture_on_commit_callbacks)
    assert ids(onemall, "login_sessions") == {1, 2, 102}
    assert run.status == DisposalStatus.COMPLETED  # verified against the same protected people
    kept = next(t for t in run.certificate["tables"] if t["table"] == "login_sessions")
    assert kept["kept_for_open_requests"] == 2


def test_rows_kept_under_the_hold_are_on_the_certificate(
    onemall: str, officer: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    run = approve(
        services.plan_run("onemall", "order-records", Actor.cli("test"), NOW),
        officer,
        django_capture_on_commit_callbacks,
    )
    tables = {t["table"]: t for t in run.certificate["tables"]}
    assert (tables["payments"]["erased_in_place"], tables["payments"]["kept_under_hold"]) == (1, 5)
    assert run.certificate["rule"]["legal_hold"]["counts_from"] == {"orders": "ordered_at", "payments": "paid_at"}


def test_dry_run_changes_nothing_and_forecasts(onemall: str) -> None:
    plan = services.dry_run("onemall", NOW)
    rules = {rule["rule"]: rule for rule in plan["rules"]}
    sessions = next(t for t in rules["usage-data"]["tables"] if t["table"] == "login_sessions")
    assert (sessions["due"], sessions["forecast"]) == (5, 1)
    assert not DisposalRun.objects.exists()
    assert len(ids(onemall, "login_sessions")) == 6


def test_mamoris_own_data_and_the_sweep(onemall: str, officer: User) -> None:
    Session.objects.create(session_key="old", session_data="x", expire_date=timezone.now() - timedelta(days=1))
    Session.objects.create(session_key="new", session_data="x", expire_date=timezone.now() + timedelta(days=1))
    totals = services.daily_sweep()
    assert totals["internal"] == 1 and totals["waiting"] == 5  # every onemall rule is new: all wait
    assert list(Session.objects.values_list("session_key", flat=True)) == ["new"]
    internal = DisposalRun.objects.get(internal=True)
    assert internal.rule_id == "staff-sessions" and internal.certificate["totals"]["deleted"] == 1
    assert services.daily_sweep()["runs"] == 5  # the waiting runs are the same runs, not new ones
    assert DisposalRun.objects.filter(internal=False).count() == 5


def test_certificates_go_after_their_period(onemall: str) -> None:
    Session.objects.create(session_key="old", session_data="x", expire_date=timezone.now() - timedelta(days=1))
    run = services.run_internal(Actor.system("test"))[0]
    assert run.keep_until is not None
    assert services.purge_certificates(run.keep_until + timedelta(seconds=1)) == 1
    assert not DisposalRun.objects.exists()
