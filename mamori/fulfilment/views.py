"""Console pages: fulfilment runs (plan, steps) and the manual tasks staff complete."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mamori.accounts.access import staff_required
from mamori.fulfilment import access
from mamori.fulfilment.models import ManualTask
from mamori.fulfilment.services.common import FulfilmentError
from mamori.fulfilment.services.execution import RESUMABLE, queue_resume
from mamori.fulfilment.services.manual_tasks import complete_manual_task


@staff_required(*access.FULFILMENT_STAFF)
def run_list(request: HttpRequest) -> HttpResponse:
    runs = access.access_runs(request.user)[:200]
    open_tasks = ManualTask.objects.filter(status=ManualTask.Status.OPEN).count()
    return render(request, "fulfilment/runs.html", {"runs": runs, "open_tasks": open_tasks, "nav": "fulfilment"})


@staff_required(*access.FULFILMENT_STAFF)
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    run = access.access_run(request.user, run_id)
    context = {
        "run": run,
        "steps": run.steps.order_by("position"),
        "tasks": run.manual_tasks.all(),
        "can_complete": True,
        "can_resume": run.status in RESUMABLE,
        "nav": "fulfilment",
    }
    return render(request, "fulfilment/run.html", context)


@require_POST
@staff_required(*access.FULFILMENT_STAFF)
def run_resume(request: HttpRequest, run_id: int) -> HttpResponse:
    run = access.access_run(request.user, run_id)
    if queue_resume(run):
        messages.info(request, _("The remaining steps are queued."))
    return redirect("console:fulfilment_run", run.pk)


@staff_required(*access.FULFILMENT_STAFF)
def task_list(request: HttpRequest) -> HttpResponse:
    tasks = ManualTask.objects.filter(status=ManualTask.Status.OPEN).select_related("run")
    return render(request, "fulfilment/tasks.html", {"tasks": tasks, "can_complete": True, "nav": "fulfilment"})


@require_POST
@staff_required(*access.FULFILMENT_STAFF)
def task_complete(request: HttpRequest, task_id: int) -> HttpResponse:
    task = access.access_task(request.user, task_id)
    try:
        complete_manual_task(
            task.pk, request.user, note=request.POST.get("note", ""), evidence=request.FILES.get("evidence")
        )
    except FulfilmentError as exc:
        tasks = ManualTask.objects.filter(status=ManualTask.Status.OPEN).select_related("run")
        context = {"tasks": tasks, "can_complete": True, "error": exc.message, "nav": "fulfilment"}
        return render(request, "fulfilment/tasks.html", context, status=400)
    messages.success(request, _("The task is marked as done."))
    return redirect("console:fulfilment_run", task.run_id)
