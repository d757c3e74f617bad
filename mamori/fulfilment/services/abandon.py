"""When a fulfilment job is given up (its worker kept dying or it kept raising, core/leases.py): the run fails
visibly, with the reason, in one transaction with an audit entry."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from mamori.audit.services import Actor, record
from mamori.fulfilment.models import FulfilmentRun, RunStatus
from mamori.fulfilment.services.common import discard_clear_packages

ABANDONED = "the job worker stopped {attempts} times before the run finished; check the worker and run it again"
RAISED = "the job failed {attempts} times ({error}); check the worker's log and run it again"


def give_up_message(attempts: int, error: str = "") -> str:
    """Why a job was given up: its workers died (no ``error``), or it kept raising ``error``."""
    return RAISED.format(attempts=attempts, error=error) if error else ABANDONED.format(attempts=attempts)


def abandon_run(run_id: int, *, attempts: int, error: str = "") -> FulfilmentRun | None:
    """Mark an unfinished run FAILED and delete any clear package it left; a run already finished is
    left as it is (idempotent)."""
    with transaction.atomic():
        run = FulfilmentRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.status in (RunStatus.COMPLETED, RunStatus.FAILED):
            return run
        run.status = RunStatus.FAILED
        run.message = give_up_message(attempts, error)
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "message", "finished_at", "updated_at"])
        discard_clear_packages(run)  # exported, never handed over: it must not stay on disk in clear
        record(
            Actor.system("jobs"),
            "fulfilment.run_abandoned",
            target_type="fulfilment_run",
            target_id=str(run.pk),
            details={"attempts": attempts, "request": run.request_id, "error": error},
        )
    return run
