"""Who may see fulfilment runs and tasks: privacy officers and support agents."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from mamori.accounts.models import Role
from mamori.fulfilment.models import FulfilmentRun, ManualTask

FULFILMENT_STAFF: tuple[str, ...] = (Role.PRIVACY_OFFICER, Role.SUPPORT_AGENT)


def _check(user: Any) -> None:
    if getattr(user, "role", "") not in FULFILMENT_STAFF:
        raise PermissionDenied


def access_runs(user: Any) -> Any:
    _check(user)
    return FulfilmentRun.objects.all()


def access_run(user: Any, run_id: int) -> FulfilmentRun:
    _check(user)
    try:
        return FulfilmentRun.objects.get(pk=run_id)
    except FulfilmentRun.DoesNotExist:
        raise Http404("no such run") from None


def access_task(user: Any, task_id: int) -> ManualTask:
    _check(user)
    try:
        return ManualTask.objects.select_related("run").get(pk=task_id)
    except ManualTask.DoesNotExist:
        raise Http404("no such task") from None
