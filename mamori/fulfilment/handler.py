"""The engine as the rights workflow sees it (`mamori.rights.handover.FulfilmentHandler`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mamori.fulfilment.services.common import ENGINE
from mamori.fulfilment.services.execution import execute_run
from mamori.fulfilment.services.planning import match_data_points, prepare_run

if TYPE_CHECKING:
    from mamori.rights.handover import FulfilmentOutcome, FulfilmentTask

__all__ = ["ENGINE", "EngineHandler"]


class EngineHandler:
    rights: tuple[str, ...] = ("access", "portability", "erasure", "rectification", "restriction")

    def plan(self, task: FulfilmentTask) -> dict[str, Any]:
        run = prepare_run(task, ENGINE)
        return {"run": run.pk, "status": run.status, **run.plan}

    def execute(self, task: FulfilmentTask) -> FulfilmentOutcome:
        run = prepare_run(task, ENGINE)
        return execute_run(run.pk, ENGINE)

    def match_data_points(self, organisation: str, points: dict[str, str]) -> set[str]:
        return match_data_points(organisation, points)
