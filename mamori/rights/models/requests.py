from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mamori.core.crypto import keyed_email_hash
from mamori.core.fields import EncryptedTextField


def email_hash_or_blank(address: str) -> str:
    return keyed_email_hash(address) if address and address.strip() else ""


def with_email(requests: models.QuerySet[RightsRequest], address: str) -> models.QuerySet[RightsRequest]:
    """Requests made by, or through an agent at, ``address`` (found by keyed hash: the column is encrypted)."""
    address_hash = email_hash_or_blank(address)
    if not address_hash:
        return requests.none()
    return requests.filter(models.Q(requester_email_hash=address_hash) | models.Q(agent_email_hash=address_hash))


class RequestStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    VERIFYING = "verifying", _("Verifying identity")
    VERIFIED = "verified", _("Verified")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    DENIED = "denied", _("Denied")
    CLOSED_UNVERIFIED = "closed_unverified", _("Closed: identity not verified")


OPEN_STATUSES = (RequestStatus.RECEIVED, RequestStatus.VERIFYING, RequestStatus.VERIFIED, RequestStatus.IN_PROGRESS)
CLOSED_STATUSES = (RequestStatus.COMPLETED, RequestStatus.DENIED, RequestStatus.CLOSED_UNVERIFIED)


class Channel(models.TextChoices):
    """How a request came in; the acknowledgement goes back the same way (CP4)."""

    FORM = "form", _("Privacy center form")
    API = "api", _("API")
    EMAIL = "email", _("E-mail")
    POST = "post", _("Mail (post)")
    PHONE = "phone", _("Telephone")
    FAX = "fax", _("Fax")
    IN_PERSON = "in_person", _("In person / paper form")


ELECTRONIC_CHANNELS = (Channel.FORM, Channel.API, Channel.EMAIL)


class Delivery(models.TextChoices):
    """How the requester wants the answer (APPI Art. 33)."""

    ELECTRONIC = "electronic", _("Electronically (download)")
    PAPER = "paper", _("On paper, by post")


class RightsRequest(models.Model):
    organisation = models.SlugField(max_length=64, db_index=True)
    map_version = models.PositiveIntegerField()
    reference = models.CharField(max_length=16, unique=True)  # shown to the requester and staff
    right = models.CharField(max_length=40)
    jurisdiction = models.CharField(max_length=8)
    law = models.CharField(max_length=16)
    calendar_id = models.CharField(max_length=8)
    status = models.CharField(max_length=24, choices=RequestStatus.choices, default=RequestStatus.RECEIVED)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    delivery = models.CharField(max_length=16, choices=Delivery.choices, default=Delivery.ELECTRONIC)
    language = models.CharField(max_length=8, default="en")

    # The requester (purged with the record). Everything that identifies a person is encrypted at
    # rest; e-mail addresses are found through their keyed hashes (crypto.keyed_email_hash), which
    # save() keeps in step.
    requester_name = EncryptedTextField()
    requester_email = EncryptedTextField(blank=True)
    requester_email_hash = models.CharField(max_length=64, blank=True, db_index=True)
    postal_address = EncryptedTextField(blank=True)
    phone = EncryptedTextField(blank=True)
    data_points_encrypted = models.BinaryField(default=b"")
    details_encrypted = models.BinaryField(default=b"")
    specific_pieces = models.BooleanField(default=False)  # CPRA: 3 points + signed declaration
    declaration_signed = models.BooleanField(default=False)
    is_agent = models.BooleanField(default=False)
    agent_name = EncryptedTextField(blank=True)
    agent_email = EncryptedTextField(blank=True)
    agent_email_hash = models.CharField(max_length=64, blank=True, db_index=True)

    status_token_hash = models.CharField(max_length=64, unique=True)  # the lookup key of the status link
    # The link itself, encrypted, so that mail sent later (the completion) can carry it; empty for
    # requests made before it was kept.
    status_token = EncryptedTextField(blank=True)
    email_verified_at = models.DateTimeField(null=True, blank=True)
    identity_verified_at = models.DateTimeField(null=True, blank=True)
    identity_method = models.CharField(max_length=32, blank=True)
    matched_points = models.PositiveSmallIntegerField(default=0)
    needs_staff_review = models.BooleanField(default=False)

    # Clocks: moments in UTC; the *_at deadlines are the end of the legal day in the controller's zone.
    received_at = models.DateTimeField()
    received_on = models.DateField()  # the date it counts as received (after-hours rule applied)
    acknowledge_by = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_via = models.CharField(max_length=16, blank=True)
    due_at = models.DateTimeField(db_index=True)
    original_due_at = models.DateTimeField()
    extend_limit_at = models.DateTimeField(null=True, blank=True)
    extended_at = models.DateTimeField(null=True, blank=True)
    extension_reason = models.TextField(blank=True)
    verify_by = models.DateTimeField()
    paused_since = models.DateTimeField(null=True, blank=True)

    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_requests"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    plan = models.JSONField(null=True, blank=True)
    outcome_status = models.CharField(max_length=16, blank=True)
    outcome_summary = models.JSONField(null=True, blank=True)
    response_message = models.TextField(blank=True)
    denial_ground = models.CharField(max_length=40, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    result_expires_at = models.DateTimeField(null=True, blank=True)
    last_reminded_on = models.DateField(null=True, blank=True)
    purge_after = models.DateTimeField(null=True, blank=True)  # set when closed: records period (CP7)

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["status", "due_at"])]

    def __str__(self) -> str:
        return self.reference

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Keep the lookup hashes in step with the (encrypted) addresses they stand for."""
        self.requester_email_hash = email_hash_or_blank(self.requester_email)
        self.agent_email_hash = email_hash_or_blank(self.agent_email)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"requester_email", "agent_email"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "requester_email_hash", "agent_email_hash"}
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_paused(self) -> bool:
        return self.paused_since is not None


class RequestNote(models.Model):
    """An internal note by staff; never shown to the requester."""

    request = models.ForeignKey(RightsRequest, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField()
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"note on {self.request_id}"


class RequestPause(models.Model):
    """The clock stopped while waiting for the requester (only where the rule allows it)."""

    request = models.ForeignKey(RightsRequest, on_delete=models.CASCADE, related_name="pauses")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField()

    class Meta:
        ordering = ["started_at"]

    def __str__(self) -> str:
        return f"pause of {self.request_id}"
