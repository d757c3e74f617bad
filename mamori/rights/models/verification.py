from __future__ import annotations

from django.db import models


class VerificationCode(models.Model):
    """A one-time code e-mailed to the requester. Only a keyed hash of the code is stored."""

    request = models.ForeignKey("rights.RightsRequest", on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"code for request {self.request_id}"
