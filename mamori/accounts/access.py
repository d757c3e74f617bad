"""Who may see what in the console. Views use `staff_required`; services trust their callers."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from mamori.accounts.models import Role

STAFF_ROLES: tuple[str, ...] = tuple(Role.values)
MAP_READERS: tuple[str, ...] = (
    Role.PRIVACY_OFFICER,
    Role.SUPPORT_AGENT,
    Role.MARKETING,
    Role.AUDITOR,
    Role.ADMIN,
)
MAP_MANAGERS: tuple[str, ...] = (Role.PRIVACY_OFFICER, Role.ADMIN)
AUDIT_READERS: tuple[str, ...] = (Role.PRIVACY_OFFICER, Role.AUDITOR)
STAFF_MANAGERS: tuple[str, ...] = (Role.ADMIN, Role.PRIVACY_OFFICER)

View = TypeVar("View", bound=Callable[..., HttpResponse])


def is_console_user(user: Any) -> bool:
    """Signed in with password and second factor, active, and holding a staff role."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.role in STAFF_ROLES
        and getattr(user, "is_verified", lambda: False)()
    )


def staff_required(*roles: str) -> Callable[[View], View]:
    """Anonymous or not yet 2FA-verified -> sign-in page; wrong (or no) role -> 403.

    No roles given means any staff role.
    """
    allowed = tuple(str(role) for role in roles) or STAFF_ROLES
    unknown = set(allowed) - set(STAFF_ROLES)
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            verified = getattr(user, "is_verified", lambda: False)()
            if not user.is_authenticated or not verified:
                return redirect_to_login(request.get_full_path(), reverse("console:login"))
            if not user.is_active or getattr(user, "role", "") not in allowed:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return cast(View, wrapped)

    return decorator
