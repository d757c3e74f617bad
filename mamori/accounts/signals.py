"""Audit entries for events raised by django-axes."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.dispatch import receiver

from mamori.accounts.models import User
from mamori.audit.services import Actor, record


@receiver(user_locked_out, dispatch_uid="mamori-audit-locked-out")
def audit_locked_out(sender: Any, request: Any = None, username: str | None = None, **kwargs: Any) -> None:
    user = User.objects.filter(username=username).first() if username else None
    actor = Actor.system("console-signin")
    if user is None:
        record(actor, "auth.locked_out", details={"known_user": False})
    else:
        record(actor, "auth.locked_out", target_type="staff", target_id=str(user.pk))
