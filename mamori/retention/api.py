"""REST endpoints for retention: /api/v1/retention (scopes retention:read / retention:approve).

The same things the console's Retention pages show and do, for automation: the rules with their
dry run (rows due now, kept, and the next 30 days' forecast), the disposal runs, approving a run
that waits (a second, explicit step: the body must say `"confirm": "dispose"`), and the disposal
certificates as JSON. Reading needs a reader's role (officer, admin, auditor); approving an
actor's (officer, admin), as in the console.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from mamori.api.auth import scoped, token_of
from mamori.catalog.access import resolve_organisation
from mamori.retention import access
from mamori.retention.certificate import localised
from mamori.retention.models import DisposalRun, DisposalStatus
from mamori.retention.services import approve_run, dry_run

router = Router(tags=["retention"])


class StepOut(Schema):
    system: str
    table: str
    action: str
    status: str
    deleted: int
    updated: int
    batches: int


class RunOut(Schema):
    id: int
    organisation: str
    rule: str
    rule_name: dict[str, str]
    internal: bool
    map_version: int
    status: str
    waits_for: str
    as_of: datetime
    plan: dict[str, Any]
    verification: dict[str, Any]
    approved_by: str
    approved_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    message: str
    certificate_sha256: str
    steps: list[StepOut]


class CertificateOut(Schema):
    run: int
    organisation: str
    rule: str
    finished_at: datetime | None
    sha256: str
    kept_until: datetime | None


class ApproveIn(Schema):
    # The second step, stated: approving starts a disposal that cannot be undone.
    confirm: Literal["dispose"] = Field(description='Must be "dispose": the disposal cannot be undone.')


def _run_out(run: DisposalRun, *, steps: bool = True) -> dict[str, Any]:
    return {
        "id": run.pk,
        "organisation": run.organisation,
        "rule": run.rule_id,
        "rule_name": run.rule_name or {},
        "internal": run.internal,
        "map_version": run.map_version,
        "status": run.status,
        "waits_for": run.reason if run.status == DisposalStatus.AWAITING_APPROVAL else "",
        "as_of": run.as_of,
        "plan": run.plan or {},
        "verification": run.verification or {},
        "approved_by": run.approved_by.get_username() if run.approved_by else "",
        "approved_at": run.approved_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "message": run.message,
        "certificate_sha256": run.certificate_hash,
        "steps": [
            {
                "system": step.system,
                "table": step.table,
                "action": step.action,
                "status": step.status,
                "deleted": step.deleted,
                "updated": step.updated,
                "batches": step.batches,
            }
            for step in (run.steps.order_by("position") if steps else [])
        ],
    }


def _page(limit: int, offset: int) -> tuple[int, int]:
    if limit < 1 or limit > 200 or offset < 0:
        raise HttpError(400, _("limit must be 1 to 200 and offset 0 or more."))
    return limit, offset


@router.get(
    "/rules",
    auth=scoped("retention:read"),
    summary="The map's retention rules with their dry run: rows due now, kept, and the next 30 days",
)
def list_retention_rules(request: HttpRequest, organisation: str = "") -> dict[str, Any]:
    user = token_of(request).owner
    access.require_reader(user)
    chosen = resolve_organisation(user, organisation or None)
    if chosen is None:
        raise HttpError(400, _("Name the organisation: more than one has a privacy map."))
    return dry_run(chosen)


@router.get("/runs", response=list[RunOut], auth=scoped("retention:read"), summary="Disposal runs, newest first")
def list_disposal_runs(
    request: HttpRequest, organisation: str = "", status: str = "", limit: int = 50, offset: int = 0
) -> list[dict[str, Any]]:
    runs = access.access_runs(token_of(request).owner)
    if status and status not in DisposalStatus.values:
        raise HttpError(400, _("status must be one of %(values)s.") % {"values": ", ".join(DisposalStatus.values)})
    limit, offset = _page(limit, offset)
    if organisation:
        runs = runs.filter(organisation=organisation)
    if status:
        runs = runs.filter(status=status)
    return [_run_out(run) for run in runs.prefetch_related("steps")[offset : offset + limit]]


@router.get(
    "/runs/{run_id}", response=RunOut, auth=scoped("retention:read"), summary="One run with its steps and counts"
)
def get_disposal_run(request: HttpRequest, run_id: int) -> dict[str, Any]:
    return _run_out(access.access_run(token_of(request).owner, run_id))


@router.post(
    "/runs/{run_id}/approve",
    response=RunOut,
    auth=scoped("retention:approve"),
    summary='Approve a run that waits (body {"confirm": "dispose"}); the disposal is queued',
)
def approve_disposal_run(request: HttpRequest, run_id: int, body: ApproveIn) -> dict[str, Any]:
    user = token_of(request).owner
    run = access.access_run(user, run_id, act=True)
    if run.status != DisposalStatus.AWAITING_APPROVAL:
        raise HttpError(409, _("This run does not wait for approval."))
    approve_run(run.pk, user, confirmed=body.confirm == "dispose")
    return _run_out(access.access_run(user, run_id))


@router.get(
    "/certificates",
    response=list[CertificateOut],
    auth=scoped("retention:read"),
    summary="Disposal certificates, newest first",
)
def list_disposal_certificates(
    request: HttpRequest, organisation: str = "", limit: int = 50, offset: int = 0
) -> list[dict[str, Any]]:
    runs = access.access_runs(token_of(request).owner).filter(certificate__isnull=False)
    limit, offset = _page(limit, offset)
    if organisation:
        runs = runs.filter(organisation=organisation)
    return [
        {
            "run": run.pk,
            "organisation": run.organisation,
            "rule": run.rule_id,
            "finished_at": run.finished_at,
            "sha256": run.certificate_hash,
            "kept_until": run.keep_until,
        }
        for run in runs[offset : offset + limit]
    ]


@router.get(
    "/certificates/{run_id}",
    auth=scoped("retention:read"),
    summary="One disposal certificate as JSON, in English or Japanese (lang=en|ja), with its SHA-256",
)
def get_disposal_certificate(request: HttpRequest, run_id: int, lang: Literal["en", "ja"] = "en") -> dict[str, Any]:
    run = access.access_run(token_of(request).owner, run_id)
    if run.certificate is None:
        raise Http404(_("This run has no certificate yet."))
    return localised(run.certificate, lang) | {"sha256": run.certificate_hash}
