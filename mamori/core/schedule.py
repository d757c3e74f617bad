"""Periodic jobs: the housekeeping that must happen even when nobody clicks anything.

`mamori scheduler` (and the demo, in a thread) calls `enqueue_due()` every minute; it queues each
job whose interval has passed. The jobs themselves are idempotent, and the row lock on
ScheduledJob means two schedulers never queue the same run twice.
"""

from __future__ import annotations

import importlib
import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone

from mamori.core.models import ScheduledJob

logger = logging.getLogger("mamori.schedule")


@dataclass(frozen=True)
class Periodic:
    name: str
    task_path: str  # "module:attribute" of a django-tasks task taking no arguments
    every: timedelta


PERIODIC: tuple[Periodic, ...] = (
    # Close unverifiable requests (CP6), remind assignees, expire results, purge old records (CP7).
    Periodic("rights.sweep", "mamori.rights.services.records:sweep", timedelta(hours=1)),
    # Dispose of data whose retention has ended (map rules and mamori's own data), daily.
    Periodic("retention.sweep", "mamori.retention.services:sweep", timedelta(days=1)),
    # Unsubscribed addresses disposed of as the map's retention rule says (issue 9).
    Periodic(
        "consent.dispose_addresses",
        "mamori.consent.services.subscriptions:dispose_withdrawn_addresses_job",
        timedelta(hours=1),
    ),
    # Sign the audit chain head into the checkpoint file outside the database (docs/security.md).
    Periodic(
        "audit.checkpoint",
        "mamori.audit.checkpoints:checkpoint_job",
        timedelta(minutes=settings.MAMORI_AUDIT_CHECKPOINT_MINUTES),
    ),
    # Dispose of provision and receipt records whose keeping period has ended (APPI Rules Art. 21).
    Periodic("disclosures.sweep", "mamori.disclosures.services:sweep", timedelta(hours=6)),
    # Scheduled cookie scans: each site's own interval decides; this only looks for due ones.
    Periodic("scanner.due", "mamori.scanner.services:scan_due_sites", timedelta(hours=1)),
    # Breach deadlines: remind owners and officers the day before, and once when missed.
    Periodic("incidents.remind", "mamori.incidents.people:remind", timedelta(hours=1)),
    # The consent ledger's coming month partitions (PostgreSQL) and its expired months.
    Periodic("consent.ledger", "mamori.consent.services.ledger_storage:maintain_ledger", timedelta(days=1)),
)


def _task(path: str) -> Any:
    module, attribute = path.split(":")
    return getattr(importlib.import_module(module), attribute)


def enqueue_due(now: datetime | None = None) -> list[str]:
    """Queue every periodic job that is due; returns the names queued."""
    now = now or timezone.now()
    queued = []
    for job in PERIODIC:
        with transaction.atomic():
            state, _ = ScheduledJob.objects.get_or_create(name=job.name)
            state = ScheduledJob.objects.select_for_update().get(pk=state.pk)
            if state.last_enqueued_at is not None and now - state.last_enqueued_at < job.every:
                continue
            state.last_enqueued_at = now
            state.save(update_fields=["last_enqueued_at"])
            task = _task(job.task_path)
            transaction.on_commit(task.enqueue)
            queued.append(job.name)
    return queued


def run_forever(stop: threading.Event, interval: float = 60.0) -> None:
    while not stop.is_set():
        try:
            names = enqueue_due()
            if names:
                logger.info("queued periodic jobs: %s", ", ".join(names))
        except Exception:  # a database hiccup must not kill the scheduler; it tries again next minute
            logger.exception("scheduler tick failed")
        finally:
            close_old_connections()
        stop.wait(interval)


def start_in_thread() -> threading.Event:
    stop = threading.Event()
    threading.Thread(target=run_forever, args=(stop,), name="mamori-scheduler", daemon=True).start()
    return stop
