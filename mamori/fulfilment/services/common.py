"""Helpers shared by the fulfilment services: the error type, the engine, a run's status."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from mamori.audit.services import Actor
from mamori.catalog.in_force import map_in_force
from mamori.core.errors import DomainError
from mamori.core.leases import fence
from mamori.fulfilment.engine import FulfilmentEngine
from mamori.fulfilment.engine_cache import ENGINES, MapScope
from mamori.fulfilment.models import FulfilmentRun, FulfilmentStep, RunStatus, StepStatus
from mamori.rights.handover import FulfilmentOutcome, hand_back

if TYPE_CHECKING:
    from mamori.catalog.mapfile import PrivacyMap

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


def end_run(
    run: FulfilmentRun, outcome: FulfilmentOutcome, *, steps: Sequence[FulfilmentStep] | None = None
) -> FulfilmentOutcome:
    """The one way a run ends, whatever surface ran it: a request's run hands its outcome back to the
    request (package stored encrypted, clear copy deleted, request completed or updated). A run of no
    request (the engine tried outside a request) returns its package to the caller.

    A run that has ended (any status but running: completed, needs review, failed) keeps no clear
    package on disk: one exported by an earlier step and not handed over (a later step failed, the
    request was gone) is deleted. A run still running (stopped early) keeps it for its resumption.
    ``steps``: the run's steps as the caller holds them (read again when not given)."""
    if run.request_id is not None:
        outcome.recorded = hand_back(run.request_id, outcome)
    if run.status != RunStatus.RUNNING:
        # A package not recorded on a request goes back to the caller, who deletes it once used.
        discard_clear_packages(run, keep=None if outcome.recorded else outcome.package_path, steps=steps)
    return outcome


def discard_clear_packages(
    run: FulfilmentRun,
    *,
    keep: Path | None = None,
    also: Iterable[Path] = (),
    steps: Sequence[FulfilmentStep] | None = None,
) -> None:
    """Delete the clear packages this run's export steps wrote (and ``also``), except ``keep``: personal
    data is never left in clear on disk once a run has ended, however it ended (`end_run`, and a run
    given up in `abandon.abandon_run`). ``steps``: the run's steps as the caller holds them (the
    execution that wrote them), else they are read."""
    paths = set(also)
    if steps is None:
        exports = list(run.steps.filter(action="export", sealed_state__isnull=False))
    else:
        exports = [step for step in steps if step.action == "export" and step.sealed_state is not None]
    for step in exports:
        state = step.state
        if isinstance(state, dict) and state.get("package"):
            paths.add(Path(state["package"]))
    for path in paths:
        if path != keep:
            path.unlink(missing_ok=True)


def set_run_status(run: FulfilmentRun, status: str, message: str = "") -> None:
    with transaction.atomic():
        fence()
        save_run_status(run, status, message, run_summary(run))


def save_run_status(
    run: FulfilmentRun, status: str, message: str, summary: dict[str, Any], *, also: Sequence[str] = ()
) -> None:
    """Write a run's status (inside the caller's fenced transaction); ``also``: more fields to save."""
    run.status = status
    run.message = message
    run.summary = summary
    if status in (RunStatus.COMPLETED, RunStatus.FAILED):
        run.finished_at = timezone.now()
    run.save(update_fields=["status", "message", "summary", "finished_at", "updated_at", *also])


def run_summary(run: FulfilmentRun, steps: Iterable[FulfilmentStep] | None = None) -> dict[str, Any]:
    """Counts per step, no personal data; ``steps`` as the caller holds them (else read, in order)."""
    held = run.steps.order_by("position") if steps is None else steps
    rows = [{"system": step.system, "action": step.action, "status": step.status, **step.result} for step in held]
    return {"run": run.pk, "right": run.right, "steps": rows}


def counts_plan(
    privacy_map: PrivacyMap, counts: Mapping[str, Mapping[str, int]], unavailable: Mapping[str, str], subjects: int
) -> dict[str, Any]:
    """The public plan of a run that only reads: rows per system and table (located, or as the export
    wrote them), and the systems that could not be reached, with why."""
    systems: list[dict[str, Any]] = [
        {
            "system": system_id,
            "kind": privacy_map.system(system_id).connector,
            "tables": [{"table": table, "rows": rows} for table, rows in per_table.items()],
        }
        for system_id, per_table in counts.items()
    ]
    systems += [
        {"system": system_id, "kind": privacy_map.system(system_id).connector, "tables": [], "error": message}
        for system_id, message in unavailable.items()
    ]
    return {"subjects": subjects, "systems": systems}


def final_status(run: FulfilmentRun, statuses: Iterable[str] | None = None) -> tuple[str, str]:
    """What a run's steps add up to: completed, still running, or needing a person to look.
    ``statuses``: the steps' statuses as just read by the caller (else read here)."""
    statuses = set(run.steps.values_list("status", flat=True) if statuses is None else statuses)
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
