"""Runs through the rights handover interface, on the demo shop: erasure, access, rectification,
restriction, resumption after a worker is killed, manual tasks, data-point matching."""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from mamori.accounts.models import User
from mamori.audit.models import AuditEntry
from mamori.core.crypto import decrypt
from mamori.fulfilment.handler import ENGINE
from mamori.fulfilment.models import FulfilmentRun, FulfilmentStep, ManualTask, Restriction
from mamori.fulfilment.services import execution
from mamori.fulfilment.services.common import FulfilmentError
from mamori.fulfilment.services.execution import execute_run
from mamori.fulfilment.services.manual_tasks import complete_manual_task
from mamori.fulfilment.services.planning import plan_run, prepare_run
from mamori.fulfilment.services.restrictions import restriction_identity_hash
from mamori.rights.handover import FulfilmentTask, handler_for

HANAKO = {"email": "hanako.yamada@example.jp"}


def shop_rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
        return connection.execute(sql).fetchall()


def task(right: str, request_id: int = 1, **details: Any) -> FulfilmentTask:
    return FulfilmentTask(
        request_id=request_id,
        organisation="onemall",
        right=right,
        identities=dict(HANAKO),
        language="ja",
        details=details,
    )


def test_engine_is_registered_for_the_rights_it_carries_out() -> None:
    for right in ("access", "portability", "erasure", "rectification", "restriction"):
        assert handler_for(right) is not None
    assert handler_for("objection") is None


def test_erasure_request_plans_first_then_deletes_and_keeps_the_held_records(
    onemall: str, storage_adapter: tuple[Any, str], officer: User
) -> None:
    handler = handler_for("erasure")
    assert handler is not None
    # A request that came by post: the returned paper form is a manual task.
    plan = handler.plan(task("erasure", channel="post"))
    shop = next(system for system in plan["systems"] if system["system"] == "shop-db")
    assert "state" not in shop  # keys stay encrypted in the steps
    assert {t["table"]: t["rows"] for t in shop["tables"]}["login_sessions"] == 2
    assert shop_rows(onemall, "SELECT count(*) FROM login_sessions WHERE customer_id = 1") == [(2,)]  # not run yet

    outcome = handler.execute(task("erasure", channel="post"))
    assert outcome.status == "needs_review" and "manual" in outcome.message  # the paper forms
    assert shop_rows(onemall, "SELECT count(*) FROM login_sessions WHERE customer_id = 1") == [(0,)]
    assert shop_rows(onemall, "SELECT count(*) FROM addresses WHERE customer_id = 1") == [(0,)]
    assert shop_rows(onemall, "SELECT count(*) FROM orders WHERE customer_id = 1") == [(2,)]
    assert shop_rows(onemall, "SELECT provider_reference FROM payments ORDER BY id") == [
        ("pi_3Hanako001",),
        ("PAYID-TARO-7788",),
        ("pi_3Taro002",),
        ("bt_emily_0001",),
    ]
    adapter, _url = storage_adapter
    assert "hanako.yamada@example.jp" not in adapter.objects
    run = FulfilmentRun.objects.get(request_id=1, right="erasure")
    verify = run.steps.get(system="shop-db", action="verify")
    assert verify.status == "done" and not any(verify.result["residue"].values())
    assert b"hanako" not in bytes(run.sealed_subjects)  # encrypted at rest

    manual = ManualTask.objects.get(run=run)
    assert manual.system == "paper-request-forms" and "shred" in manual.instructions["en"]
    complete_manual_task(manual.pk, officer, note="Form shredded", evidence=SimpleUploadedFile("cert.pdf", b"%PDF-1.4"))
    run.refresh_from_db()
    assert run.status == "completed"
    manual.refresh_from_db()
    assert decrypt(bytes(manual.sealed_evidence or b"")) == b"%PDF-1.4"
    with pytest.raises(FulfilmentError):
        complete_manual_task(manual.pk, officer, note="again")
    # The same task handed over again does nothing twice.
    assert handler.execute(task("erasure", channel="post")).status == "completed"
    assert AuditEntry.objects.filter(action="fulfilment.run_planned").count() == 1
    for entry in AuditEntry.objects.filter(action__startswith="fulfilment."):
        assert "hanako" not in str(entry.details)


@pytest.mark.parametrize("right", ["erasure", "access"])
@pytest.mark.parametrize(("channel", "paper_task"), [("form", False), ("email", False), ("post", True), ("fax", True)])
def test_a_paper_form_task_only_for_requests_that_came_on_paper(
    onemall: str, right: str, channel: str, paper_task: bool
) -> None:
    """The map says the paper-form system is about requests by post, fax or in person: an online
    request gets no task (and no line in its plan) to shred a form that never existed."""
    handler = handler_for(right)
    assert handler is not None
    plan = handler.plan(task(right, channel=channel))
    run = FulfilmentRun.objects.get(pk=plan["run"])
    manual_steps = set(run.steps.filter(action="manual").values_list("system", flat=True))
    assert ("paper-request-forms" in manual_steps) is paper_task
    if right == "erasure":
        assert any(system["system"] == "paper-request-forms" for system in plan["systems"]) is paper_task


