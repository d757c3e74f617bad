"""The two-step console sign-in: password first, then an authenticator code.

Between the steps nobody is signed in: the session only remembers whose password was right
(for a few minutes). `django.contrib.auth.login` runs after the second factor, so there is never
a half-signed-in session for a careless view to trust. Wrong codes count towards the same
django-axes lock-out as wrong passwords.
"""

from __future__ import annotations

import time
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import login, user_login_failed
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from mamori.accounts.access import STAFF_ROLES
from mamori.accounts.models import User
from mamori.audit.services import Actor, record

PENDING_USER = "mamori_signin_user"
PENDING_BACKEND = "mamori_signin_backend"
PENDING_SINCE = "mamori_signin_since"
PENDING_SECONDS = 10 * 60  # long enough to install an authenticator app
SIGNIN_ACTOR = Actor.system("console-signin")


def may_use_console(user: Any) -> bool:
    return bool(user is not None and user.is_active and user.role in STAFF_ROLES)


def is_locked(request: HttpRequest, username: str) -> bool:
    return bool(AxesProxyHandler.is_locked(request, {"username": username}))


def start(request: HttpRequest, user: User) -> None:
    """The password was right: remember the user until the second factor is checked."""
    request.session[PENDING_USER] = user.pk
    request.session[PENDING_BACKEND] = getattr(user, "backend", "django.contrib.auth.backends.ModelBackend")
    request.session[PENDING_SINCE] = time.time()


def clear(request: HttpRequest) -> None:
    for key in (PENDING_USER, PENDING_BACKEND, PENDING_SINCE):
        request.session.pop(key, None)


def pending_user(request: HttpRequest) -> User | None:
    pk = request.session.get(PENDING_USER)
    since = request.session.get(PENDING_SINCE, 0)
    if pk is None or time.time() - float(since) > PENDING_SECONDS:
        clear(request)
        return None
    user = User.objects.filter(pk=pk).first()
    if not may_use_console(user):
        clear(request)
        return None
    return user


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def check_code(user: User, code: str) -> TOTPDevice | None:
    """The confirmed device that accepts `code`, or None (django-otp also throttles guessing)."""
    code = code.strip().replace(" ", "")
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(code):
            return device
    return None


def code_failed(request: HttpRequest, user: User) -> None:
    """Count a wrong code like a wrong password (django-axes listens to this signal)."""
    record(SIGNIN_ACTOR, "auth.otp_failed", target_type="staff", target_id=str(user.pk))
    user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=request)


def password_failed(username: str) -> None:
    user = User.objects.filter(username=username).first()
    if user is None:
        # The typed name may be anything (even a password typed in the wrong box): don't keep it.
        record(SIGNIN_ACTOR, "auth.login_failed", details={"known_user": False})
    else:
        record(SIGNIN_ACTOR, "auth.login_failed", target_type="staff", target_id=str(user.pk))


def refused_without_role(user: User) -> None:
    record(
        SIGNIN_ACTOR, "auth.login_refused", target_type="staff", target_id=str(user.pk), details={"reason": "no_role"}
    )


def finish(request: HttpRequest, user: User, device: TOTPDevice) -> None:
    """Both factors passed: sign in for real (new session key) and mark the session verified."""
    backend = request.session.get(PENDING_BACKEND, "django.contrib.auth.backends.ModelBackend")
    clear(request)
    login(request, user, backend=backend)
    otp_login(request, device)
    record(Actor.for_user(user), "auth.login_succeeded", target_type="staff", target_id=str(user.pk))


def safe_next(request: HttpRequest, candidate: str | None, default: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default
