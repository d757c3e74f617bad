"""The staff workflow: acknowledge, assign, note, extend, pause, fulfil, complete, deny, close."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from mamori.audit.services import Actor
from mamori.catalog.mapfile.laws import APPI
from mamori.catalog.mapfile.values import Duration
from mamori.core import crypto
from mamori.core.leases import fence, on_give_up
from mamori.rights import clocks, own_records
from mamori.rights.access import REQUEST_WORKERS
from mamori.rights.handover import OUTCOME_STATUSES, FulfilmentOutcome, FulfilmentTask, handler_for
from mamori.rights.mail import send_to_requester, status_url
from mamori.rights.models import (
    Channel,
    DownloadLog,
    RequestFile,
    RequestNote,
    RequestPause,
    RequestStatus,
    RightsRequest,
)
from mamori.rights.models.requests import OPEN_STATUSES
from mamori.rights.rules import RIGHT_LABELS, records_period
from mamori.rights.services.abandoned import fulfilment_abandoned
from mamori.rights.services.common import RightsError, audit, map_of, rule_of, store_file

RESULT_LIFETIME = timedelta(days=30)  # how long the requester's download link works


def _locked(request: RightsRequest | int) -> RightsRequest:
    pk = request if isinstance(request, int) else request.pk
    return RightsRequest.objects.select_for_update().get(pk=pk)


def _require_open(request: RightsRequest) -> None:
    if request.status not in OPEN_STATUSES:
        raise RightsError(_("this request is closed"), code="closed")


def _send_after_commit(request_id: int, kind: str, **extra: Any) -> None:
    transaction.on_commit(lambda: send_to_requester(RightsRequest.objects.get(pk=request_id), kind, **extra))


def acknowledge(request: RightsRequest, actor: Actor, *, via: str) -> RightsRequest:
    """Confirm receipt (CP4). Where the map promises it, the confirmation goes back the way the
    request came in: electronic requests get the e-mail, others are recorded as sent by that channel."""
    with transaction.atomic():
        request = _locked(request)
        _require_open(request)
        if request.acknowledged_at is not None:
            raise RightsError(_("this request was already acknowledged"), code="already_acknowledged")
        if via not in Channel.values:
            raise RightsError(_("unknown channel"), code="bad_channel")
        electronic = {Channel.FORM, Channel.API, Channel.EMAIL}
        same_way = via == request.channel or (via in electronic and request.channel in electronic)
        if rule_of(request).acknowledge_same_channel and not same_way:
            raise RightsError(_("the acknowledgement must go back the way the request came in"), code="wrong_channel")
        request.acknowledged_at = timezone.now()
        request.acknowledged_via = via
        request.save(update_fields=["acknowledged_at", "acknowledged_via"])
        late = request.acknowledge_by is not None and request.acknowledged_at > request.acknowledge_by
        audit(actor, "acknowledged", request, via=via, late=late)
        if via in electronic:
            _send_after_commit(request.pk, "acknowledgement", verified=request.identity_verified_at is not None)
    return request


@transaction.atomic
def assign(request: RightsRequest, assignee: Any, actor: Actor) -> RightsRequest:
    request = _locked(request)
    _require_open(request)
    if assignee is not None and not assignee.has_role(*REQUEST_WORKERS):
        raise RightsError(
            _("requests can be assigned only to privacy officers and support agents"), code="bad_assignee"
        )
    request.assignee = assignee
    request.save(update_fields=["assignee"])
    audit(actor, "assigned", request, assignee=assignee.pk if assignee else None)
    return request


@transaction.atomic
def add_note(request: RightsRequest, text: str, actor: Actor, author: Any) -> RequestNote:
    if not text.strip():
        raise RightsError(_("a note cannot be empty"), code="empty_note")
    note = RequestNote.objects.create(request=request, author=author, text=text.strip(), at=timezone.now())
    audit(actor, "note_added", request, note=note.pk)
    return note


@transaction.atomic
def extend(request: RightsRequest, reason: str, actor: Actor) -> RightsRequest:
    """Push the due date to the furthest the rule allows, with a notice and a reason (CP5, Art. 12(3))."""
    request = _locked(request)
    _require_open(request)
    if not reason.strip():
        raise RightsError(_("an extension needs a reason, which is told to the requester"), code="reason_required")
    if request.extend_limit_at is None:
        raise RightsError(_("the rule for this request allows no extension"), code="no_extension")
    if request.extended_at is not None:
        raise RightsError(_("this request was already extended"), code="already_extended")
    if timezone.now() > request.due_at:
        raise RightsError(_("the extension must be told before the due date"), code="too_late")
    paused = request.due_at - request.original_due_at  # pauses moved the due date; keep that time
    request.due_at = request.extend_limit_at + max(paused, timedelta(0))
    request.extended_at = timezone.now()
    request.extension_reason = reason.strip()
    request.save(update_fields=["due_at", "extended_at", "extension_reason"])
    audit(
        actor,
        "extended",
        request,
        due_on=clocks.local_date(request.due_at, map_of(request).organisation.time_zone).isoformat(),
    )
    _send_after_commit(request.pk, "extension", reason=request.extension_reason)
    return request


@transaction.atomic
def pause(request: RightsRequest, reason: str, actor: Actor) -> RightsRequest:
    """Stop the clock while waiting for the requester, only where the law allows it (not CPRA)."""
    request = _locked(request)
    _require_open(request)
    if not rule_of(request).pausable:
        raise RightsError(_("this law does not let the clock stop"), code="not_pausable")
    if request.paused_since is not None:
        raise RightsError(_("the clock is already stopped"), code="already_paused")
    if not reason.strip():
        raise RightsError(_("a pause needs a reason"), code="reason_required")
    now = timezone.now()
    request.paused_since = now
    request.save(update_fields=["paused_since"])
    RequestPause.objects.create(request=request, started_at=now, reason=reason.strip())
    audit(actor, "paused", request)
    return request


@transaction.atomic
def resume(request: RightsRequest, actor: Actor) -> RightsRequest:
    """Restart the clock; the due date moves by the whole days it stood still."""
    request = _locked(request)
    if request.paused_since is None:
        raise RightsError(_("the clock is running"), code="not_paused")
    now = timezone.now()
    days = math.ceil((now - request.paused_since).total_seconds() / 86400)
    request.due_at += timedelta(days=days)
    if request.extend_limit_at is not None:
        request.extend_limit_at += timedelta(days=days)
    request.paused_since = None
    request.save(update_fields=["due_at", "extend_limit_at", "paused_since"])
    RequestPause.objects.filter(request=request, ended_at__isnull=True).update(ended_at=now)
    audit(actor, "resumed", request, paused_days=days)
    return request


def fulfilment_task(request: RightsRequest) -> FulfilmentTask:
    details = crypto.decrypt_json(request.details_encrypted, {})
    identities = {"email": request.requester_email} if request.requester_email else {}
    identities.update(
        {
            kind: value
            for kind, value in crypto.decrypt_json(request.data_points_encrypted, {}).items()
            if kind in ("phone", "customer_number", "name")
        }
    )
    # The channel decides which manual tasks apply (a paper-form system only for paper requests).
    extra: dict[str, Any] = {"delivery": request.delivery, "channel": request.channel}
    if zone := clocks.requester_time_zone(request.jurisdiction):  # the package dates records in the person's zone
        extra["time_zone"] = zone
    if details.get("fields"):
        extra["fields"] = details["fields"]
    if request.specific_pieces:
        extra["specific_pieces"] = True
    if request.law == APPI and request.right == "access":
        # NP1: an APPI disclosure leaves out "history and characteristic information" (the map's
        # category class); GDPR and CPRA access include it.
        extra["leave_out_classes"] = ["history_characteristic"]
    return FulfilmentTask(
        request_id=request.pk,
        organisation=request.organisation,
        right=request.right,
        identities=identities,
        language=request.language,
        details=extra,
    )


@transaction.atomic
def show_plan(request: RightsRequest, actor: Actor) -> RightsRequest:
    """Compute what the engine would do, for review. Only shows: the request's status stays as it is."""
    request = _locked(request)
    if request.status not in (RequestStatus.VERIFIED, RequestStatus.IN_PROGRESS):
        raise RightsError(_("only a verified request can be planned"), code="not_verified")
    handler = handler_for(request.right)
    if handler is None:
        raise RightsError(_("no fulfilment engine handles this right; complete it manually"), code="no_handler")
    task = fulfilment_task(request)
    request.plan = handler.plan(task)
    if request.right == "erasure":  # and what mamori itself holds (own_records.forget says what stays)
        request.plan = {**request.plan, "mamori_records": own_records.erasure_plan(request, task.identities)}
    request.save(update_fields=["plan"])
    audit(actor, "plan_shown", request)
    return request


