"""Who may see rights requests: officers and agents work them, auditors read; marketing never."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from mamori.accounts.models import Role
from mamori.rights.models import RightsRequest

REQUEST_WORKERS: tuple[str, ...] = (Role.PRIVACY_OFFICER, Role.SUPPORT_AGENT)
REQUEST_READERS: tuple[str, ...] = (*REQUEST_WORKERS, Role.AUDITOR)
CLOSURE_MANAGERS: tuple[str, ...] = (Role.PRIVACY_OFFICER, Role.ADMIN)


def access_request(user: Any, request_id: int, *, write: bool = False) -> RightsRequest:
    roles = REQUEST_WORKERS if write else REQUEST_READERS
    if not getattr(user, "is_authenticated", False) or not user.has_role(*roles):
        raise PermissionDenied
    request = RightsRequest.objects.select_related("assignee").filter(pk=request_id).first()
    if request is None:
        raise Http404("no such request")
    return request


def access_request_intake(user: Any) -> None:
    """May the user record a new request (staff entry, the API)? PermissionDenied if not."""
    if not getattr(user, "is_authenticated", False) or not user.has_role(*REQUEST_WORKERS):
        raise PermissionDenied


def access_requests(user: Any) -> Any:
    if not getattr(user, "is_authenticated", False) or not user.has_role(*REQUEST_READERS):
        raise PermissionDenied
    return RightsRequest.objects.select_related("assignee")
