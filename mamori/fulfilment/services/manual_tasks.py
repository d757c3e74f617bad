"""Manual tasks: systems nobody can reach automatically; staff do the work and leave evidence."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mamori.audit.services import Actor, record
from mamori.core.crypto import encrypt
from mamori.core.filetypes import MAX_DOCUMENT_BYTES, document_type
from mamori.fulfilment.models import FulfilmentRun, FulfilmentStep, ManualTask, RunStatus, StepStatus
from mamori.fulfilment.services.common import FulfilmentError, end_run, final_status, set_run_status
from mamori.rights.handover import FulfilmentOutcome

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from mamori.catalog.mapfile import PrivacyMap


def open_manual_task(run: FulfilmentRun, step: FulfilmentStep, privacy_map: PrivacyMap) -> ManualTask:
    system = privacy_map.system(step.system)
    task, _created = ManualTask.objects.get_or_create(
        run=run,
        system=step.system,
        defaults={"right": run.right, "instructions": system.instructions.model_dump() if system.instructions else {}},
    )
    return task


def complete_manual_task(
    task_id: int, user: Any, *, note: str = "", evidence: UploadedFile | None = None
) -> ManualTask:
    """Staff did the work by hand; their evidence (a scan, a photo: required, issue 9 "each manual
    task recorded with evidence") is typed by its content and kept encrypted."""
    with transaction.atomic():
        task = ManualTask.objects.select_for_update().get(pk=task_id)
        if task.status == ManualTask.Status.DONE:
            raise FulfilmentError(_("this task is already done"))
        if evidence is None:
            raise FulfilmentError(_("attach evidence of what was done (a scan or a photo)"), code="no_evidence")
        data = evidence.read(MAX_DOCUMENT_BYTES + 1)
        if not data or len(data) > MAX_DOCUMENT_BYTES:
            raise FulfilmentError(_("the evidence file must be between 1 byte and 10 MB"), code="bad_evidence_size")
        # Judged by content, never by its name or declared type; the type found is what is stored.
        found = document_type(data)
        if found is None:
            raise FulfilmentError(
                _("evidence must be a PDF, JPEG, PNG, HEIC or WebP file (judged by its content)"),
                code="bad_evidence_type",
            )
        task.sealed_evidence = encrypt(data)
        task.evidence_name = (evidence.name or "evidence")[:200]
        task.evidence_type = found
        task.note = note.strip()
        task.status = ManualTask.Status.DONE
        task.completed_by = user
        task.completed_at = timezone.now()
        task.save()
        FulfilmentStep.objects.filter(run=task.run, system=task.system, action="manual").update(
            status=StepStatus.DONE, finished_at=timezone.now()
        )
        run = task.run
        ended = run.status != RunStatus.RUNNING
        if ended:
            set_run_status(run, *final_status(run))
        record(
            Actor.for_user(user),
            "fulfilment.manual_task_done",
            target_type="fulfilment_run",
            target_id=str(run.pk),
            details={"system": task.system, "evidence": bool(evidence)},
        )
    if ended and run.status == RunStatus.COMPLETED:
        # The last task done ends the run as any run ends (the package was stored when the steps ran).
        end_run(run, FulfilmentOutcome(status=str(run.status), summary=run.summary, message=run.message))
    return task
