"""Planning a run: once per (request, right), from the map in force; and matching data points.

A run is planned once per (request, right); its steps are persisted, so a worker killed half-way
and started again continues with the first step not done (see `execution`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from mamori.audit.services import Actor, Entry, record_all
from mamori.core.crypto import encrypt_json
from mamori.fulfilment.engine import FulfilmentEngine, public_plan
from mamori.fulfilment.models import FulfilmentRun, FulfilmentStep
from mamori.fulfilment.services.common import EXPORT_RIGHTS, RIGHTS, FulfilmentError, counts_plan, engine_for
from mamori.fulfilment.services.earlier_erasures import earlier_identities

if TYPE_CHECKING:
    from mamori.catalog.mapfile import PrivacyMap
    from mamori.rights.handover import FulfilmentTask


def prepare_run(task: FulfilmentTask, actor: Actor) -> FulfilmentRun:
    """The run of this request and right, planned now if it does not exist yet."""
    if task.right not in RIGHTS:
        raise FulfilmentError(_("the engine does not carry out the right %(right)s"), right=task.right)
    if not task.identities:
        raise FulfilmentError(_("the task has no verified identity"))
    existing = FulfilmentRun.objects.filter(
        organisation=task.organisation, request_id=task.request_id, right=task.right
    ).first()
    if existing is not None:
        return existing
    return plan_run(
        task.organisation,
        task.right,
        [task.identities],
        actor,
        request_id=task.request_id,
        language=task.language,
        details=task.details,
    )


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
        raise FulfilmentError(_("the engine does not carry out the right %(right)s"), right=right)
    if not subjects or not all(subjects):
        raise FulfilmentError(_("every subject needs at least one identity"))
    if right == "rectification" and not (details or {}).get("fields"):
        raise FulfilmentError(_("a rectification needs the fields to change"))
    version, engine = engine_for(organisation)
    privacy_map = engine.map
    channel = (details or {}).get("channel")
    try:
        steps: list[tuple[str, str, Any]] = []
        if right == "erasure":
            # An earlier erasure of the same person masked what finds them now: its identities
            # reach the rows it kept, so this plan lists them (and why) instead of "nothing found".
            known, earlier_runs = earlier_identities(organisation, privacy_map, subjects)
            plan = engine.plan_erasure(subjects, known=known)
            if earlier_runs:
                plan["earlier_runs"] = earlier_runs
            plan["systems"] = [
                system
                for system in plan["systems"]
                if system["kind"] != "manual" or manual_applies(privacy_map, system["system"], channel)
            ]
            for system in plan["systems"]:
                if system["kind"] == "manual":
                    steps.append((system["system"], "manual", system))
                elif not system.get("error"):
                    steps += [(system["system"], "erase", system), (system["system"], "verify", None)]
            shown = public_plan(plan)
        elif right in EXPORT_RIGHTS:
            # What an export does does not depend on what is found: one step reads every system.
            # So the plan reads nothing in the company's systems (the export finds the person
            # again anyway, in one snapshot); the rows per table are the export's own, written
            # into the run's plan when its step is done (execution). Systems that cannot be
            # configured are named now (building a connector is kept per map version, and does
            # not connect); one that fails later is named by the export.
            shown = _export_plan(engine, len(subjects))
            steps.append(("*", "export", None))
        else:
            located = engine.locate(subjects)
            rows = {system_id: _rows(found) for system_id, found in located.items()}
            shown = counts_plan(privacy_map, rows, engine.unavailable, len(subjects))
            action = "rectify" if right == "rectification" else "restrict"
            steps += [
                (system_id, action, None) for system_id in located if engine.map.system(system_id).connector != "manual"
            ]
            if right == "restriction":
                steps.append(("*", "restrict_list", None))
        if right != "erasure":
            manual = [
                system.id
                for system in privacy_map.systems
                if system.connector == "manual" and manual_applies(privacy_map, system.id, channel)
            ]
            steps += [(system_id, "manual", None) for system_id in manual]
    finally:
        engine.close()
    with transaction.atomic():
        run = FulfilmentRun.objects.create(
            organisation=organisation,
            request_id=request_id,
            right=right,
            language=language,
            map_version=version,
            subjects=len(subjects),
            plan=shown,
            sealed_subjects=encrypt_json(subjects),
            sealed_details=encrypt_json(dict(details or {})) if details else None,
        )
        FulfilmentStep.objects.bulk_create(
            FulfilmentStep(
                run=run,
                position=number,
                system=system,
                action=action,
                sealed_state=encrypt_json(state) if state is not None else None,
            )
            for number, (system, action, state) in enumerate(steps)
        )
        details = {"right": right, "subjects": len(subjects), "steps": len(steps), "map_version": version}
        record_all(actor, [Entry("fulfilment.run_planned", "fulfilment_run", str(run.pk), details)])
    return run


def manual_applies(privacy_map: PrivacyMap, system_id: str, channel: str | None) -> bool:
    """Whether a manual system's task belongs to a request that came in by ``channel``: a system
    about paper forms (`channels: [post]`) has nothing to do for an online request. A run of no
    request (None) gets the systems that name no channel."""
    channels = privacy_map.system(system_id).channels
    return not channels or channel in channels


def _rows(found: Mapping[str, Any]) -> dict[str, int]:
    """Rows per table of what a connector located (all subjects together)."""
    return {table: sum(per.values()) for table, per in found["counts"].items()}


def _export_plan(engine: FulfilmentEngine, subjects: int) -> dict[str, Any]:
    """An export's plan before it runs: every system it will read (rows counted by the export), and
    those that cannot be reached, with why."""
    reachable = [connector.system_id for connector in engine.connectors()]  # the others: engine.unavailable
    plan = counts_plan(engine.map, {}, engine.unavailable, subjects)
    found: list[dict[str, Any]] = []
    for system_id in reachable:
        kind = engine.map.system(system_id).connector
        found.append({"system": system_id, "kind": kind, "tables": []})
        if kind != "manual":
            found[-1]["counted_on_export"] = True
    plan["systems"] = found + plan["systems"]
    return plan


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
