"""The fixed cast of staff users for tests: real users with a confirmed TOTP device."""

from __future__ import annotations

import itertools
from typing import Any

from django.contrib.auth import BACKEND_SESSION_KEY
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from mamori.accounts.models import User

TEST_PASSWORD = "correct horse battery staple 42"  # noqa: S105 - tests only
_counter = itertools.count(1)


def make_staff(role: str, username: str | None = None, *, password: str = TEST_PASSWORD) -> User:
    """An active user with `role` ("" for a user without a role) and a confirmed TOTP device."""
    if username is None:
        username = f"{role or 'nobody'}{next(_counter)}"
    user = User.objects.create_user(username=username, password=password, role=role)
    TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    return user


def totp_device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.get(user=user, confirmed=True)


def current_totp_code(user: User) -> str:
    """The code an authenticator app would show right now for the user's device."""
    device = totp_device(user)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    return str(code).zfill(device.digits)


def login_staff(client: Client, user: Any) -> None:
    """Sign the test client in as `user`, with the second factor already verified."""
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    assert session[BACKEND_SESSION_KEY]
    session.save()
