from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RequestFile(models.Model):
    """A file attached to a request, always encrypted (mamori.core.crypto) in the database.

    Identity and agent documents are purged when the request closes; results when their download
    link expires.
    """

    class Kind(models.TextChoices):
        AGENT_PERMISSION = "agent_permission", _("Written permission from the person")
        AGENT_IDENTITY = "agent_identity", _("Agent's identity document")
        IDENTITY = "identity", _("Requester's identity document")
        DECLARATION = "declaration", _("Signed declaration")
        RESULT = "result", _("Result for the requester")

    class Review(models.TextChoices):
        PENDING = "pending", _("Not reviewed")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    request = models.ForeignKey("rights.RightsRequest", on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100, default="application/octet-stream")
    size = models.PositiveIntegerField()
    encrypted = models.BinaryField()
    review = models.CharField(max_length=16, choices=Review.choices, default=Review.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} of request {self.request_id}"


class DownloadLog(models.Model):
    """Every download of a result by the requester (the status page) or a file by staff."""

    request = models.ForeignKey("rights.RightsRequest", on_delete=models.CASCADE, related_name="downloads")
    file_kind = models.CharField(max_length=32)
    by_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"download of request {self.request_id} at {self.at}"
