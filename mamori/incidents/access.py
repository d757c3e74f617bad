"""Who may see incidents: officers and admins edit, auditors read; support agents and marketing never."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from mamori.accounts.models import Role
from mamori.incidents.models import Incident

INCIDENT_EDITORS: tuple[str, ...] = (Role.PRIVACY_OFFICER, Role.ADMIN)
INCIDENT_READERS: tuple[str, ...] = (*INCIDENT_EDITORS, Role.AUDITOR)


def _check(user: Any, write: bool) -> None:
    roles = INCIDENT_EDITORS if write else INCIDENT_READERS
    if not getattr(user, "is_authenticated", False) or not user.has_role(*roles):
        raise PermissionDenied


def access_incident(user: Any, incident_id: int, *, write: bool = False) -> Incident:
    _check(user, write)
    incident = Incident.objects.select_related("owner").filter(pk=incident_id).first()
    if incident is None:
        raise Http404("no such incident")
    return incident


def access_incidents(user: Any) -> QuerySet[Incident]:
    _check(user, False)
    return Incident.objects.select_related("owner")


def can_edit(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_role(*INCIDENT_EDITORS))