@transaction.atomic
def start(request: RightsRequest, actor: Actor) -> RightsRequest:
    """Staff say they are working on a verified request (an explicit step, never a side effect)."""
    request = _locked(request)
    if request.status == RequestStatus.IN_PROGRESS:
        raise RightsError(_("work on this request has already started"), code="already_started")
    if request.status != RequestStatus.VERIFIED:
        raise RightsError(_("only a verified request can be worked on"), code="not_verified")
    request.status = RequestStatus.IN_PROGRESS
    request.save(update_fields=["status"])
    audit(actor, "started", request)
    return request


@transaction.atomic
def request_execution(request: RightsRequest, actor: Actor) -> RightsRequest:
    """Staff approved the plan: work starts and the fulfilment engine runs as a job after commit."""
    request = _locked(request)
    if request.status not in (RequestStatus.VERIFIED, RequestStatus.IN_PROGRESS):
        raise RightsError(_("only a verified request can be worked on"), code="not_verified")
    if request.plan is None:
        raise RightsError(_("show the plan before executing it"), code="no_plan")
    if handler_for(request.right) is None:
        raise RightsError(_("no fulfilment engine handles this right; complete it manually"), code="no_handler")
    if request.status == RequestStatus.VERIFIED:
        request.status = RequestStatus.IN_PROGRESS
        request.save(update_fields=["status"])
        audit(actor, "started", request)
    audit(actor, "execution_requested", request)
    request_id = request.pk
    transaction.on_commit(lambda: fulfil_request.enqueue(request_id))
    return request


