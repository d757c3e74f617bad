"""State of retention: disposal runs (one per rule and moment), their steps, rule approvals.

Runs and steps hold counts, table and column names only; the located keys of people with open
rights requests (whose rows a run leaves alone) are stored encrypted, like fulfilment's state.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mamori.core.crypto import decrypt_json


class DisposalStatus(models.TextChoices):
    AWAITING_APPROVAL = "awaiting_approval", _("waiting for approval")
    RUNNING = "running", _("running")
    COMPLETED = "completed", _("completed")
    NEEDS_REVIEW = "needs_review", _("needs review")
    FAILED = "failed", _("failed")


OPEN_STATUSES = (DisposalStatus.AWAITING_APPROVAL, DisposalStatus.RUNNING, DisposalStatus.FAILED)


class RuleApproval(models.Model):
    """An officer approved this exact version of a rule (its fingerprint); later runs go ahead."""

    organisation = models.CharField(_("organisation"), max_length=100)
    rule_id = models.CharField(_("rule"), max_length=100)
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField(_("approved"), default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "rule_id", "fingerprint"], name="retention_one_approval")
        ]

    def __str__(self) -> str:
        return f"approval of {self.rule_id} ({self.fingerprint[:12]})"


class DisposalRun(models.Model):
    organisation = models.CharField(_("organisation"), max_length=100, db_index=True)
    rule_id = models.CharField(_("rule"), max_length=100)
    rule_name = models.JSONField(_("rule name"), default=dict)  # {en, ja}
    internal = models.BooleanField(_("mamori's own data"), default=False)
    map_version = models.PositiveIntegerField(_("map version"), default=0)
    fingerprint = models.CharField(_("fingerprint"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=DisposalStatus.choices)
    reason = models.CharField(_("why it waits"), max_length=20, blank=True)  # new_rule | max_share
    as_of = models.DateTimeField(_("as of"))
    plan = models.JSONField(_("plan"), default=dict)  # {"tables": [TableCounts...], "window": {...}}
    verification = models.JSONField(_("verification"), default=dict)  # residue per system/table
    sealed_protected = models.BinaryField(_("protected people (encrypted)"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    certificate = models.JSONField(_("certificate"), null=True, blank=True)
    certificate_hash = models.CharField(_("certificate hash"), max_length=64, blank=True)
    keep_until = models.DateTimeField(_("kept until"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "rule_id", "status"])]

    def __str__(self) -> str:
        return f"disposal run {self.pk} {self.rule_id} ({self.status})"

    @property
    def protected_state(self) -> dict[str, Any]:
        return decrypt_json(self.sealed_protected, {}) or {}


class DisposalStep(models.Model):
    """One table of a run; its counters move after every committed batch (resumable)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    run = models.ForeignKey(DisposalRun, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField()
    system = models.CharField(_("system"), max_length=100)
    table = models.CharField(_("table"), max_length=100)
    action = models.CharField(_("action"), max_length=16)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    deleted = models.PositiveBigIntegerField(_("deleted"), default=0)
    updated = models.PositiveBigIntegerField(_("erased in place"), default=0)
    batches = models.PositiveIntegerField(_("batches"), default=0)
    last_key = models.JSONField(_("last key"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["run", "position"]
        constraints = [models.UniqueConstraint(fields=["run", "position"], name="retention_step_position")]

    def __str__(self) -> str:
        return f"{self.system}.{self.table} ({self.status})"
