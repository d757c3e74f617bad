"""The incident register's state. Personal data (notes, evidence, the affected people's contact
addresses) is encrypted at rest; people are named in clear only by a keyed hash."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mamori.core.fields import EncryptedTextField


class Kind(models.TextChoices):
    LEAK = "leak", _("Leak")
    LOSS = "loss", _("Loss")
    ALTERATION = "alteration", _("Alteration")
    DAMAGE = "damage", _("Damage")


class Cause(models.TextChoices):
    UNAUTHORISED_ACCESS = "unauthorised_access", _("Unauthorised access")
    MISDELIVERY = "misdelivery", _("Misdelivery")
    LOST_DEVICE = "lost_device", _("Lost device")
    INSIDER = "insider", _("Insider")
    RANSOMWARE = "ransomware", _("Ransomware")
    PROCESSOR_BREACH = "processor_breach", _("A processor's breach")


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    CONTAINED = "contained", _("Contained")
    CLOSED = "closed", _("Closed")


class Incident(models.Model):
    organisation = models.CharField(max_length=64, db_index=True)
    reference = models.CharField(max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=200)
    map_version = models.PositiveIntegerField()
    aware_at = models.DateTimeField(_("became aware"))
    occurred_at = models.DateTimeField(_("happened"), null=True, blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    cause = models.CharField(max_length=24, choices=Cause.choices)
    possibly_malicious = models.BooleanField(default=False)
    encrypted = models.BooleanField(default=False)
    key_compromised = models.BooleanField(default=False)
    # {"systems": [...], "tables": ["system.table"], "categories": [...],
    #  "selector": {"system", "table", "column", "from", "to"} | null}
    scope = models.JSONField(default=dict)
    people_estimated = models.PositiveIntegerField(null=True, blank=True)
    people_confirmed = models.PositiveIntegerField(null=True, blank=True)
    counts = models.JSONField(default=dict)  # per jurisdiction group, from the data
    counted_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="incidents"
    )
    overrides = models.JSONField(default=dict)  # law -> {report_authority, notify_people, reason, by, at}
    done = models.JSONField(default=dict)  # deadline key -> ISO time it was met
    actions_summary_en = models.TextField(blank=True)
    actions_summary_ja = models.TextField(blank=True)
    public_notice_en = models.TextField(blank=True)
    public_notice_ja = models.TextField(blank=True)
    public_notice_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-aware_at", "-pk"]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status != Status.CLOSED

    def people(self) -> int:
        """The best number known: confirmed, else found in the data, else estimated."""
        if self.people_confirmed is not None:
            return self.people_confirmed
        counted = sum(int(value) for value in self.counts.values()) if self.counts else 0
        return max(counted, self.people_estimated or 0)


class TimelineEntry(models.Model):
    class Kind(models.TextChoices):
        NOTE = "note", _("Note")
        EVIDENCE = "evidence", _("Evidence")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField()
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.NOTE)
    author_label = models.CharField(max_length=150)
    text = EncryptedTextField()  # may name people or systems' secrets: encrypted at rest
    file_name = models.CharField(max_length=200, blank=True)
    file_data = models.BinaryField(null=True, blank=True)  # core.crypto token of the evidence file

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.incident_id}:{self.kind}:{self.pk}"


class ReportDraft(models.Model):
    class Form(models.TextChoices):
        PPC = "ppc", _("PPC report (APPI)")
        GDPR = "gdpr", _("GDPR Art. 33 notification")
        CALIFORNIA = "california", _("California Notice of Data Breach")

    class Stage(models.TextChoices):
        PRELIMINARY = "preliminary", _("Preliminary")
        FINAL = "final", _("Final")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="drafts")
    form = models.CharField(max_length=16, choices=Form.choices)
    stage = models.CharField(max_length=16, choices=Stage.choices)
    language = models.CharField(max_length=8)
    text = models.TextField()
    created_at = models.DateTimeField()
    created_by = models.CharField(max_length=150)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_to = models.CharField(max_length=200, blank=True)
    sent_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["form", "stage", "-created_at"]

    def __str__(self) -> str:
        return f"{self.form}-{self.stage}-{self.pk}"


class AffectedPerson(models.Model):
    class Notice(models.TextChoices):
        PENDING = "pending", _("Not sent yet")
        SENT = "sent", _("Sent")
        BOUNCED = "bounced", _("Bounced")
        NO_CONTACT = "no_contact", _("No address: public notice")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="affected")
    subject_hash = models.CharField(max_length=64)  # keyed hash of system + owner key (core.crypto)
    system = models.CharField(max_length=64)
    jurisdiction = models.CharField(max_length=8)  # JP | EEA_UK | US-CA | other
    language = models.CharField(max_length=8, default="en")
    contact = EncryptedTextField(blank=True)  # e-mail address, used only to send the notice
    notice = models.CharField(max_length=16, choices=Notice.choices, default=Notice.PENDING)
    notice_sent_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "subject_hash"], name="incident_person_once"),
        ]

    def __str__(self) -> str:
        return self.subject_hash[:12]


class ReminderSent(models.Model):
    """One row per (incident, deadline, stage): the reminder job sends each once."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="reminders")
    deadline = models.CharField(max_length=32)
    stage = models.CharField(max_length=16)  # "before" | "overdue"
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "deadline", "stage"], name="incident_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.deadline}-{self.stage}"
