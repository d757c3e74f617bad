"""Jobs that survive a killed worker: leases and heartbeats over django-tasks-db.

django-tasks-db claims a job by setting it RUNNING inside a locked transaction and never looks at
it again; a worker killed with SIGKILL leaves it RUNNING forever. Here:

- the worker running a job holds a lease (JobLease) and renews it from a heartbeat thread;
- every worker, before claiming work, looks for RUNNING jobs whose lease has lapsed (or that never
  got one within a lease period of being claimed) and puts them back in the queue with a
  compare-and-set UPDATE, so exactly one worker does it;
- a job that raises is queued again after a pause (unless it raised a DomainError: a refusal that
  will not change), and the lease's attempts count those runs too (`retry_left`, `retry_pause` and
  `give_up` are shared with the Celery transport, core/celery_jobs.py, so both behave alike);
- a job that has been started `MAMORI_JOB_MAX_ATTEMPTS` times without finishing is marked FAILED
  and its give-up handler runs (registered beside the job: `on_give_up`), which makes the failure
  visible where people look (the fulfilment run, the request, an e-mail to the officer).

Jobs are idempotent by design (fulfilment keeps step records), so running one again resumes it.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from mamori.core.errors import DomainError
from mamori.core.models import JobLease

logger = logging.getLogger("mamori.jobs")

GiveUp = Callable[..., None]
_GIVE_UP: dict[str, GiveUp] = {}


class WorkerLost(Exception):
    """Recorded as a job's failure when its workers kept dying before it finished."""


class LeaseLost(Exception):
    """This worker's lease on its job lapsed and the job went to another worker: it must stop
    without writing anything more (the other worker carries the job on)."""


# The lease the job running in this context was started under: (job id, worker id, attempt).
_HELD: ContextVar[tuple[Any, str, int] | None] = ContextVar("mamori_job_lease", default=None)


@contextmanager
def holding(task_id: Any, worker_id: str, attempt: int) -> Iterator[None]:
    """Run a job's code under its lease, so that `fence` can check it."""
    token = _HELD.set((task_id, worker_id, attempt))
    try:
        yield
    finally:
        _HELD.reset(token)


def fence() -> None:
    """Call first inside the transaction of a job's write: raises LeaseLost when the job's lease is no
    longer this worker's (it lapsed and another worker took the job), so a worker that lost its lease
    commits nothing. The UPDATE locks the lease row until the transaction ends, so a requeue cannot
    slip in between the check and the write. Outside a leased job (the console, inline jobs) a no-op."""
    held = _HELD.get()
    if held is None:
        return
    task_id, worker_id, attempt = held
    if not JobLease.objects.filter(task_id=task_id, worker_id=worker_id, attempts=attempt).update(
        heartbeat_at=timezone.now()
    ):
        raise LeaseLost(f"job {task_id}: the lease of worker {worker_id} (attempt {attempt}) was taken over")


def on_give_up(task: Any) -> Callable[[GiveUp], GiveUp]:
    """Register what happens when ``task`` is abandoned; the handler gets the job's arguments."""

    def register(handler: GiveUp) -> GiveUp:
        _GIVE_UP[task.module_path] = handler
        return handler

    return register


def lease_period() -> timedelta:
    return timedelta(seconds=settings.MAMORI_JOB_LEASE_SECONDS)


def take(task_id: Any, task_path: str, worker_id: str, now: datetime | None = None) -> JobLease:
    """The lease for a job this worker has just claimed: one more attempt, renewed from now."""
    now = now or timezone.now()
    with transaction.atomic():
        lease, _created = JobLease.objects.select_for_update().get_or_create(
            task_id=task_id, defaults={"task_path": task_path}
        )
        lease.worker_id = worker_id
        lease.attempts += 1
        lease.heartbeat_at = now
        lease.expires_at = now + lease_period()
        lease.save()
    return lease


def renew(task_id: Any, worker_id: str) -> bool:
    """Extend the lease; False when another worker has taken the job over (this one was too slow)."""
    now = timezone.now()
    return bool(
        JobLease.objects.filter(task_id=task_id, worker_id=worker_id).update(
            heartbeat_at=now, expires_at=now + lease_period()
        )
    )


def release(task_id: Any) -> None:
    JobLease.objects.filter(task_id=task_id).delete()


def reclaim_expired(now: datetime | None = None) -> dict[str, int]:
    """Requeue RUNNING jobs whose worker is gone; give up on those out of attempts."""
    now = now or timezone.now()
    counts = {"requeued": 0, "failed": 0}
    leases = {lease.task_id: lease for lease in JobLease.objects.all()}
    for job in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).only("id", "task_path", "started_at"):
        lease = leases.get(job.id)
        if lease is not None:
            lapsed = lease.expires_at is None or lease.expires_at < now
        else:  # claimed, but the worker died before it wrote a lease
            lapsed = job.started_at is None or job.started_at < now - lease_period()
        if not lapsed:
            continue
        attempts = lease.attempts if lease is not None else 1
        if attempts >= settings.MAMORI_JOB_MAX_ATTEMPTS:
            if _give_up(job, attempts, now):
                counts["failed"] += 1
        elif _requeue(job, lease, now):
            counts["requeued"] += 1
    return counts


