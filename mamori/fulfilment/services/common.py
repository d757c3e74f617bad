"""Helpers shared by the fulfilment services: the error type, the engine, a run's status."""

from __future__ import annotations

import os
from typing import Any

from django.db import transaction
from django.utils import timezone

from mamori.audit.services import Actor
from mamori.catalog.in_force import map_in_force
from mamori.core.errors import DomainError
from mamori.core.leases import fence
from mamori.fulfilment.engine import FulfilmentEngine
from mamori.fulfilment.engine_cache import ENGINES, MapScope
from mamori.fulfilment.models import FulfilmentRun, RunStatus, StepStatus
from mamori.rights.handover import FulfilmentOutcome, hand_back

RIGHTS = ("access", "portability", "erasure", "rectification", "restriction")
EXPORT_RIGHTS = ("access", "portability")
ENGINE = Actor.system("fulfilment")  # who the audit log names for what the engine did


class FulfilmentError(DomainError):
    code = "fulfilment_error"


def engine_for(organisation: str) -> tuple[int, FulfilmentEngine]:
    """The map version in force and an engine on it whose connectors (database engines, pools, the
    schema read) stay open for later runs of the same version: building them would otherwise be
    most of a small request's cost."""
    version, privacy_map = map_in_force(organisation, missing=FulfilmentError)
    scope = MapScope(organisation, version.number, version.content_hash)
    return version.number, ENGINES.engine(scope, privacy_map, os.environ)


def end_run(run: FulfilmentRun, outcome: FulfilmentOutcome) -> FulfilmentOutcome:
    """The one way a run ends, whatever surface ran it: a request's run hands its outcome back to the
    request (package stored encrypted, clear copy deleted, request completed or updated). A run of no
    request (the engine tried outside a request) returns its package to the caller."""
    if run.request_id is not None:
        outcome.recorded = hand_back(run.request_id, outcome)
    return outcome


def set_run_status(run: FulfilmentRun, status: str, message: str = "") -> None:
    with transaction.atomic():
        fence()
        run.status = status
        run.message = message
        run.summary = run_summary(run)
        if status in (RunStatus.COMPLETED, RunStatus.FAILED):
            run.finished_at = timezone.now()
        run.save(update_fields=["status", "message", "summary", "finished_at", "updated_at"])


def run_summary(run: FulfilmentRun) -> dict[str, Any]:
    steps = [
        {"system": step.system, "action": step.action, "status": step.status, **step.result}
        for step in run.steps.order_by("position")
    ]
    return {"run": run.pk, "right": run.right, "steps": steps}


def final_status(run: FulfilmentRun) -> tuple[str, str]:
    """What a run's steps add up to: completed, still running, or needing a person to look."""
    statuses = set(run.steps.values_list("status", flat=True))
    unreachable = [system["system"] for system in run.plan.get("systems", []) if system.get("error")]
    if StepStatus.FAILED in statuses:
        return RunStatus.NEEDS_REVIEW, "verification found data left behind"
    if StepStatus.WAITING in statuses:
        return RunStatus.NEEDS_REVIEW, "manual tasks are waiting for staff"
    if StepStatus.PENDING in statuses or StepStatus.RUNNING in statuses:
        return RunStatus.RUNNING, ""
    if unreachable:
        return RunStatus.NEEDS_REVIEW, "systems not reachable: " + ", ".join(unreachable)
    return RunStatus.COMPLETED, ""
