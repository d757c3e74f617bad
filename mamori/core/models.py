from __future__ import annotations

from django.db import models


class ScheduledJob(models.Model):
    """When a periodic job was last queued: several schedulers may run, the row lock keeps it once."""

    name = models.CharField(max_length=100, unique=True)
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name