def _requeue(job: DBTaskResult, lease: JobLease | None, now: datetime) -> bool:
    with transaction.atomic():
        if lease is not None:
            # Compare-and-set on the lease: a heartbeat that arrived meanwhile wins.
            taken = JobLease.objects.filter(pk=lease.pk, expires_at=lease.expires_at).update(
                worker_id="", expires_at=None
            )
            if not taken:
                return False
        moved = DBTaskResult.objects.filter(pk=job.pk, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.READY, started_at=None, run_after=now
        )
    if moved:
        logger.warning("job %s (%s) lost its worker; queued again", job.pk, job.task_path)
    return bool(moved)


def settle(job: DBTaskResult, worker_id: str, attempt: int, error: BaseException | None, value: Any = None) -> str:
    """Record how this worker's run of ``job`` ended, if it still holds the lease: "succeeded";
    "retry" (it raised, attempts are left and the error may pass: queued again after a pause);
    "failed" (out of attempts, or a refusal that will not change: the give-up handler runs, as for a
    worker that kept dying); "lost" (another worker took the job over: this one writes nothing)."""
    now = timezone.now()
    with transaction.atomic():
        # Compare-and-set on the lease this worker took: a requeue that happened meanwhile wins.
        if not JobLease.objects.filter(task_id=job.pk, worker_id=worker_id, attempts=attempt).update(
            worker_id="", expires_at=None
        ):
            logger.warning("job %s (%s) was taken over by another worker; its result is dropped", job.pk, job.task_path)
            return "lost"
        if error is None:
            try:
                job.set_successful(value)
            except Exception as exc:  # e.g. a return value JSON cannot hold
                error = exc
            else:
                JobLease.objects.filter(task_id=job.pk).delete()
                return "succeeded"
        if retry_left(attempt, error):
            DBTaskResult.objects.filter(pk=job.pk).update(
                status=TaskResultStatus.READY, started_at=None, run_after=now + retry_pause(attempt)
            )
            logger.warning("job %s (%s) raised %s; queued again", job.pk, job.task_path, type(error).__name__)
            return "retry"
        job.set_failed(error)
        JobLease.objects.filter(task_id=job.pk).delete()
    logger.error("job %s (%s) failed after %s attempts: %s", job.pk, job.task_path, attempt, type(error).__name__)
    _call_give_up(job, attempt, type(error).__name__)
    return "failed"


def retry_left(attempt: int, error: BaseException) -> bool:
    """Whether a job whose run number ``attempt`` raised ``error`` runs again (on either transport):
    attempts are left and the error may pass (a DomainError is a refusal that will not change)."""
    return attempt < settings.MAMORI_JOB_MAX_ATTEMPTS and not isinstance(error, DomainError)


def retry_pause(attempt: int) -> timedelta:
    """How long a job that raised waits before its next run: longer after each failure."""
    return lease_period() * attempt


def give_up(task_path: str, args: list[Any], kwargs: dict[str, Any], attempts: int, error: str) -> None:
    """Run the give-up handler of the job at ``task_path`` with its arguments (both transports: the
    database worker through `settle`/`reclaim_expired`, Celery through `celery_jobs.run_job`).
    ``error`` names the exception class ("" when the workers died), never its text, which may hold
    personal data."""
    handler = _handler(task_path)
    if handler is not None:
        handler(*args, attempts=attempts, error=error, **kwargs)


def _give_up(job: DBTaskResult, attempts: int, now: datetime) -> bool:
    reason = f"the worker stopped {attempts} times before the job finished (lease lapsed)"
    with transaction.atomic():
        moved = DBTaskResult.objects.filter(pk=job.pk, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
            traceback=reason,
        )
        JobLease.objects.filter(task_id=job.pk).delete()
    if not moved:
        return False
    logger.error("job %s (%s) failed: %s", job.pk, job.task_path, reason)
    _call_give_up(job, attempts, "")
    return True


def _call_give_up(job: DBTaskResult, attempts: int, error: str) -> None:
    """The database job's give-up handler, with the arguments stored on the job."""
    arguments = DBTaskResult.objects.get(pk=job.pk).args_kwargs or {}
    give_up(job.task_path, arguments.get("args", []), arguments.get("kwargs", {}), attempts, error)


def _handler(task_path: str) -> GiveUp | None:
    module, _, _name = task_path.rpartition(".")
    try:
        importlib.import_module(module)  # registers the job's handler
    except ImportError:
        return None
    return _GIVE_UP.get(task_path)


class Heartbeat(threading.Thread):
    """Renews one job's lease every third of the lease period until stopped."""

    def __init__(self, task_id: Any, worker_id: str) -> None:
        super().__init__(name=f"mamori-heartbeat-{task_id}", daemon=True)
        self.task_id = task_id
        self.worker_id = worker_id
        self.stopped = threading.Event()

    def run(self) -> None:
        interval = max(0.2, settings.MAMORI_JOB_LEASE_SECONDS / 3)
        try:
            while not self.stopped.wait(interval):
                try:
                    if not renew(self.task_id, self.worker_id):
                        logger.warning("job %s was taken over by another worker", self.task_id)
                        return
                except Exception:  # a database hiccup: try again next beat; the lease has slack
                    logger.exception("heartbeat of job %s failed", self.task_id)
                    close_old_connections()
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=10)
