"""The embedded job worker: django-tasks-db's worker with leases (core/leases.py).

Before each claim the worker puts back jobs whose worker died; while running a job it keeps the
job's lease alive from a heartbeat thread.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.db import close_old_connections
from django.db.utils import OperationalError
from django_tasks_db.compat import TaskContext, task_finished, task_started
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from mamori.core import leases

logger = logging.getLogger("mamori.jobs")


class LeasedWorker(Worker):
    def run(self) -> None:
        logger.info("worker %s started (queues: %s)", self.worker_id, ",".join(self.queue_names))
        while self.running:
            close_old_connections()
            try:
                leases.reclaim_expired()
            except OperationalError as exc:
                if not is_locked_database_exception(exc):
                    raise
            job = self._claim()
            if job is not None:
                self.run_task(job)
            elif self.batch:
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                return
            close_old_connections()
            if self.running and job is None:
                time.sleep(self.interval)

    def _claim(self) -> DBTaskResult | None:
        jobs = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            jobs = jobs.filter(queue_name__in=self.queue_names)
        try:
            with exclusive_transaction(jobs.db):
                job = jobs.get_locked()
                if job is not None:
                    job.claim(self.worker_id)
                return job
        except OperationalError as exc:
            if is_locked_database_exception(exc):
                return None
            raise

    def run_task(self, db_task_result: DBTaskResult) -> None:
        """Run the job under its lease; how it ended is recorded only while the lease is still ours
        (`leases.settle`: a job that raised is retried, then given up like one whose worker died)."""
        lease = leases.take(db_task_result.id, db_task_result.task_path, self.worker_id)
        heartbeat = leases.Heartbeat(db_task_result.id, self.worker_id)
        heartbeat.start()
        error: BaseException | None = None
        value: Any = None
        self.running_task = True
        try:
            task = db_task_result.task
            task_result = db_task_result.task_result
            task_started.send(sender=type(task.get_backend()), task_result=task_result)
            with leases.holding(db_task_result.id, self.worker_id, lease.attempts):
                if task.takes_context:
                    value = task.call(TaskContext(task_result=task_result), *task_result.args, **task_result.kwargs)
                else:
                    value = task.call(*task_result.args, **task_result.kwargs)
        except Exception as exc:  # recorded on the job (and retried); a KeyboardInterrupt stops the worker
            error = exc
        finally:
            heartbeat.stop()
            self.running_task = False
            self._run_tasks += 1
        close_old_connections()
        ended = leases.settle(db_task_result, self.worker_id, lease.attempts, error, value)
        if ended in ("succeeded", "failed"):
            task_finished.send(sender=type(db_task_result.task.get_backend()), task_result=db_task_result.task_result)
