"""Who may read and write the register: privacy officers and admins write (through the API or the
CLI), auditors also read; support agents and marketing see nothing of it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from mamori.accounts.models import Role
from mamori.disclosures.models import TransferRecord

REGISTER_READERS: tuple[str, ...] = (Role.PRIVACY_OFFICER, Role.ADMIN, Role.AUDITOR)
REGISTER_WRITERS: tuple[str, ...] = (Role.PRIVACY_OFFICER, Role.ADMIN)


def _check(user: Any, roles: tuple[str, ...]) -> None:
    if getattr(user, "role", "") not in roles:
        raise PermissionDenied


def access_records(user: Any) -> QuerySet[TransferRecord]:
    _check(user, REGISTER_READERS)
    return TransferRecord.objects.all()


def access_record(user: Any, record_id: int) -> TransferRecord:
    _check(user, REGISTER_READERS)
    try:
        return TransferRecord.objects.get(pk=record_id)
    except TransferRecord.DoesNotExist:
        raise Http404("no such record") from None
