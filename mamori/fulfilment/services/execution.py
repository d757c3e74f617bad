"""Carrying a run out, step by step (resumable), and the one way a run ends.

Steps are persisted, so a worker killed half-way and started again continues with the first step
not done. An erasure step that was cut off after its datastore committed but before the step was
recorded is noticed by verifying first: when nothing is left to erase, the step is recorded as
done without running again.

However a run was started or resumed (the rights workflow's job, the console's "resume", a worker
picking it up again, the last manual task done), it ends in `common.end_run`: the outcome goes back
to the request through `rights.handover.hand_back`, which stores an access package encrypted,
deletes the clear copy and completes or updates the request.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from mamori.audit.services import Actor, record
from mamori.core.crypto import encrypt_json
from mamori.core.errors import DomainError
from mamori.core.leases import fence, on_give_up
from mamori.fulfilment.engine import FulfilmentEngine
from mamori.fulfilment.models import FulfilmentRun, FulfilmentStep, RunStatus, StepStatus
from mamori.fulfilment.services.abandon import abandon_run
from mamori.fulfilment.services.common import (
    ENGINE,
    FulfilmentError,
    end_run,
    engine_for,
    final_status,
    run_summary,
    set_run_status,
)
from mamori.fulfilment.services.earlier_erasures import remember_erased
from mamori.fulfilment.services.manual_tasks import open_manual_task
from mamori.fulfilment.services.restrictions import add_restrictions
from mamori.rights.handover import FulfilmentOutcome

RESUMABLE = (RunStatus.RUNNING, RunStatus.FAILED, RunStatus.PLANNED)


def execute_run(run_id: int, actor: Actor, *, max_steps: int | None = None) -> FulfilmentOutcome:
    """Carry out the steps not done yet, in order. `max_steps` stops early (as a killed worker would)."""
    run = FulfilmentRun.objects.get(pk=run_id)
    _, engine = engine_for(run.organisation)
    package_path: Path | None = None
    done_now = 0
    try:
        set_run_status(run, RunStatus.RUNNING)
        for step in run.steps.order_by("position"):
            if step.action == "export" and step.status == StepStatus.DONE:
                package_path = _package_in_hand(step)
                if package_path is not None:
                    continue
                # Exported by an execution that stopped before handing the package over (a killed
                # worker, another machine's temporary folder): export again, it only reads.
            elif step.status in (StepStatus.DONE, StepStatus.WAITING):
                continue
            if max_steps is not None and done_now >= max_steps:
                return end_run(
                    run, FulfilmentOutcome(status="needs_review", summary=run_summary(run), message="interrupted")
                )
            _start_step(step)
            try:
                result, status, package = _run_step(engine, run, step)
            except DomainError as exc:
                _finish_step(step, StepStatus.FAILED, {}, actor, error=exc.message)
                set_run_status(run, RunStatus.FAILED, message=exc.message)
                return end_run(run, FulfilmentOutcome(status="failed", summary=run_summary(run), message=exc.message))
            package_path = package or package_path
            _finish_step(step, status, result, actor, package=package)
            done_now += 1
        return _conclude(run, actor, package_path)
    except BaseException:
        # Stopped before the hand-over (the lease lost, a raise to be retried): no clear copy stays
        # on disk; the next execution exports again.
        if package_path is not None:
            package_path.unlink(missing_ok=True)
        raise
    finally:
        engine.close()


@task()
def resume_run(run_id: int) -> str:
    """Job behind the console's "resume": the remaining steps, then the one way a run ends. A package
    that no request took is deleted: nobody could fetch it, and it must not stay on disk in clear."""
    outcome = execute_run(run_id, ENGINE)
    if outcome.package_path is not None and outcome.package_path.exists():
        outcome.package_path.unlink()
    return outcome.status


@on_give_up(resume_run)
def _resume_run_given_up(run_id: int, *, attempts: int, error: str = "") -> None:
    """The job's workers kept dying, or it kept raising (core/leases.py): the run fails visibly."""
    abandon_run(run_id, attempts=attempts, error=error)


def queue_resume(run: FulfilmentRun) -> bool:
    """Queue the remaining steps of a run after commit; False when the run cannot be resumed."""
    if run.status not in RESUMABLE:
        return False
    run_id = run.pk
    transaction.on_commit(lambda: resume_run.enqueue(run_id))
    return True


