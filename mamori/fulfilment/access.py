"""Who may see fulfilment runs, tasks and recipient notices: privacy officers and support agents."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from mamori.accounts.models import Role
from mamori.fulfilment.models import FulfilmentRun, ManualTask, RecipientNotice

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


def access_notices(user: Any) -> Any:
    """Recipient notices (stop provision, opt-out, Art. 19): the staff who work fulfilment."""
    _check(user)
    return RecipientNotice.objects.all()


def access_notice(user: Any, notice_id: int) -> RecipientNotice:
    _check(user)
    try:
        return RecipientNotice.objects.get(pk=notice_id)
    except RecipientNotice.DoesNotExist:
        raise Http404("no such notice") from None