def test_access_request_yields_the_package(onemall: str) -> None:
    handler = handler_for("access")
    assert handler is not None
    outcome = handler.execute(task("access", request_id=2))
    assert outcome.package_path is not None and outcome.package_path.exists()
    with zipfile.ZipFile(outcome.package_path) as archive:
        names = archive.namelist()
        assert "data/shop-db/orders.json" in names and "data/alibaba-oss/objects.csv" in names
        summary = archive.read("index.html").decode()
        assert '<html lang="ja">' in summary and "INAGORA株式会社" in summary and "注文・決済記録" in summary
        assert b"PAYID-TARO-7788" not in b"".join(archive.read(name) for name in names)
    shop = next(s for s in outcome.summary["steps"] if s["action"] == "export")["tables"]["shop-db"]
    assert shop["payments"] == 1 and shop["orders"] == 2
    outcome.package_path.unlink()


def test_a_worker_killed_between_steps_resumes_without_redoing_anything(onemall: str) -> None:
    run = prepare_run(task("erasure", request_id=3), ENGINE)
    first = execute_run(run.pk, ENGINE, max_steps=1)  # the worker dies after the first step
    assert first.message == "interrupted"
    done = list(run.steps.filter(status="done").values_list("position", flat=True))
    assert done == [0]
    first_result = run.steps.get(position=0).result
    execute_run(run.pk, ENGINE)
    assert run.steps.get(position=0).result == first_result  # not run again
    assert all(step.attempts == 1 for step in run.steps.exclude(action="manual"))
    assert shop_rows(onemall, "SELECT count(*) FROM login_sessions WHERE customer_id = 1") == [(0,)]


def test_killed_after_the_datastore_committed_the_step_is_not_run_twice(
    onemall: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = prepare_run(task("erasure", request_id=4), ENGINE)
    original = execution._finish_step
    calls = {"n": 0}

    def dies_after_erasing(step: FulfilmentStep, *args: Any, **kwargs: Any) -> None:
        if step.action == "erase" and step.system == "shop-db" and calls["n"] == 0:
            calls["n"] += 1
            raise KeyboardInterrupt  # the process is killed before the step is recorded
        original(step, *args, **kwargs)

    monkeypatch.setattr(execution, "_finish_step", dies_after_erasing)
    with pytest.raises(KeyboardInterrupt):
        execute_run(run.pk, ENGINE)
    step = run.steps.get(system="shop-db", action="erase")
    assert step.status == "running"
    assert shop_rows(onemall, "SELECT count(*) FROM login_sessions WHERE customer_id = 1") == [(0,)]
    execute_run(run.pk, ENGINE)
    step.refresh_from_db()
    assert step.status == "done" and step.result == {"tables": {}, "already_done": True}
    assert run.steps.get(system="shop-db", action="verify").status == "done"


def test_rectification_and_restriction(onemall: str, storage_adapter: tuple[Any, str]) -> None:
    handler = handler_for("rectification")
    assert handler is not None
    outcome = handler.execute(
        task("rectification", request_id=5, channel="post", fields={"contact.phone": "+81 90-9999-0000"})
    )
    assert outcome.status == "needs_review"  # the paper form of a request by post
    assert shop_rows(onemall, "SELECT phone FROM customers WHERE id = 1") == [("+81 90-9999-0000",)]
    assert shop_rows(onemall, "SELECT phone FROM customers WHERE id = 2") == [("+81 80-2345-6789",)]

    restriction_handler = handler_for("restriction")
    assert restriction_handler is not None
    restriction_handler.execute(task("restriction", request_id=6))
    restriction = Restriction.objects.get(request_id=6)
    assert restriction.identity_hashes == {"email": restriction_identity_hash("email", "Hanako.Yamada@example.jp ")}
    adapter, _url = storage_adapter
    assert "hanako.yamada@example.jp" in adapter.restricted  # the webhook system was told


def test_bad_input_changes_nothing(onemall: str) -> None:
    with pytest.raises(FulfilmentError):
        plan_run("onemall", "objection", [HANAKO], ENGINE)
    with pytest.raises(FulfilmentError):
        plan_run("onemall", "erasure", [{}], ENGINE)
    with pytest.raises(FulfilmentError):
        plan_run("onemall", "rectification", [HANAKO], ENGINE)
    with pytest.raises(FulfilmentError):
        plan_run("nobody", "erasure", [HANAKO], ENGINE)
    assert not FulfilmentRun.objects.exists()


def test_bulk_erasure_run_for_many_subjects(onemall: str) -> None:
    run = plan_run("onemall", "erasure", [HANAKO, {"email": "emily.clark@example.com"}], ENGINE)
    execute_run(run.pk, ENGINE)
    assert shop_rows(onemall, "SELECT email FROM customers ORDER BY id") == [
        ("erased-1",),
        ("taro.suzuki@example.jp",),
        ("erased-3",),
    ]


def test_match_data_points(onemall: str) -> None:
    handler = handler_for("access")
    assert handler is not None
    points = {"email": "hanako.yamada@example.jp", "phone": "+81 00-0000-0000"}
    assert handler.match_data_points("onemall", points) == {"email"}


def test_demo_shop_is_created_once(tmp_path: Path) -> None:
    from mamori.fulfilment.demo_shop import ensure_demo_shop

    url = ensure_demo_shop(tmp_path)
    shop_rows(url, "DELETE FROM usage_events")
    assert ensure_demo_shop(tmp_path) == url
    assert shop_rows(url, "SELECT count(*) FROM usage_events") == [(0,)]  # kept, not recreated
