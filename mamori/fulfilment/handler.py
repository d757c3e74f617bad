"""The engine as the rights workflow sees it (`mamori.rights.handover.FulfilmentHandler`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mamori.audit.services import Actor

if TYPE_CHECKING:
    from mamori.rights.handover import FulfilmentOutcome, FulfilmentTask

ENGINE = Actor.system("fulfilment")


class EngineHandler:
    rights: tuple[str, ...] = ("access", "portability", "erasure", "rectification", "restriction")

    def plan(self, task: FulfilmentTask) -> dict[str, Any]:
        from mamori.fulfilment.services import prepare_run

        run = prepare_run(task, ENGINE)
        return {"run": run.pk, "status": run.status, **run.plan}

    def execute(self, task: FulfilmentTask) -> FulfilmentOutcome:
        from mamori.fulfilment.services import execute_run, prepare_run

        run = prepare_run(task, ENGINE)
        return execute_run(run.pk, ENGINE)

    def outcome(self, task: FulfilmentTask) -> FulfilmentOutcome | None:
        from mamori.fulfilment.models import FulfilmentRun
        from mamori.rights.handover import FulfilmentOutcome

        run = FulfilmentRun.objects.filter(
            organisation=task.organisation, request_id=task.request_id, right=task.right
        ).first()
        if run is None:
            return None
        return FulfilmentOutcome(status=str(run.status), summary=run.summary, message=run.message)

    def match_data_points(self, organisation: str, points: dict[str, str]) -> set[str]:
        from mamori.fulfilment.services import match_data_points

        return match_data_points(organisation, points)