def _run_step(
    engine: FulfilmentEngine, run: FulfilmentRun, step: FulfilmentStep
) -> tuple[dict[str, Any], str, Path | None]:
    subjects = run.subject_identities
    key = f"mamori-run-{run.pk}-step-{step.position}"
    if step.action == "export":
        folder = Path(tempfile.mkdtemp(prefix="mamori-package-"))
        path = folder / f"personal-data-{run.organisation}-{run.pk}.zip"
        written = engine.export(
            subjects[0],
            path,
            run.language,
            key_prefix=key,
            leave_out_classes=run.details.get("leave_out_classes", ()),
            time_zone=run.details.get("time_zone"),
        )
        return {"tables": written, "unavailable": sorted(engine.unavailable)}, StepStatus.DONE, path
    if step.action == "manual":
        open_manual_task(run, step, engine.map)
        return {}, StepStatus.WAITING, None
    if step.action == "restrict_list":
        created = add_restrictions(run, subjects)
        return {"restrictions": created}, StepStatus.DONE, None
    connector = engine.connector(step.system)
    if step.action == "erase":
        plan = step.state
        # Cut off after the datastore committed? Then nothing is left and nothing runs twice.
        if step.attempts > 1 and not any(connector.verify(plan).values()):
            return {"tables": {}, "already_done": True}, StepStatus.DONE, None
        return {"tables": connector.erase(plan, idempotency_key=key)}, StepStatus.DONE, None
    if step.action == "verify":
        erase_step = run.steps.get(system=step.system, action="erase")
        residue = connector.verify(erase_step.state)
        return {"residue": residue}, StepStatus.DONE if not any(residue.values()) else StepStatus.FAILED, None
    located = connector.locate(subjects, counts=False)
    if step.action == "rectify":
        changed = connector.rectify(located, 0, run.details.get("fields", {}), idempotency_key=key)
        return {"tables": changed}, StepStatus.DONE, None
    if step.action == "restrict":
        changed = connector.restrict(located, 0, restricted=True, idempotency_key=key)
        return {"tables": changed}, StepStatus.DONE, None
    raise FulfilmentError(_("unknown step %(action)s"), code="unknown_step", action=step.action)


def _start_step(step: FulfilmentStep) -> None:
    with transaction.atomic():
        fence()
        step.status = StepStatus.RUNNING
        step.attempts += 1
        step.started_at = timezone.now()
        step.save(update_fields=["status", "attempts", "started_at"])


def _package_in_hand(step: FulfilmentStep) -> Path | None:
    """The clear package an earlier execution of this export step wrote and did not hand over yet
    (hand-over deletes it), or None."""
    state = step.state
    path = Path(state["package"]) if isinstance(state, dict) and state.get("package") else None
    return path if path is not None and path.is_file() else None


def _finish_step(
    step: FulfilmentStep,
    status: str,
    result: dict[str, Any],
    actor: Actor,
    error: str = "",
    package: Path | None = None,
) -> None:
    with transaction.atomic():
        fence()  # a worker that lost its job's lease records nothing
        step.status = status
        step.result = result
        step.error = error
        step.finished_at = timezone.now()
        fields = ["status", "result", "error", "finished_at"]
        if package is not None:  # where the clear package waits for its hand-over, should this worker stop
            step.sealed_state = encrypt_json({"package": str(package)})
            fields.append("sealed_state")
        step.save(update_fields=fields)
        if step.action == "erase" and status == StepStatus.DONE:
            remember_erased(step)  # a later request by a masked address still finds what was kept
        record(
            actor,
            "fulfilment.step_finished",
            target_type="fulfilment_run",
            target_id=str(step.run_id),
            details={"step": step.position, "system": step.system, "action": step.action, "status": status},
        )


def _conclude(run: FulfilmentRun, actor: Actor, package_path: Path | None) -> FulfilmentOutcome:
    status, message = final_status(run)
    set_run_status(run, status, message)
    with transaction.atomic():
        fence()
        record(
            actor,
            "fulfilment.run_finished",
            target_type="fulfilment_run",
            target_id=str(run.pk),
            details={"right": run.right, "status": status},
        )
    outcome = FulfilmentOutcome(status=str(status), summary=run.summary, package_path=package_path, message=message)
    return end_run(run, outcome)
