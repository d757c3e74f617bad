"""Fulfilment runs: plan, execute step by step (resumable), manual tasks, the restriction list.

A run is planned once per (request, right); its steps are persisted, so a worker killed half-way
and started again continues with the first step not done. An erasure step that was cut off after
its datastore committed but before the step was recorded is noticed by verifying first: when
nothing is left to erase, the step is recorded as done without running again.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from mamori.audit.services import Actor, record
from mamori.catalog.mapfile import PrivacyMap
from mamori.core.errors import DomainError
from mamori.fulfilment.engine import FulfilmentEngine, public_plan
from mamori.fulfilment.engine_cache import ENGINES, MapScope
from mamori.fulfilment.models import (
    FulfilmentRun,
    FulfilmentStep,
    ManualTask,
    Restriction,
    RunStatus,
    StepStatus,
    seal,
)

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from mamori.rights.handover import FulfilmentOutcome, FulfilmentTask

RIGHTS = ("access", "portability", "erasure", "rectification", "restriction")
EXPORT_RIGHTS = ("access", "portability")
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024


class FulfilmentError(DomainError):
    code = "fulfilment_error"


def current_scope(organisation: str) -> MapScope:
    """The map version in force (one small query; the document is read only when not cached)."""
    from mamori.catalog.models import MapVersion

    current = (
        MapVersion.objects.for_organisation(organisation).order_by("-number").values_list("number", "content_hash")
    ).first()
    if current is None:
        raise FulfilmentError(f"no privacy map is applied for organisation {organisation}")
    return MapScope(organisation, current[0], current[1])


def _current(organisation: str) -> tuple[MapScope, PrivacyMap]:
    from mamori.catalog.models import MapVersion

    scope = current_scope(organisation)

    def document() -> dict[str, Any]:
        return MapVersion.objects.get(organisation=organisation, number=scope.version).document

    return scope, ENGINES.privacy_map(scope, document)


def current_map(organisation: str) -> tuple[int, PrivacyMap]:
    """The number and parsed map of the version in force (parsed once per version per process)."""
    scope, privacy_map = _current(organisation)
    return scope.version, privacy_map


def engine_for(organisation: str) -> tuple[int, FulfilmentEngine]:
    """The map version in force and an engine on it whose connectors (database engines, pools, the
    schema read) stay open for later runs of the same version: building them would otherwise be
    most of a small request's cost."""
    scope, privacy_map = _current(organisation)
    return scope.version, ENGINES.engine(scope, privacy_map, os.environ)


def identity_hash(kind: str, value: str) -> str:
    """How the restriction list names a person: SHA-256 hex of the normalised value."""
    normalised = value.strip().lower() if kind == "email" else value.strip()
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------- planning


def prepare_run(task: FulfilmentTask, actor: Actor) -> FulfilmentRun:
    """The run of this request and right, planned now if it does not exist yet."""
    if task.right not in RIGHTS:
        raise FulfilmentError(f"the engine does not carry out the right {task.right}")
    if not task.identities:
        raise FulfilmentError("the task has no verified identity")
    existing = FulfilmentRun.objects.filter(
        organisation=task.organisation, request_id=task.request_id, right=task.right
    ).first()
    if existing is not None:
        return existing
    return plan_run(task.organisation, task.right, [task.identities], actor, request_id=task.request_id,
                    language=task.language, details=task.details)  # fmt: skip


def plan_run(
    organisation: str,
    right: str,
    subjects: list[dict[str, str]],
    actor: Actor,
    *,
    request_id: int | None = None,
    language: str = "en",
    details: Mapping[str, Any] | None = None,
) -> FulfilmentRun:
    """Plan a run for one subject or many (bulk erasure: one plan, one statement per table)."""
    if right not in RIGHTS:
        raise FulfilmentError(f"the engine does not carry out the right {right}")
    if not subjects or not all(subjects):
        raise FulfilmentError("every subject needs at least one identity")
    if right == "rectification" and not (details or {}).get("fields"):
        raise FulfilmentError("a rectification needs the fields to change")
    version, engine = engine_for(organisation)
    privacy_map = engine.map
    try:
        steps: list[tuple[str, str, Any]] = []
        if right == "erasure":
            plan = engine.plan_erasure(subjects)
            for system in plan["systems"]:
                if system["kind"] == "manual":
                    steps.append((system["system"], "manual", system))
                elif not system.get("error"):
                    steps += [(system["system"], "erase", system), (system["system"], "verify", None)]
            shown = public_plan(plan)
        else:
            located = engine.locate(subjects)
            shown = _counts_plan(engine, located, len(subjects))
            if right in EXPORT_RIGHTS:
                steps.append(("*", "export", None))
            else:
                action = "rectify" if right == "rectification" else "restrict"
                steps += [
                    (system_id, action, None)
                    for system_id in located
                    if engine.map.system(system_id).connector != "manual"
                ]
                if right == "restriction":
                    steps.append(("*", "restrict_list", None))
            manual = [system.id for system in privacy_map.systems if system.connector == "manual"]
            steps += [(system_id, "manual", None) for system_id in manual]
    finally:
        engine.close()
    with transaction.atomic():
        run = FulfilmentRun.objects.create(
            organisation=organisation, request_id=request_id, right=right, language=language,
            map_version=version, subjects=len(subjects), plan=shown,
            sealed_subjects=seal(subjects), sealed_details=seal(dict(details or {})) if details else None,
        )  # fmt: skip
        FulfilmentStep.objects.bulk_create(
            FulfilmentStep(run=run, position=number, system=system, action=action,
                           sealed_state=seal(state) if state is not None else None)
            for number, (system, action, state) in enumerate(steps)
        )  # fmt: skip
        record(actor, "fulfilment.run_planned", target_type="fulfilment_run", target_id=str(run.pk),
               details={"right": right, "subjects": len(subjects), "steps": len(steps),
                        "map_version": version})  # fmt: skip
    return run