@task()
def fulfil_request(request_id: int) -> None:
    """Job: hand an approved request to its fulfilment handler; the outcome is recorded on the request
    (the engine hands it back itself through `handover.hand_back`; another handler's is recorded here)."""
    request = RightsRequest.objects.filter(pk=request_id).first()
    if request is None or request.status != RequestStatus.IN_PROGRESS:
        return  # already finished (the job is idempotent)
    handler = handler_for(request.right)
    if handler is None:
        return
    outcome = handler.execute(fulfilment_task(request))
    if not outcome.recorded:
        record_outcome(request_id, outcome)


@on_give_up(fulfil_request)
def _fulfil_request_given_up(request_id: int, *, attempts: int, error: str = "") -> None:
    """The job's workers kept dying (core/leases.py): the request shows it and its people are told."""
    fulfilment_abandoned(request_id, attempts=attempts, error=error)


def record_outcome(request_id: int, outcome: FulfilmentOutcome) -> bool:
    """The one way a fulfilment run ends on its request, whatever surface ran it: the outcome is stored,
    the package kept encrypted (its clear copy deleted), and a completed run completes the request."""
    actor = Actor.system("fulfilment")
    status = outcome.status if outcome.status in OUTCOME_STATUSES else "failed"
    with transaction.atomic():
        fence()  # run by a job: only while its worker still holds the job's lease
        request = RightsRequest.objects.select_for_update().filter(pk=request_id).first()
        if request is None:
            return False
        request.outcome_status = status
        request.outcome_summary = outcome.summary
        request.save(update_fields=["outcome_status", "outcome_summary"])
        audit(actor, "executed", request, outcome=status)
        package = _store_package(request, outcome.package_path)
    if status == "completed" and request.status == RequestStatus.IN_PROGRESS:
        with transaction.atomic():
            fence()
            complete(request, actor, message="", result=package)
    return True


