"""An access run through the request handler's path: its plan reads nothing in the company's systems
(the export finds the person itself), the rows per table the export wrote are the run's plan
afterwards, systems that cannot be reached are named before and after, and the run's records are
written in few transactions with the export's start committed before it runs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client

from mamori.accounts.models import User
from mamori.audit.models import AuditEntry
from mamori.fulfilment.connectors.sql import SqlConnector
from mamori.fulfilment.engine import FulfilmentEngine
from mamori.fulfilment.handler import ENGINE
from mamori.fulfilment.models import FulfilmentRun, FulfilmentStep
from mamori.fulfilment.services.execution import execute_run
from mamori.fulfilment.services.planning import plan_run

HANAKO = {"email": "hanako.yamada@example.jp"}


def _systems(run: FulfilmentRun) -> dict[str, dict[str, Any]]:
    return {system["system"]: system for system in run.plan["systems"]}


def _refuse(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("planning an export must not read the company's systems")


@pytest.mark.parametrize("right", ["access", "portability"])
def test_the_plan_reads_nothing_and_the_export_writes_its_rows_into_it(
    onemall: str, right: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patch:
        patch.setattr(SqlConnector, "locate", _refuse)
        patch.setattr(SqlConnector, "export_subject", _refuse)
        run = plan_run("onemall", right, [HANAKO], ENGINE)
    planned = _systems(run)
    assert planned["shop-db"] == {"system": "shop-db", "kind": "sql", "tables": [], "counted_on_export": True}
    assert planned["alibaba-oss"]["counted_on_export"] and "error" not in planned["alibaba-oss"]
    assert list(run.steps.values_list("action", flat=True)) == ["export"]

    outcome = execute_run(run.pk, ENGINE)
    assert outcome.status == "completed" and outcome.package_path is not None
    run.refresh_from_db()
    exported = run.steps.get(action="export").result["tables"]
    shown = {system: {t["table"]: t["rows"] for t in found["tables"]} for system, found in _systems(run).items()}
    assert shown["shop-db"] == exported["shop-db"] and shown["shop-db"]["orders"] == 2
    assert shown["alibaba-oss"] == exported["alibaba-oss"]
    assert not any(system.get("counted_on_export") for system in run.plan["systems"])
    assert run.plan["subjects"] == 1
    outcome.package_path.unlink()


def test_a_system_that_cannot_be_reached_is_named_before_and_after(
    onemall: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MAMORI_ONEMALL_OSS_WEBHOOK_URL")
    run = plan_run("onemall", "access", [HANAKO], ENGINE)
    assert "MAMORI_ONEMALL_OSS_WEBHOOK_URL" in _systems(run)["alibaba-oss"]["error"]
    page = render_to_string("fulfilment/plan.html", {"plan": run.plan})
    assert "counted when their data is exported" in page and "Not reachable" in page

    outcome = execute_run(run.pk, ENGINE)
    run.refresh_from_db()
    assert run.status == "needs_review" and run.message == "systems not reachable: alibaba-oss"
    assert outcome.status == "needs_review"
    systems = _systems(run)
    assert "MAMORI_ONEMALL_OSS_WEBHOOK_URL" in systems["alibaba-oss"]["error"]
    assert {t["table"]: t["rows"] for t in systems["shop-db"]["tables"]}["payments"] == 1
    assert run.steps.get(action="export").result["unavailable"] == ["alibaba-oss"]
    page = render_to_string("fulfilment/plan.html", {"plan": run.plan})
    assert "payments" in page and "counted when their data is exported" not in page
    if outcome.package_path is not None:
        outcome.package_path.unlink()


def test_the_console_shows_the_rows_per_table_of_an_access_run(
    onemall: str, officer: User, client_as: Callable[[User], Client]
) -> None:
    run = plan_run("onemall", "access", [HANAKO], ENGINE)
    outcome = execute_run(run.pk, ENGINE)
    assert outcome.package_path is not None
    outcome.package_path.unlink()
    page = client_as(officer).get(f"/console/fulfilment/runs/{run.pk}/").content.decode()
    assert "login_sessions" in page and "payments" in page and "hanako" not in page


@pytest.mark.django_db(transaction=True)
def test_the_records_of_an_access_run(onemall: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Three audit entries (planned, step finished, run finished), as before; the export's start is
    committed before it runs (a worker killed during the export is seen), in the same transaction
    as the run's "running"; the step's end, the run's end and their entries in one more."""
    seen: list[tuple[str, str, bool]] = []
    export = FulfilmentEngine.export

    def watched(self: FulfilmentEngine, *args: Any, **kwargs: Any) -> Any:
        step = FulfilmentStep.objects.get(action="export")
        seen.append((step.status, FulfilmentRun.objects.get().status, connection.in_atomic_block))
        return export(self, *args, **kwargs)

    monkeypatch.setattr(FulfilmentEngine, "export", watched)
    commits: list[int] = []
    original = connection._commit

    def counted() -> None:
        commits.append(1)
        original()

    monkeypatch.setattr(connection, "_commit", counted)
    run = plan_run("onemall", "access", [HANAKO], ENGINE)
    planned = len(commits)
    outcome = execute_run(run.pk, ENGINE)
    assert seen == [("running", "running", False)]  # committed: no transaction open during the export
    assert planned == 1 and len(commits) == 3
    assert list(AuditEntry.objects.filter(target_id=str(run.pk)).values_list("action", flat=True).order_by("seq")) == [
        "fulfilment.run_planned",
        "fulfilment.step_finished",
        "fulfilment.run_finished",
    ]
    run.refresh_from_db()
    assert run.status == "completed" and run.finished_at is not None
    assert [step["status"] for step in run.summary["steps"]] == ["done"]
    assert outcome.package_path is not None and Path(outcome.package_path).is_file()
    outcome.package_path.unlink()