def _counts_plan(engine: FulfilmentEngine, located: Mapping[str, Any], subjects: int) -> dict[str, Any]:
    systems = [
        {"system": system_id, "kind": engine.map.system(system_id).connector,
         "tables": [{"table": table, "rows": sum(per.values())} for table, per in found["counts"].items()]}
        for system_id, found in located.items()
    ]  # fmt: skip
    systems += [
        {"system": system_id, "kind": engine.map.system(system_id).connector, "tables": [], "error": message}
        for system_id, message in engine.unavailable.items()
    ]
    return {"subjects": subjects, "systems": systems}


# ---------------------------------------------------------------- execution


def execute_run(run_id: int, actor: Actor, *, max_steps: int | None = None) -> FulfilmentOutcome:
    """Carry out the steps not done yet, in order. `max_steps` stops early (as a killed worker would)."""
    from mamori.rights.handover import FulfilmentOutcome

    run = FulfilmentRun.objects.get(pk=run_id)
    _, engine = engine_for(run.organisation)
    package_path: Path | None = None
    done_now = 0
    try:
        _set_run(run, RunStatus.RUNNING)
        for step in run.steps.order_by("position"):
            if step.status in (StepStatus.DONE, StepStatus.WAITING):
                continue
            if max_steps is not None and done_now >= max_steps:
                return FulfilmentOutcome(status="needs_review", summary=_summary(run), message="interrupted")
            _start_step(step)
            try:
                result, status, package = _run_step(engine, run, step)
            except DomainError as exc:
                _finish_step(step, StepStatus.FAILED, {}, actor, error=exc.message)
                _set_run(run, RunStatus.FAILED, message=exc.message)
                return FulfilmentOutcome(status="failed", summary=_summary(run), message=exc.message)
            package_path = package or package_path
            _finish_step(step, status, result, actor)
            done_now += 1
        return _conclude(run, actor, package_path)
    finally:
        engine.close()


def _run_step(
    engine: FulfilmentEngine, run: FulfilmentRun, step: FulfilmentStep
) -> tuple[dict[str, Any], str, Path | None]:
    subjects = run.subject_identities
    key = f"mamori-run-{run.pk}-step-{step.position}"
    if step.action == "export":
        folder = Path(tempfile.mkdtemp(prefix="mamori-package-"))
        path = folder / f"personal-data-{run.organisation}-{run.pk}.zip"
        written = engine.export(subjects[0], path, run.language, key_prefix=key,
                                leave_out_classes=run.details.get("leave_out_classes", ()))
        return {"tables": written, "unavailable": sorted(engine.unavailable)}, StepStatus.DONE, path
    if step.action == "manual":
        _open_manual_task(run, step, engine.map)
        return {}, StepStatus.WAITING, None
    if step.action == "restrict_list":
        created = _add_restrictions(run, subjects)
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
    raise FulfilmentError(f"unknown step {step.action}")


def _start_step(step: FulfilmentStep) -> None:
    with transaction.atomic():
        step.status = StepStatus.RUNNING
        step.attempts += 1
        step.started_at = timezone.now()
        step.save(update_fields=["status", "attempts", "started_at"])


def _finish_step(step: FulfilmentStep, status: str, result: dict[str, Any], actor: Actor, error: str = "") -> None:
    with transaction.atomic():
        step.status = status
        step.result = result
        step.error = error
        step.finished_at = timezone.now()
        step.save(update_fields=["status", "result", "error", "finished_at"])
        record(actor, "fulfilment.step_finished", target_type="fulfilment_run", target_id=str(step.run_id),
               details={"step": step.position, "system": step.system, "action": step.action,
                        "status": status})  # fmt: skip


