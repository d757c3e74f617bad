"""State of fulfilment: runs and their steps (resumable), staff tasks, the restriction list.

Whatever identifies a person (identities, located keys, rectified values) is stored encrypted
(`mamori.core.crypto`); plans and summaries in clear hold only counts, table and column names.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mamori.core.crypto import decrypt_json


class RunStatus(models.TextChoices):
    PLANNED = "planned", _("planned (waiting for approval)")
    RUNNING = "running", _("running")
    COMPLETED = "completed", _("completed")
    NEEDS_REVIEW = "needs_review", _("needs review")
    FAILED = "failed", _("failed")


class FulfilmentRun(models.Model):
    organisation = models.CharField(_("organisation"), max_length=100, db_index=True)
    request_id = models.BigIntegerField(_("request"), null=True, blank=True, db_index=True)
    right = models.CharField(_("right"), max_length=40)
    language = models.CharField(_("language"), max_length=8, default="en")
    map_version = models.PositiveIntegerField(_("map version"))
    subjects = models.PositiveIntegerField(_("subjects"), default=1)
    status = models.CharField(_("status"), max_length=16, choices=RunStatus.choices, default=RunStatus.PLANNED)
    plan = models.JSONField(_("plan"), default=dict)  # public plan: counts and strategies only
    summary = models.JSONField(_("summary"), default=dict)
    message = models.TextField(_("message"), blank=True)
    sealed_subjects = models.BinaryField(_("subjects (encrypted)"))
    sealed_details = models.BinaryField(_("details (encrypted)"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "request_id", "right"],
                condition=models.Q(request_id__isnull=False),
                name="fulfilment_one_run_per_request_right",
            )
        ]

    def __str__(self) -> str:
        return f"{self.right} run {self.pk} ({self.status})"

    @property
    def subject_identities(self) -> list[dict[str, str]]:
        return decrypt_json(self.sealed_subjects) or []

    @property
    def details(self) -> dict[str, Any]:
        return decrypt_json(self.sealed_details) or {}


class StepStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    WAITING = "waiting", _("waiting for staff")
    FAILED = "failed", _("failed")


class FulfilmentStep(models.Model):
    run = models.ForeignKey(FulfilmentRun, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField()
    system = models.CharField(_("system"), max_length=100)
    action = models.CharField(_("action"), max_length=16)  # export | erase | verify | rectify | restrict | manual
    status = models.CharField(_("status"), max_length=16, choices=StepStatus.choices, default=StepStatus.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    result = models.JSONField(_("result"), default=dict)  # counts per table, no personal data
    sealed_state = models.BinaryField(_("state (encrypted)"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["run", "position"]
        constraints = [models.UniqueConstraint(fields=["run", "position"], name="fulfilment_step_position")]

    def __str__(self) -> str:
        return f"{self.action} {self.system} ({self.status})"

    @property
    def state(self) -> Any:
        return decrypt_json(self.sealed_state)


class ManualTask(models.Model):
    """A checklist item for staff: a system nobody can reach automatically."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        DONE = "done", _("done")

    run = models.ForeignKey(FulfilmentRun, on_delete=models.CASCADE, related_name="manual_tasks")
    system = models.CharField(_("system"), max_length=100)
    right = models.CharField(_("right"), max_length=40)
    instructions = models.JSONField(_("instructions"), default=dict)  # {en, ja} from the map
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    note = models.TextField(_("note"), blank=True)
    evidence_name = models.CharField(_("evidence file"), max_length=200, blank=True)
    evidence_type = models.CharField(_("evidence type"), max_length=100, blank=True)
    sealed_evidence = models.BinaryField(_("evidence (encrypted)"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "system"], name="fulfilment_one_task_per_system")]

    def __str__(self) -> str:
        return f"{self.system} ({self.status})"


class Restriction(models.Model):
    """Use of a person's data is restricted (GDPR Art. 18, APPI suspension of use).

    Systems query the list by API with hashed identities: SHA-256 of the trimmed, lower-cased
    e-mail address (other kinds: of the trimmed value), never the identity itself. The list stores
    that digest keyed (`services.restrictions.restriction_hash`), never a plain hash.
    """

    organisation = models.CharField(_("organisation"), max_length=100, db_index=True)
    request_id = models.BigIntegerField(_("request"), null=True, blank=True)
    identity_hashes = models.JSONField(_("identity hashes"), default=dict)  # kind -> keyed hash
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"restriction {self.pk}"

    @property
    def active(self) -> bool:
        return self.lifted_at is None


class RecipientNotice(models.Model):
    """A recipient told to stop provision, or of a rectification, erasure or restriction (APPI
    Art. 35(3), CPRA opt-out, GDPR Art. 19), tracked until the recipient confirms."""

    class Channel(models.TextChoices):
        WEBHOOK = "webhook", _("signed webhook")
        EMAIL = "email", _("e-mail")
        TASK = "task", _("task for staff")

    class Status(models.TextChoices):
        SENT = "sent", _("sent, awaiting confirmation")
        PENDING = "pending", _("to be sent by staff")
        CONFIRMED = "confirmed", _("confirmed by the recipient")

    organisation = models.CharField(_("organisation"), max_length=100)
    request_id = models.BigIntegerField(_("request"), null=True, blank=True, db_index=True)
    recipient = models.CharField(_("recipient"), max_length=100)
    kind = models.CharField(_("kind"), max_length=40)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    evidence = models.JSONField(_("evidence"), default=dict)  # channel answers, never identities
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.recipient} {self.kind} ({self.status})"


class ErasedIdentity(models.Model):
    """An identity an erasure collected (given, or found in the person's rows), as a keyed hash.

    After an erasure, rows under a legal hold stay with the person's e-mail masked: a new request
    by that address would find nothing. Its keyed hash leads to the earlier run, whose encrypted
    state holds every identity collected then (the customer number the held rows still carry).
    Removed with the run."""

    organisation = models.CharField(_("organisation"), max_length=100)
    system = models.CharField(_("system"), max_length=100)
    identity_hash = models.CharField(_("identity (keyed hash)"), max_length=64)
    run = models.ForeignKey(FulfilmentRun, on_delete=models.CASCADE, related_name="erased_identities")
    subject = models.PositiveIntegerField(_("subject in the run"))

    class Meta:
        indexes = [models.Index(fields=["organisation", "system", "identity_hash"], name="fulfilment_erased_lookup")]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "system", "subject", "identity_hash"], name="fulfilment_erased_once_per_run"
            )
        ]

    def __str__(self) -> str:
        return f"erased identity of run {self.run_id}"