def _store_package(request: RightsRequest, path: Path | None) -> RequestFile | None:
    if path is None or not path.exists():
        return None
    if request.right in ("access", "portability"):
        own_records.add_to_package(path, request, fulfilment_task(request).identities)
    RequestFile.objects.filter(request=request, kind=RequestFile.Kind.RESULT).delete()
    stored = store_file(
        request, RequestFile.Kind.RESULT, f"{request.reference}.zip", "application/zip", path.read_bytes()
    )
    path.unlink()  # the engine's clear copy must not outlive the encrypted one
    return stored


# Rights whose answer is work in the company's systems: "completed" must mean that work was done.
WORK_RIGHTS = ("access", "portability", "erasure", "rectification", "restriction")


def work_outcome(request: RightsRequest) -> FulfilmentOutcome | None:
    """Where the fulfilment of this request stands now (None: no engine, or nothing planned yet)."""
    handler = handler_for(request.right)
    if handler is None or request.right not in WORK_RIGHTS or request.plan is None:
        return None  # no plan shown yet, so no run (and no query for the request page)
    outcome = getattr(handler, "outcome", None)
    return outcome(fulfilment_task(request)) if outcome is not None else None


def _require_finished_work(request: RightsRequest) -> None:
    """No completion without the work: the request's run finished, every step done and verified
    (systems no one can reach automatically: each manual task recorded with evidence)."""
    if request.right not in WORK_RIGHTS:
        return
    if handler_for(request.right) is None:
        raise RightsError(
            _("no fulfilment engine handles this right, so the work cannot be shown as done"), code="no_handler"
        )
    outcome = work_outcome(request)
    if outcome is None or outcome.status in ("planned", "running"):
        raise RightsError(
            _("the work is not done yet: show the plan and execute it before completing"), code="work_not_done"
        )
    if outcome.status != "completed":
        raise RightsError(
            _(
                "the work is only partly done: finish the remaining steps (manual tasks with "
                "evidence) or deny the request with a ground"
            ),
            code="work_partial",
        )
    if request.outcome_status != "completed":  # finished since (manual tasks): keep the request's copy current
        request.outcome_status = "completed"
        request.outcome_summary = outcome.summary
        request.save(update_fields=["outcome_status", "outcome_summary"])


@transaction.atomic
def complete(
    request: RightsRequest, actor: Actor, *, message: str, result: tuple[str, str, bytes] | RequestFile | None = None
) -> RightsRequest:
    """Close the request as answered; ``result`` is an upload (name, type, bytes) or a stored file."""
    request = _locked(request)
    if request.status not in (RequestStatus.VERIFIED, RequestStatus.IN_PROGRESS):
        raise RightsError(_("only a verified request can be completed"), code="not_verified")
    if request.paused_since is not None:
        raise RightsError(_("resume the clock first"), code="paused")
    _require_finished_work(request)
    if isinstance(result, tuple):
        name, content_type, data = result
        if not data:
            raise RightsError(_("the result file is empty"), code="empty_result")
        RequestFile.objects.filter(request=request, kind=RequestFile.Kind.RESULT).delete()
        store_file(request, RequestFile.Kind.RESULT, name, content_type, data)
    has_result = RequestFile.objects.filter(request=request, kind=RequestFile.Kind.RESULT).exists()
    if request.right == "erasure":
        audit(actor, "own_records_erased", request, **own_records.forget(request, fulfilment_task(request).identities))
    request.response_message = message.strip()
    request.result_expires_at = timezone.now() + RESULT_LIFETIME if has_result else None
    _close(request, RequestStatus.COMPLETED)
    audit(actor, "completed", request, result=has_result, late=timezone.now() > request.due_at)
    zone = map_of(request).organisation.time_zone
    _send_after_commit(
        request.pk,
        "completion",
        message=request.response_message,
        has_result=has_result,
        expires_on=clocks.local_date(request.result_expires_at, zone) if request.result_expires_at else None,
        paper=request.delivery == "paper",
        status_url=status_url(request, request.status_token) if request.status_token else "",
    )
    return request


