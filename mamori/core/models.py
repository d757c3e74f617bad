from __future__ import annotations

from django.db import models


class ScheduledJob(models.Model):
    """When a periodic job was last queued: several schedulers may run, the row lock keeps it once."""

    name = models.CharField(max_length=100, unique=True)
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class JobLease(models.Model):
    """A running job's lease (django-tasks-db keeps no heartbeat of its own; see core/leases.py).

    The worker running the job renews `expires_at`; once it has passed, the worker is taken for
    dead and any worker puts the job back in the queue, until `attempts` reaches the limit.
    """

    task_id = models.UUIDField(unique=True)  # django_tasks_db.DBTaskResult.id
    task_path = models.CharField(max_length=200)
    worker_id = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.task_path} ({self.worker_id or 'nobody'})"
