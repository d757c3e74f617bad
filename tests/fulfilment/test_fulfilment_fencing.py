"""Fencing: a worker whose job lease lapsed and was taken by another worker commits nothing more (no
step result, no end of the run, no package, no completed request); the worker holding the lease
now carries the job through, and only its result is recorded on the job."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.db.models.signals import pre_save
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from mamori.core import leases
from mamori.core.models import JobLease
from mamori.fulfilment.handler import ENGINE
from mamori.fulfilment.models import FulfilmentRun, FulfilmentStep
from mamori.fulfilment.services.planning import prepare_run
from mamori.rights.models import RequestFile, RequestStatus, RightsRequest
from mamori.rights.services.workflow import fulfil_request, fulfilment_task

from .test_fulfilment_run_ending import access_request_in_progress, packages

__all__ = ["packages"]  # fixtures

pytestmark = pytest.mark.django_db(transaction=True)


def _run_taken_by_worker_a() -> tuple[RightsRequest, FulfilmentRun, DBTaskResult, JobLease]:
    """An access request in progress, its run prepared, and its job running under worker A's lease."""
    request = access_request_in_progress()
    run = prepare_run(fulfilment_task(request), ENGINE)
    job = DBTaskResult.objects.create(
        task_path=fulfil_request.module_path,
        args_kwargs={"args": [request.pk], "kwargs": {}},
        backend_name="default",
        run_after=timezone.now(),
        status="RUNNING",
        started_at=timezone.now(),
        worker_ids=["A"],
    )
    first = leases.take(job.id, job.task_path, "A")
    return request, run, job, first


def test_a_worker_that_lost_its_lease_cannot_finish_the_run(onemall: str, packages: Path) -> None:
    request, run, job, first = _run_taken_by_worker_a()
    # Worker A stalls past its lease (a long GC pause, a frozen VM); B requeues the job and takes it.
    later = timezone.now() + leases.lease_period() + timedelta(seconds=1)
    assert leases.reclaim_expired(later)["requeued"] == 1
    DBTaskResult.objects.filter(pk=job.pk).update(status="RUNNING", worker_ids=["A", "B"])
    second = leases.take(job.id, job.task_path, "B")

    # A wakes up and carries on: its first write is refused, and nothing it did is kept.
    with leases.holding(job.id, "A", first.attempts), pytest.raises(leases.LeaseLost):
        fulfil_request.call(request.pk)
    run.refresh_from_db()
    request.refresh_from_db()
    assert run.status == "planned" and set(run.steps.values_list("status", flat=True)) == {"pending"}
    assert request.status == RequestStatus.IN_PROGRESS and request.outcome_status == ""
    assert not RequestFile.objects.filter(request=request).exists()
    assert not list(packages.rglob("*.zip"))
    job.refresh_from_db()
    assert leases.settle(job, "A", first.attempts, leases.LeaseLost()) == "lost"
    job.refresh_from_db()
    assert job.status == "RUNNING"  # B's job: A's failure is not written over it

    # B, holding the lease, finishes: the package is stored and the run ends once.
    with leases.holding(job.id, "B", second.attempts):
        fulfil_request.call(request.pk)
    assert leases.settle(job, "B", second.attempts, None) == "succeeded"
    job.refresh_from_db()
    assert job.status == "SUCCESSFUL"
    run = FulfilmentRun.objects.get(pk=run.pk)
    assert run.status == "needs_review" and run.steps.get(action="export").status == "done"
    assert RequestFile.objects.filter(request=request, kind=RequestFile.Kind.RESULT).count() == 1
    assert not list(packages.rglob("*.zip"))


def test_a_lease_lost_after_export_leaves_no_clear_package_and_the_new_worker_exports_again(
    onemall: str, packages: Path
) -> None:
    request, run, job, first = _run_taken_by_worker_a()
    taken: list[JobLease] = []

    def take_over_once_exported(sender: object, instance: FulfilmentStep, **kwargs: object) -> None:
        # B takes the job just as A records its export: A's next write (the next step) is refused.
        if instance.action == "export" and instance.status == "done" and not taken:
            taken.append(leases.take(job.id, job.task_path, "B"))

    pre_save.connect(take_over_once_exported, sender=FulfilmentStep)
    try:
        with leases.holding(job.id, "A", first.attempts), pytest.raises(leases.LeaseLost):
            fulfil_request.call(request.pk)
    finally:
        pre_save.disconnect(take_over_once_exported, sender=FulfilmentStep)
    assert taken and run.steps.get(action="export").status == "done"
    assert not list(packages.rglob("*.zip"))  # A's clear copy did not outlive A's lease
    assert not RequestFile.objects.filter(request=request).exists()

    with leases.holding(job.id, "B", taken[0].attempts):
        fulfil_request.call(request.pk)  # the package is gone, so B exports again and hands it over
    assert RequestFile.objects.filter(request=request, kind=RequestFile.Kind.RESULT).count() == 1
    assert not list(packages.rglob("*.zip"))