def _set_run(run: FulfilmentRun, status: str, message: str = "") -> None:
    with transaction.atomic():
        run.status = status
        run.message = message
        run.summary = _summary(run)
        if status in (RunStatus.COMPLETED, RunStatus.FAILED):
            run.finished_at = timezone.now()
        run.save(update_fields=["status", "message", "summary", "finished_at", "updated_at"])


def _summary(run: FulfilmentRun) -> dict[str, Any]:
    steps = [
        {"system": step.system, "action": step.action, "status": step.status, **step.result}
        for step in run.steps.order_by("position")
    ]
    return {"run": run.pk, "right": run.right, "steps": steps}


def _final_status(run: FulfilmentRun) -> tuple[str, str]:
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


def _conclude(run: FulfilmentRun, actor: Actor, package_path: Path | None) -> FulfilmentOutcome:
    from mamori.rights.handover import FulfilmentOutcome

    status, message = _final_status(run)
    _set_run(run, status, message)
    with transaction.atomic():
        record(actor, "fulfilment.run_finished", target_type="fulfilment_run", target_id=str(run.pk),
               details={"right": run.right, "status": status})  # fmt: skip
    return FulfilmentOutcome(status=str(status), summary=run.summary, package_path=package_path, message=message)


# ---------------------------------------------------------------- manual tasks


def _open_manual_task(run: FulfilmentRun, step: FulfilmentStep, privacy_map: PrivacyMap) -> ManualTask:
    system = privacy_map.system(step.system)
    task, _ = ManualTask.objects.get_or_create(
        run=run, system=step.system,
        defaults={"right": run.right, "instructions": system.instructions.model_dump() if system.instructions else {}},
    )  # fmt: skip
    return task


def complete_manual_task(
    task_id: int, user: Any, *, note: str = "", evidence: UploadedFile | None = None
) -> ManualTask:
    """Staff did the work by hand; their evidence (a scan, a screenshot) is kept encrypted."""
    from mamori.core.crypto import encrypt

    with transaction.atomic():
        task = ManualTask.objects.select_for_update().get(pk=task_id)
        if task.status == ManualTask.Status.DONE:
            raise FulfilmentError("this task is already done")
        if evidence is None and not note.strip():
            raise FulfilmentError("describe what was done or attach evidence")
        if evidence is not None:
            if evidence.size is not None and evidence.size > MAX_EVIDENCE_BYTES:
                raise FulfilmentError("the evidence file is larger than 10 MB")
            task.sealed_evidence = encrypt(evidence.read())
            task.evidence_name = (evidence.name or "evidence")[:200]
            task.evidence_type = (evidence.content_type or "application/octet-stream")[:100]
        task.note = note.strip()
        task.status = ManualTask.Status.DONE
        task.completed_by = user
        task.completed_at = timezone.now()
        task.save()
        FulfilmentStep.objects.filter(run=task.run, system=task.system, action="manual").update(
            status=StepStatus.DONE, finished_at=timezone.now()
        )
        run = task.run
        if run.status != RunStatus.RUNNING:
            _set_run(run, *_final_status(run))
        record(Actor.for_user(user), "fulfilment.manual_task_done", target_type="fulfilment_run",
               target_id=str(run.pk), details={"system": task.system, "evidence": bool(evidence)})  # fmt: skip
    return task


# ---------------------------------------------------------------- restriction list


def _add_restrictions(run: FulfilmentRun, subjects: list[dict[str, str]]) -> int:
    created = 0
    with transaction.atomic():
        for identities in subjects:
            hashes = {kind: identity_hash(kind, value) for kind, value in sorted(identities.items())}
            _, made = Restriction.objects.get_or_create(
                organisation=run.organisation, request_id=run.request_id, identity_hashes=hashes,
                lifted_at=None,
            )  # fmt: skip
            created += int(made)
    return created


def lift_restriction(restriction_id: int, actor: Actor) -> Restriction:
    with transaction.atomic():
        restriction = Restriction.objects.select_for_update().get(pk=restriction_id)
        if restriction.lifted_at is not None:
            raise FulfilmentError("this restriction is already lifted")
        restriction.lifted_at = timezone.now()
        restriction.save(update_fields=["lifted_at"])
        record(actor, "fulfilment.restriction_lifted", target_type="restriction", target_id=str(restriction.pk))
    return restriction


# ---------------------------------------------------------------- verification help


def match_data_points(organisation: str, points: Mapping[str, str]) -> set[str]:
    """Which submitted identity points (kind -> value) find a record in the company's SQL systems."""
    _, engine = engine_for(organisation)
    matched: set[str] = set()
    try:
        for connector in engine.connectors():
            if connector.kind != "sql":
                continue
            for kind, value in points.items():
                if kind in matched or not value:
                    continue
                located = connector.locate([{kind: value}], counts=False)
                if any(located["state"].get("roots", {}).values()):
                    matched.add(kind)
    finally:
        engine.close()
    return matched
