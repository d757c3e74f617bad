"""Console pages: rules with their dry run and forecast, runs, approvals, certificates.

Officers and admins act (run now, approve); auditors read; every other role is refused.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mamori.accounts.access import staff_required
from mamori.audit.services import Actor
from mamori.catalog.access import readable_organisations
from mamori.retention import access
from mamori.retention.certificate import localised, render_html
from mamori.retention.models import DisposalStatus
from mamori.retention.services import RetentionError, approve_run, dry_run, run_rules

LANGUAGES = ("en", "ja")


def _organisation(request: HttpRequest) -> str | None:
    organisations = readable_organisations(request.user)
    chosen = request.GET.get("org") or request.POST.get("org")
    if chosen and chosen not in organisations:
        raise Http404("no privacy map has been applied for this organisation")
    return chosen or (organisations[0] if organisations else None)


@staff_required(*access.RETENTION_READERS)
def overview(request: HttpRequest) -> HttpResponse:
    organisation = _organisation(request)
    plan, error = None, ""
    if organisation:
        try:
            plan = dry_run(organisation)
        except RetentionError as exc:
            error = exc.message
    context = {
        "plan": plan,
        "error": error,
        "organisation": organisation,
        "organisations": readable_organisations(request.user),
        "can_act": access.can_act(request.user),
        "waiting": access.access_runs(request.user).filter(status=DisposalStatus.AWAITING_APPROVAL),
        "nav": "retention",
    }
    return render(request, "retention/overview.html", context)


@require_POST
@staff_required(*access.RETENTION_ACTORS)
def run_now(request: HttpRequest) -> HttpResponse:
    organisation = _organisation(request)
    if organisation is None:
        raise Http404("no organisation")
    try:
        runs = run_rules(
            organisation, Actor.for_user(request.user), rule_ids=request.POST.getlist("rule") or None, inline=False
        )
    except RetentionError as exc:
        messages.error(request, exc.message)
        return redirect("console:retention")
    waiting = sum(run.status == DisposalStatus.AWAITING_APPROVAL for run in runs)
    messages.info(request, _("%(runs)d runs: %(waiting)d wait for approval.") % {"runs": len(runs), "waiting": waiting})
    return redirect("console:retention_runs")


@staff_required(*access.RETENTION_READERS)
def run_list(request: HttpRequest) -> HttpResponse:
    runs = access.access_runs(request.user)[:200]
    return render(request, "retention/runs.html", {"runs": runs, "nav": "retention"})


@staff_required(*access.RETENTION_READERS)
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    run = access.access_run(request.user, run_id)
    context = {
        "run": run,
        "steps": run.steps.order_by("position"),
        "can_act": access.can_act(request.user),
        "nav": "retention",
    }
    return render(request, "retention/run.html", context)


@staff_required(*access.RETENTION_ACTORS)
def run_approve(request: HttpRequest, run_id: int) -> HttpResponse:
    """GET: the confirmation page (what will go, and that it cannot be undone); POST: approve."""
    run = access.access_run(request.user, run_id, act=True)
    context = {"run": run, "nav": "retention"}
    if request.method != "POST":
        return render(request, "retention/approve.html", context)
    try:
        approve_run(run.pk, request.user, confirmed=request.POST.get("confirm") == "dispose")
    except RetentionError as exc:
        return render(request, "retention/approve.html", {**context, "error": exc.message}, status=400)
    messages.success(request, _("Approved: the disposal is queued."))
    return redirect("console:retention_run", run.pk)


@staff_required(*access.RETENTION_READERS)
def certificate(request: HttpRequest, run_id: int, fmt: str) -> HttpResponse:
    run = access.access_run(request.user, run_id)
    language = request.GET.get("lang", "en")
    if run.certificate is None or language not in LANGUAGES or fmt not in ("json", "html"):
        raise Http404("no certificate")
    if fmt == "json":
        body = json.dumps(
            localised(run.certificate, language) | {"sha256": run.certificate_hash}, ensure_ascii=False, indent=2
        )
        return HttpResponse(body, content_type="application/json; charset=utf-8")
    return HttpResponse(render_html(run, language))
