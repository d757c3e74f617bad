"""Jobs on Celery workers, for when one machine's database worker is not enough.

With `MAMORI_BROKER_URL` set (Redis or RabbitMQ) every job goes to Celery. The job functions stay
what they are, django-tasks tasks (ids in, idempotent, queued after commit); only the transport
changes: `CeleryBackend.enqueue` sends one message naming the task's module path and arguments, and
each worker runs the single Celery task `mamori.run_job`, which imports that task and calls it.

django-tasks has no maintained Celery backend (django-tasks-celery is a 0.1 experiment), so this is
the small bridge between the two, on Celery's own public API.

Delivery is "at least once": a message is acknowledged only after its job returns
(`task_acks_late`), and a worker that dies mid-job hands it back (`task_reject_on_worker_lost`):
RabbitMQ redelivers at once, Redis after `MAMORI_BROKER_VISIBILITY_TIMEOUT` seconds. Jobs are
idempotent (a fulfilment run continues from its first step not done), so a second delivery is
harmless.

A job that raises is retried as on the database worker, through the same rules (core/leases.py):
published again after `leases.retry_pause` (Celery's retry with a countdown) while
`MAMORI_JOB_MAX_ATTEMPTS` is not reached, a DomainError (a refusal that will not change) at once
given up; a job given up runs its give-up handler (`leases.give_up`: the run fails, the request
shows it, the officer is told). Only the exception's class is logged, never its text.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any, TypeVar

from celery import Celery
from celery import Task as CeleryTask
from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.backends.base import BaseTaskBackend
from django_tasks.base import Task, TaskResult, TaskResultStatus
from django_tasks.signals import task_enqueued
from django_tasks.utils import get_random_id
from typing_extensions import ParamSpec

from mamori.core import leases

logger = logging.getLogger("mamori.jobs")

JOB_TASK = "mamori.run_job"
BROKER_SCHEMES = ("redis", "rediss", "amqp", "amqps", "pyamqp")
# A web request that queues a job while the broker restarts waits for it (about 30 s at most)
# rather than losing the job; past that the error reaches the caller and the log.
PUBLISH_RETRY = {"max_retries": 12, "interval_start": 0.2, "interval_step": 0.5, "interval_max": 3.0}

T = TypeVar("T")
P = ParamSpec("P")


def run_job(delivery: CeleryTask, path: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """The one Celery task: call the django-tasks task at `path` (a worker-side function); when it
    raises, retry it later or give it up (see the module's docstring)."""
    close_old_connections()  # a long-lived worker must not reuse a connection the server closed
    try:
        job: Task[Any, Any] = import_string(path)
        return job.call(*args, **kwargs)
    except Exception as error:
        attempt = delivery.request.retries + 1
        job_id = delivery.request.id
        if leases.retry_left(attempt, error):
            logger.warning("job %s (%s) raised %s; queued again", job_id, path, type(error).__name__)
            # No `exc`: Celery would log the exception's text, which may hold personal data.
            raise delivery.retry(countdown=leases.retry_pause(attempt).total_seconds(), max_retries=None) from None
        logger.error("job %s (%s) failed after %s attempts: %s", job_id, path, attempt, type(error).__name__)
        close_old_connections()
        leases.give_up(path, args, kwargs, attempt, type(error).__name__)
        return None
    finally:
        close_old_connections()


@cache
def celery_app() -> Celery:
    app = Celery("mamori")
    app.conf.update(
        broker_url=settings.MAMORI_BROKER_URL,
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": settings.MAMORI_BROKER_VISIBILITY_TIMEOUT},
        task_default_queue=settings.MAMORI_BROKER_QUEUE,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,  # a worker holds only the job it runs; the rest stay for others
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        worker_hijack_root_logger=False,
        enable_utc=True,
    )
    app.task(name=JOB_TASK, bind=True)(run_job)
    return app


class CeleryBackend(BaseTaskBackend):
    """A django-tasks backend that hands each job to Celery."""

    supports_defer = True

    def enqueue(
        self,
        task: Task[P, T],
        args: P.args,  # type: ignore[valid-type]
        kwargs: P.kwargs,  # type: ignore[valid-type]
    ) -> TaskResult[T]:
        self.validate_task(task)
        result: TaskResult[T] = TaskResult(
            task=task,
            id=get_random_id(),
            status=TaskResultStatus.READY,
            enqueued_at=timezone.now(),
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=list(args),
            kwargs=dict(kwargs),
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        try:
            celery_app().send_task(
                JOB_TASK,
                args=[task.module_path, result.args, result.kwargs],
                task_id=result.id,
                eta=task.run_after,
                retry=True,
                retry_policy=PUBLISH_RETRY,
            )
        except Exception:
            # Ids only: job arguments are ids, never personal data.
            logger.exception("could not queue job %s (%s) on the broker", task.module_path, result.id)
            raise
        task_enqueued.send(type(self), task_result=result)
        return result
