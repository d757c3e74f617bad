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

from mamori.audit.services import Actor, Entry, record_all
from mamori.core.crypto import encrypt_json
from mamori.core.errors import DomainError
from mamori.core.leases import fence, on_give_up
from mamori.fulfilment.engine import FulfilmentEngine
from mamori.fulfilment.models import FulfilmentRun, FulfilmentStep, RunStatus, StepStatus
from mamori.fulfilment.services.abandon import abandon_run
from mamori.fulfilment.services.common import (
    ENGINE,
    FulfilmentError,
    counts_plan,
    end_run,
    engine_for,
    final_status,
    run_summary,
    save_run_status,
    set_run_status,
)
from mamori.fulfilment.services.earlier_erasures import remember_erased
from mamori.fulfilment.services.manual_tasks import open_manual_task
from mamori.fulfilment.services.restrictions import add_restrictions
from mamori.rights.handover import FulfilmentOutcome

RESUMABLE = (RunStatus.RUNNING, RunStatus.FAILED, RunStatus.PLANNED)


def execute_run(run_id: int, actor: Actor, *, max_steps: int | None = None) -> FulfilmentOutcome:
    """Carry out the steps not done yet, in order. `max_steps` stops early (as a killed worker would).

    Records per run, each in one fenced transaction: the run running with its first step started
    (committed before that step's work, so a killed worker is seen and resumed); each step's end
    with its audit entry; the last one's end with the run's end and its audit entry too."""
    run = FulfilmentRun.objects.get(pk=run_id)
    _, engine = engine_for(run.organisation)
    steps = list(run.steps.order_by("position"))
    package_path: Path | None = None
    done_now = 0
    running = False  # whether this execution has recorded the run as running
    try:
        for index, step in enumerate(steps):
            if step.action == "export" and step.status == StepStatus.DONE:
                package_path = _package_in_hand(step)
                if package_path is not None:
                    continue
                # Exported by an execution that stopped before handing the package over (a killed
                # worker, another machine's temporary folder): export again, it only reads.
            elif step.status in (StepStatus.DONE, StepStatus.WAITING):
                continue
            if max_steps is not None and done_now >= max_steps:
                if not running:
                    set_run_status(run, RunStatus.RUNNING)
                outcome = FulfilmentOutcome(
                    status="needs_review", summary=run_summary(run, steps), message="interrupted"
                )
                return end_run(run, outcome, steps=steps)
            _start_step(run, steps, step, with_run=not running)
            running = True
            try:
                result, status, package = _run_step(engine, run, step, steps)
            except DomainError as exc:
                _finish_step(step, StepStatus.FAILED, {}, actor, error=exc.message)
                set_run_status(run, RunStatus.FAILED, message=exc.message)
                outcome = FulfilmentOutcome(status="failed", summary=run_summary(run, steps), message=exc.message)
                return end_run(run, outcome, steps=steps)
            package_path = package or package_path
            exported = step.action == "export" and status == StepStatus.DONE
            if exported:
                run.plan = _exported_plan(engine, run, result)
            if any(_to_run(later) for later in steps[index + 1 :]):
                _finish_step(step, status, result, actor, package=package, run=run if exported else None)
                done_now += 1
                continue
            # The last step to run: its end and the run's end are recorded in one transaction.
            with transaction.atomic():
                entries: list[Entry] = []
                _finish_step(step, status, result, actor, package=package, entries=entries)
                outcome = _record_end(
                    run, steps, actor, package_path, also=("plan",) if exported else (), after=entries
                )
            return end_run(run, outcome, steps=steps)
        with transaction.atomic():
            outcome = _record_end(run, steps, actor, package_path)
        return end_run(run, outcome, steps=steps)
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
    engine: FulfilmentEngine, run: FulfilmentRun, step: FulfilmentStep, steps: list[FulfilmentStep]
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
        (erase_step,) = [other for other in steps if other.system == step.system and other.action == "erase"]
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


def _start_step(run: FulfilmentRun, steps: list[FulfilmentStep], step: FulfilmentStep, *, with_run: bool) -> None:
    """The step started, committed before its work; ``with_run``: the run marked running with it."""
    with transaction.atomic():
        fence()
        step.status = StepStatus.RUNNING
        step.attempts += 1
        step.started_at = timezone.now()
        step.save(update_fields=["status", "attempts", "started_at"])
        if with_run:
            save_run_status(run, RunStatus.RUNNING, "", run_summary(run, steps))


def _to_run(step: FulfilmentStep) -> bool:
    """Whether `execute_run` would carry this step out (again)."""
    if step.action == "export" and step.status == StepStatus.DONE:
        return _package_in_hand(step) is None
    return step.status not in (StepStatus.DONE, StepStatus.WAITING)


def _exported_plan(engine: FulfilmentEngine, run: FulfilmentRun, result: dict[str, Any]) -> dict[str, Any]:
    """The run's plan with the rows per table the export wrote (its plan counted nothing), and the
    systems it could not reach: the console shows them, and `final_status` reads them."""
    return counts_plan(engine.map, result["tables"], engine.unavailable, run.subjects) | {
        key: value for key, value in run.plan.items() if key not in ("systems", "subjects")
    }


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
    run: FulfilmentRun | None = None,
    entries: list[Entry] | None = None,
) -> None:
    """The step's end and its audit entry; ``run``: saved with it, its plan changed by the step's work
    (an export's rows per table); ``entries``: where to leave the entry for the caller to record
    with the run's end, in the caller's transaction."""
    with transaction.atomic(savepoint=False):  # a failure fails the caller's transaction, if any
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
        if run is not None:  # its plan, with what the step found
            run.save(update_fields=["plan", "updated_at"])
        if step.action == "erase" and status == StepStatus.DONE:
            remember_erased(step)  # a later request by a masked address still finds what was kept
        details = {"step": step.position, "system": step.system, "action": step.action, "status": status}
        entry = Entry("fulfilment.step_finished", "fulfilment_run", str(step.run_id), details)
        if entries is None:
            record_all(actor, [entry])
        else:
            entries.append(entry)


def _record_end(
    run: FulfilmentRun,
    steps: list[FulfilmentStep],
    actor: Actor,
    package_path: Path | None,
    *,
    also: tuple[str, ...] = (),
    after: list[Entry] | None = None,
) -> FulfilmentOutcome:
    """The run's end from its steps and its audit entry (after ``after``, the last step's), inside the
    caller's transaction; ``also``: more fields of the run to save (its plan, after the export).

    The steps are as this execution left them, except a manual step not done: staff may have done
    its task meanwhile (`complete_manual_task` leaves a running run for its execution to end), so
    then they are read again."""
    fence()
    if any(step.action == "manual" and step.status != StepStatus.DONE for step in steps):
        rows = list(run.steps.order_by("position").values("system", "action", "status", "result"))
    else:
        rows = [{"system": s.system, "action": s.action, "status": s.status, "result": s.result} for s in steps]
    status, message = final_status(run, [row["status"] for row in rows])
    summary = [
        {"system": row["system"], "action": row["action"], "status": row["status"], **row["result"]} for row in rows
    ]
    save_run_status(run, status, message, {"run": run.pk, "right": run.right, "steps": summary}, also=also)
    ended = Entry("fulfilment.run_finished", "fulfilment_run", str(run.pk), {"right": run.right, "status": status})
    record_all(actor, [*(after or []), ended])
    return FulfilmentOutcome(status=str(status), summary=run.summary, package_path=package_path, message=message)
