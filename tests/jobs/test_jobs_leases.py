"""Leases decide when a RUNNING job's worker is gone: only then is the job queued again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from mamori.core import leases
from mamori.core.models import JobLease


def _running(started_ago: timedelta = timedelta(0)) -> DBTaskResult:
    now = timezone.now()
    return DBTaskResult.objects.create(
        task_path="mamori.rights.services.records.sweep",
        args_kwargs={"args": [], "kwargs": {}},
        backend_name="default",
        run_after=now,
        status="RUNNING",
        started_at=now - started_ago,
        worker_ids=["dead"],
    )


@pytest.mark.django_db
def test_a_live_lease_keeps_the_job_and_a_lapsed_one_requeues_it() -> None:
    job = _running()
    leases.take(job.id, job.task_path, "w1")
    assert leases.reclaim_expired() == {"requeued": 0, "failed": 0}
    assert leases.renew(job.id, "w1")
    later = timezone.now() + leases.lease_period() + timedelta(seconds=1)
    assert leases.reclaim_expired(later) == {"requeued": 1, "failed": 0}
    job.refresh_from_db()
    assert job.status == "READY"
    assert not leases.renew(job.id, "w1")  # the old worker learns it lost the job
    assert leases.reclaim_expired(later) == {"requeued": 0, "failed": 0}  # done once, not twice


@pytest.mark.django_db
def test_a_job_claimed_by_a_worker_that_died_before_its_lease_is_requeued() -> None:
    job = _running(started_ago=leases.lease_period() * 2)
    assert leases.reclaim_expired()["requeued"] == 1
    fresh = _running()
    assert leases.reclaim_expired()["requeued"] == 0
    fresh.refresh_from_db()
    assert fresh.status == "RUNNING"
    job.refresh_from_db()
    assert job.status == "READY"


@pytest.mark.django_db
def test_out_of_attempts_the_job_fails(settings) -> None:
    settings.MAMORI_JOB_MAX_ATTEMPTS = 2
    job = _running()
    leases.take(job.id, job.task_path, "w1")
    leases.take(job.id, job.task_path, "w2")
    later = timezone.now() + leases.lease_period() + timedelta(seconds=1)
    assert leases.reclaim_expired(later) == {"requeued": 0, "failed": 1}
    job.refresh_from_db()
    assert job.status == "FAILED" and "stopped 2 times" in job.traceback
    assert not JobLease.objects.exists()
