"""Every way a run finishes goes through one path: the package is stored encrypted, the clear copy
is deleted, and the request is completed (issue 11/12: the console's resume used to skip all three)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from mamori.accounts.models import User
from mamori.audit.services import Actor
from mamori.fulfilment.handler import ENGINE
from mamori.fulfilment.models import FulfilmentRun, ManualTask
from mamori.fulfilment.services.execution import execute_run
from mamori.fulfilment.services.planning import prepare_run
from mamori.rights.models import RequestFile, RequestStatus, RightsRequest
from mamori.rights.services.intake import Submission, submit_request
from mamori.rights.services.workflow import fulfilment_task

# The resume job is queued after commit, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the engine writes its clear packages during the test."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def access_request_in_progress() -> RightsRequest:
    sub = Submission(
        organisation="onemall",
        right="access",
        jurisdiction="JP",
        requester_name="Hanako Yamada",
        requester_email="hanako.yamada@example.jp",
        channel="post",  # on paper: the returned form is a task for staff (onemall's paper-request-forms)
    )
    request, _token = submit_request(sub, Actor.cli("test"))
    # Verified and approved by staff (the rights tests cover those steps).
    RightsRequest.objects.filter(pk=request.pk).update(status=RequestStatus.IN_PROGRESS, plan={})
    return RightsRequest.objects.get(pk=request.pk)


def test_a_run_resumed_from_the_console_stores_the_package_and_completes_the_request(
    onemall: str, packages: Path, officer: User, client_as: Callable[[User], Client]
) -> None:
    request = access_request_in_progress()
    run = prepare_run(fulfilment_task(request), ENGINE)
    interrupted = execute_run(run.pk, ENGINE, max_steps=0)  # a worker killed before the first step
    assert interrupted.status == "needs_review" and interrupted.recorded
    request.refresh_from_db()
    assert request.status == RequestStatus.IN_PROGRESS and request.outcome_status == "needs_review"

    response = client_as(officer).post(f"/console/fulfilment/runs/{run.pk}/resume/")
    assert response.status_code == 302

    run.refresh_from_db()
    request.refresh_from_db()
    assert run.status == "needs_review"  # onemall has systems only staff can reach
    assert request.status == RequestStatus.IN_PROGRESS and request.outcome_status == "needs_review"
    stored = RequestFile.objects.get(request=request, kind=RequestFile.Kind.RESULT)
    assert stored.size > 0 and not bytes(stored.encrypted).startswith(b"PK")  # encrypted, not a ZIP
    assert not list(packages.rglob("*.zip"))  # no clear copy left behind

    # The last manual task done from the console ends the run the same way: the request completes.
    for task in ManualTask.objects.filter(run=run):
        client_as(officer).post(
            f"/console/fulfilment/tasks/{task.pk}/complete/",
            {"note": "done by hand", "evidence": SimpleUploadedFile("scan.pdf", b"%PDF-1.4 scan")},
        )
    run.refresh_from_db()
    request.refresh_from_db()
    assert run.status == "completed"
    assert request.status == RequestStatus.COMPLETED and request.outcome_status == "completed"
    assert RequestFile.objects.filter(request=request, kind=RequestFile.Kind.RESULT).count() == 1


def test_a_run_of_no_request_resumed_from_the_console_leaves_no_clear_package(
    onemall: str, packages: Path, officer: User, client_as: Callable[[User], Client]
) -> None:
    from mamori.fulfilment.services.planning import plan_run

    run = plan_run("onemall", "access", [{"email": "hanako.yamada@example.jp"}], ENGINE)
    client_as(officer).post(f"/console/fulfilment/runs/{run.pk}/resume/")
    assert FulfilmentRun.objects.get(pk=run.pk).steps.get(action="export").status == "done"
    assert not list(packages.rglob("*.zip"))


@pytest.mark.parametrize("clear_copy", ["left on this machine", "gone with its machine"])
@pytest.mark.parametrize("resumed_by", ["console", "job redelivery"])
def test_an_access_run_stopped_after_export_and_before_hand_over_still_delivers_the_package(
    onemall: str,
    packages: Path,
    officer: User,
    client_as: Callable[[User], Client],
    clear_copy: str,
    resumed_by: str,
) -> None:
    from mamori.rights.services.workflow import fulfil_request

    request = access_request_in_progress()
    run = prepare_run(fulfilment_task(request), ENGINE)
    # The worker stops right after the export step committed: the package was never handed over.
    execute_run(run.pk, ENGINE, max_steps=1)
    assert run.steps.get(action="export").status == "done"
    assert not RequestFile.objects.filter(request=request, kind=RequestFile.Kind.RESULT).exists()
    left = list(packages.rglob("*.zip"))
    assert len(left) == 1
    if clear_copy == "gone with its machine":
        left[0].unlink()
    FulfilmentRun.objects.filter(pk=run.pk).update(status="running")  # as the killed worker left it

    if resumed_by == "console":
        assert client_as(officer).post(f"/console/fulfilment/runs/{run.pk}/resume/").status_code == 302
    else:
        fulfil_request.call(request.pk)  # what the requeued job runs once the dead worker's lease lapses

    stored = RequestFile.objects.get(request=request, kind=RequestFile.Kind.RESULT)
    assert stored.size > 0 and not bytes(stored.encrypted).startswith(b"PK")
    assert not list(packages.rglob("*.zip"))  # the clear copy is gone either way
    for task in ManualTask.objects.filter(run=run):
        client_as(officer).post(
            f"/console/fulfilment/tasks/{task.pk}/complete/",
            {"note": "done by hand", "evidence": SimpleUploadedFile("scan.pdf", b"%PDF-1.4 scan")},
        )
    request.refresh_from_db()
    assert request.status == RequestStatus.COMPLETED and request.outcome_status == "completed"
    assert RequestFile.objects.filter(request=request, kind=RequestFile.Kind.RESULT).count() == 1


@pytest.mark.parametrize("ended_by", ["a later step refused", "the job given up"])
def test_an_access_run_that_fails_after_its_export_leaves_no_clear_package(
    onemall: str, packages: Path, ended_by: str
) -> None:
    from mamori.fulfilment.models import FulfilmentStep
    from mamori.rights.services.abandoned import fulfilment_abandoned

    request = access_request_in_progress()
    run = prepare_run(fulfilment_task(request), ENGINE)
    if ended_by == "a later step refused":
        # A step this version cannot carry out (planned by a newer mamori) after the export: the
        # engine refuses it with a DomainError once the package is already written.
        last = run.steps.order_by("-position").first()
        assert last is not None
        FulfilmentStep.objects.create(run=run, position=last.position + 1, system="shop-db", action="shred")
        outcome = execute_run(run.pk, ENGINE)
        assert outcome.status == "failed" and outcome.recorded
        assert run.steps.get(action="export").status == "done"  # the package had been written
    else:
        execute_run(run.pk, ENGINE, max_steps=1)  # the worker stops after the export committed
        assert len(list(packages.rglob("*.zip"))) == 1
        fulfilment_abandoned(request.pk, attempts=3, error="ValueError")  # then its job is given up

    run.refresh_from_db()
    request.refresh_from_db()
    assert run.status == "failed"
    assert request.status == RequestStatus.IN_PROGRESS and request.outcome_status == "failed"
    assert not RequestFile.objects.filter(request=request, kind=RequestFile.Kind.RESULT).exists()
    assert not list(packages.rglob("*.zip"))  # personal data is not left in clear on disk
