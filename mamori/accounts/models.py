"""Staff accounts. Every staff member has exactly one role; a user without a role can do nothing."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PRIVACY_OFFICER = "privacy_officer", _("Privacy officer")
    SUPPORT_AGENT = "support_agent", _("Support agent")
    MARKETING = "marketing", _("Marketing")
    AUDITOR = "auditor", _("Auditor")
    ADMIN = "admin", _("Administrator")


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=[("en", "English"), ("ja", "日本語")], default="en"
    )

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")

    def has_role(self, *roles: str) -> bool:
        return self.is_active and self.role in roles
