"""The engine as the rights workflow sees it (`mamori.rights.handover.FulfilmentHandler`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mamori.catalog.in_force import map_in_force
from mamori.fulfilment.recipient_notices import KINDS, NoticeError, notify_once, recipients_for
from mamori.fulfilment.services.common import ENGINE
from mamori.fulfilment.services.execution import execute_run
from mamori.fulfilment.services.planning import match_data_points, prepare_run
from mamori.rights.handover import FulfilmentOutcome

if TYPE_CHECKING:
    from mamori.rights.handover import FulfilmentTask

__all__ = ["ENGINE", "EngineHandler", "RecipientNoticeHandler"]


class EngineHandler:
    rights: tuple[str, ...] = ("access", "portability", "erasure", "rectification", "restriction")

    def plan(self, task: FulfilmentTask) -> dict[str, Any]:
        run = prepare_run(task, ENGINE)
        return {"run": run.pk, "status": run.status, **run.plan}

    def execute(self, task: FulfilmentTask) -> FulfilmentOutcome:
        run = prepare_run(task, ENGINE)
        outcome = execute_run(run.pk, ENGINE)
        if outcome.status == "completed" and task.right in KINDS:
            # GDPR Art. 19: each recipient hears of the rectification, erasure or restriction.
            notices = notify_once(task.organisation, task.right, task.identities, ENGINE, request_id=task.request_id)
            outcome.summary["recipients_notified"] = {notice.recipient: notice.status for notice in notices}
        return outcome

    def outcome(self, task: FulfilmentTask) -> FulfilmentOutcome | None:
        """Where the request's run stands (the rights workflow completes a request only on "completed")."""
        from mamori.fulfilment.models import FulfilmentRun

        run = FulfilmentRun.objects.filter(
            organisation=task.organisation, request_id=task.request_id, right=task.right
        ).first()
        if run is None:
            return None
        return FulfilmentOutcome(status=str(run.status), summary=run.summary, message=run.message)

    def match_data_points(self, organisation: str, points: dict[str, str]) -> set[str]:
        return match_data_points(organisation, points)


class RecipientNoticeHandler:
    """Rights that are carried out by telling the recipients: cease third-party provision (APPI
    Art. 35(3)) and opt-out of sale/sharing (CPRA). Done when every recipient has confirmed."""

    rights: tuple[str, ...] = ("cease_third_party_provision", "opt_out_sale_sharing")

    def plan(self, task: FulfilmentTask) -> dict[str, Any]:
        _version, privacy_map = map_in_force(task.organisation, missing=NoticeError)
        return {"recipients": [recipient.id for recipient in recipients_for(privacy_map, task.right)]}

    def execute(self, task: FulfilmentTask) -> FulfilmentOutcome:
        notices = notify_once(task.organisation, task.right, task.identities, ENGINE, request_id=task.request_id)
        waiting = [notice.recipient for notice in notices if notice.status != "confirmed"]
        return FulfilmentOutcome(
            status="needs_review" if waiting else "completed",
            summary={"recipients_notified": {notice.recipient: notice.status for notice in notices}},
            message=f"awaiting confirmation from {', '.join(waiting)}" if waiting else "",
        )

    def match_data_points(self, organisation: str, points: dict[str, str]) -> set[str]:
        return match_data_points(organisation, points)