@transaction.atomic
def deny(request: RightsRequest, ground: str, actor: Actor, *, message: str = "") -> RightsRequest:
    """Refuse on one of the grounds the request's law allows (RULES.md "Refusals")."""
    request = _locked(request)
    _require_open(request)
    grounds = rule_of(request).refusal_grounds
    if ground not in grounds:
        raise RightsError(_("this ground is not one the law of this request allows"), code="bad_ground")
    request.denial_ground = ground
    request.response_message = message.strip()
    _close(request, RequestStatus.DENIED)
    audit(actor, "denied", request, ground=ground)

    with translation.override(request.language):
        ground_label = str(grounds[ground])
    _send_after_commit(request.pk, "denial", ground_label=ground_label, message=request.response_message)
    return request


def close_unverified(request: RightsRequest, actor: Actor, *, reason: str) -> RightsRequest:
    """Close without processing: identity not verified in time (CP6) or rejected by staff."""
    with transaction.atomic():
        request = _locked(request)
        if request.status != RequestStatus.VERIFYING:
            raise RightsError(_("only a request being verified can be closed as unverified"), code="not_verifying")
        _close(request, RequestStatus.CLOSED_UNVERIFIED)
        audit(actor, "closed_unverified", request, reason=reason)
        _send_after_commit(request.pk, "closed_unverified")
    return request


def _close(request: RightsRequest, status: str) -> None:
    """Every closing path: set the state, start the records period, purge identity documents."""
    now = timezone.now()
    period = records_period(map_of(request))
    request.status = status
    request.closed_at = now
    request.paused_since = None
    request.purge_after = purge_moment(now, period)
    request.save(
        update_fields=[
            "status",
            "closed_at",
            "paused_since",
            "purge_after",
            "denial_ground",
            "response_message",
            "result_expires_at",
        ]
    )
    purged, _by_model = RequestFile.objects.filter(request=request).exclude(kind=RequestFile.Kind.RESULT).delete()
    request.codes.all().delete()
    if purged:
        audit(Actor.system("rights"), "documents_purged", request, files=purged)


def purge_moment(closed_at: datetime, period: Duration) -> datetime:
    """When a closed request's record may go: ``period`` after closing (months counted as months)."""
    if period.unit in ("month", "year"):
        months = period.amount * (12 if period.unit == "year" else 1)
        return datetime.combine(clocks.add_months(closed_at.date(), months), closed_at.timetz())
    days = period.amount * (7 if period.unit == "week" else 1)
    return closed_at + timedelta(days=days)


def right_label(request: RightsRequest) -> str:
    return str(RIGHT_LABELS.get(request.right, request.right))


@transaction.atomic
def record_download(request: RightsRequest, file: RequestFile, actor: Actor, *, staff: Any = None) -> bytes:
    """Decrypt a file for download and log who took it (the requester's result, or staff reading documents)."""

    DownloadLog.objects.create(request=request, file_kind=file.kind, by_staff=staff, at=timezone.now())
    audit(actor, "file_downloaded", request, kind=file.kind, file=file.pk)
    return crypto.decrypt(bytes(file.encrypted))
