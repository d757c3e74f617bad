"""Who may see and act on retention: officers and admins act, auditors read, nobody else."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from mamori.accounts.models import Role
from mamori.retention.models import DisposalRun

RETENTION_ACTORS: tuple[str, ...] = (Role.PRIVACY_OFFICER, Role.ADMIN)
RETENTION_READERS: tuple[str, ...] = (*RETENTION_ACTORS, Role.AUDITOR)


def can_act(user: Any) -> bool:
    return getattr(user, "role", "") in RETENTION_ACTORS


def _check(user: Any, roles: tuple[str, ...]) -> None:
    if getattr(user, "role", "") not in roles:
        raise PermissionDenied


def require_reader(user: Any) -> None:
    """Retention's rules and dry run are read by the same roles as its runs."""
    _check(user, RETENTION_READERS)


def access_runs(user: Any) -> Any:
    _check(user, RETENTION_READERS)
    return DisposalRun.objects.select_related("approved_by")


def access_run(user: Any, run_id: int, *, act: bool = False) -> DisposalRun:
    _check(user, RETENTION_ACTORS if act else RETENTION_READERS)
    try:
        return DisposalRun.objects.select_related("approved_by").get(pk=run_id)
    except DisposalRun.DoesNotExist:
        raise Http404("no such run") from None
