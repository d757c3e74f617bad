"""Scoped API tokens. Only a SHA-256 of the token is stored; the token is shown once."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# Each scope is "<area>:<read|write>"; domains add theirs here as they add endpoints.
SCOPES: dict[str, str] = {
    "map:read": "Read the applied privacy map and its versions",
    "audit:read": "Read the audit log",
    "requests:read": "Read rights requests",
    "requests:write": "Create and update rights requests",
    "consent:read": "Read consent state and proofs",
    "consent:write": "Record consent events on behalf of a site",
    "fulfilment:write": "Run fulfilment jobs",
    "restrictions:read": "Read the restriction list",
    "recipient-notices:read": "Read the notices sent to recipients (stop provision, opt-out, GDPR Art. 19)",
    "recipient-notices:write": "Record a recipient's confirmation of a notice",
    "records:write": "Report provisions to and receipts from third parties (APPI records)",
    "incidents:read": "Read incidents, their evaluation and deadlines",
    "incidents:write": "Open incidents (e.g. from a monitoring system)",
    "retention:read": "Read retention rules with their dry run, disposal runs and certificates",
    "retention:approve": "Approve a disposal run that waits for an officer",
}


class ApiToken(models.Model):
    name = models.CharField(_("name"), max_length=120)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens")
    prefix = models.CharField(max_length=12, db_index=True)  # shown in lists to tell tokens apart
    token_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def has_scope(self, scope: str) -> bool:
        return scope in self.effective_scopes

    @property
    def effective_scopes(self) -> list[str]:
        """The token's scopes its owner's role still allows (api/scopes.py)."""
        from mamori.api.scopes import allowed_scopes

        allowed = allowed_scopes(self.owner.role)
        return [scope for scope in self.scopes if scope in allowed]
