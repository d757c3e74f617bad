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
        from mamori.fulfilment.recipient_notices import KINDS, notify_once
        from mamori.fulfilment.services import execute_run, prepare_run

        run = prepare_run(task, ENGINE)
        outcome = execute_run(run.pk, ENGINE)
        if outcome.status == "completed" and task.right in KINDS:
            # GDPR Art. 19: each recipient hears of the rectification, erasure or restriction.
            notices = notify_once(task.organisation, task.right, task.identities, ENGINE, request_id=task.request_id)
            outcome.summary["recipients_notified"] = {notice.recipient: notice.status for notice in notices}
        return outcome

    def match_data_points(self, organisation: str, points: dict[str, str]) -> set[str]:
        from mamori.fulfilment.services import match_data_points

        return match_data_points(organisation, points)


class RecipientNoticeHandler:
    """Rights that are carried out by telling the recipients: cease third-party provision (APPI
    Art. 35(3)) and opt-out of sale/sharing (CPRA). Done when every recipient has confirmed."""

    rights: tuple[str, ...] = ("cease_third_party_provision", "opt_out_sale_sharing")

    def plan(self, task: FulfilmentTask) -> dict[str, Any]:
        from mamori.fulfilment.recipient_notices import recipients_for
        from mamori.fulfilment.services import current_map

        _version, privacy_map = current_map(task.organisation)
        return {"recipients": [recipient.id for recipient in recipients_for(privacy_map, task.right)]}

    def execute(self, task: FulfilmentTask) -> FulfilmentOutcome:
        from mamori.fulfilment.recipient_notices import notify_once
        from mamori.rights.handover import FulfilmentOutcome

        notices = notify_once(task.organisation, task.right, task.identities, ENGINE, request_id=task.request_id)
        waiting = [notice.recipient for notice in notices if notice.status != "confirmed"]
        return FulfilmentOutcome(
            status="needs_review" if waiting else "completed",
            summary={"recipients_notified": {notice.recipient: notice.status for notice in notices}},
            message=f"awaiting confirmation from {', '.join(waiting)}" if waiting else "",
        )

    def match_data_points(self, organisation: str, points: dict[str, str]) -> set[str]:
        return EngineHandler().match_data_points(organisation, points)
