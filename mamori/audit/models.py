"""The audit log: an append-only, hash-chained list of everything staff and the system did.

Each entry carries a keyed hash (HMAC, key from the environment: keys.py) of its own canonical
content plus the previous entry's hash, so altering, deleting or reordering entries after the fact
is detectable (see verify.py), even by someone who can write to the database; signed checkpoints
kept outside the database (checkpoints.py) catch truncation and a restored older copy.
The single `AuditChainHead` row remembers the newest sequence number and hash: it serialises
writers (they lock it) and makes deleting the newest entries detectable too.

Details must never carry raw personal data of data subjects (emails, phone numbers, names,
addresses): the log is kept longer than the data it describes. Refer to records by id instead.
"""

from __future__ import annotations

import json
from typing import Any, NoReturn

from django.db import models
from django.utils.translation import gettext_lazy as _

from mamori.core.errors import DomainError

GENESIS_HASH = "0" * 64


class AppendOnlyError(DomainError):
    """Raised when code tries to change or remove audit entries through the ORM."""

    code = "audit_append_only"


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(_("audit entries cannot be updated"))

    def delete(self) -> NoReturn:
        raise AppendOnlyError(_("audit entries cannot be deleted"))

    def bulk_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(_("audit entries are only written through mamori.audit.services.record"))

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(_("audit entries cannot be updated"))


class AuditEntry(models.Model):
    seq = models.PositiveBigIntegerField(_("number"), unique=True)
    at = models.DateTimeField(_("time"))
    actor_kind = models.CharField(_("actor kind"), max_length=16)
    actor_id = models.CharField(_("actor id"), max_length=64, blank=True)
    actor_label = models.CharField(_("actor"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    target_type = models.CharField(_("target type"), max_length=64, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)
    # Which chain key made `hash` (keys.py); empty on an entry that was never keyed.
    key_id = models.CharField(_("key"), max_length=16, blank=True, default="")

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["at"]), models.Index(fields=["actor_kind", "actor_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(_("audit entries cannot be updated"))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(_("audit entries cannot be deleted"))

    @property
    def details_text(self) -> str:
        """`key=value, ...` for display (templates cannot call .items() on a dict with an "items" key)."""
        if not isinstance(self.details, dict):
            return json.dumps(self.details, ensure_ascii=False)
        return ", ".join(
            f"{key}={json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value}"
            for key, value in sorted(self.details.items())
        )


class AuditChainHead(models.Model):
    """One row (pk=1): the newest entry's number and hash. Locked by every writer."""

    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"head #{self.last_seq}"
