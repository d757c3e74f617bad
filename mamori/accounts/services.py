"""Staff account changes. Each function runs in one transaction and writes the audit log."""

from __future__ import annotations

import secrets
from base64 import b32encode

from axes.utils import reset as axes_reset
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from mamori.accounts.models import Role, User
from mamori.audit.services import Actor, record
from mamori.core.errors import DomainError

DEMO_USERNAME = "demo"


class AccountsError(DomainError):
    code = "accounts_error"


def _check_role(role: str, *, allow_none: bool = False) -> str:
    role = str(role)
    if role == "" and allow_none:
        return role
    if role not in Role.values:
        raise AccountsError(
            _("Unknown role %(role)s; choose one of: %(roles)s") % {"role": role, "roles": ", ".join(Role.values)},
            code="unknown_role",
        )
    return role


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise AccountsError(" ".join(str(m) for m in exc.messages), code="weak_password") from exc


def _would_lose_last_admin(user: User) -> bool:
    if not user.has_role(Role.ADMIN):
        return False
    return not User.objects.filter(is_active=True, role=Role.ADMIN).exclude(pk=user.pk).exists()


def create_staff(actor: Actor, *, username: str, role: str, password: str) -> User:
    role = _check_role(role)
    username = username.strip()
    if not username:
        raise AccountsError(_("A username is required."), code="username_required")
    with transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise AccountsError(_("The username %(username)s is taken.") % {"username": username}, code="taken")
        user = User(username=username, role=role)
        try:
            user.full_clean(exclude=["password"])
        except ValidationError as exc:
            raise AccountsError(" ".join(exc.messages), code="invalid") from exc
        _check_password(password, user)
        user.set_password(password)
        user.save()
        record(
            actor,
            "staff.created",
            target_type="staff",
            target_id=str(user.pk),
            details={"username": username, "role": role},
        )
    return user


def change_role(actor: Actor, user: User, role: str) -> User:
    """`role=""` removes the role: the account stays but can no longer use the console."""
    role = _check_role(role, allow_none=True)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        old = user.role
        if old == role:
            return user
        if _would_lose_last_admin(user):
            raise AccountsError(_("This is the last active administrator."), code="last_admin")
        user.role = role
        user.save(update_fields=["role"])
        record(
            actor, "staff.role_changed", target_type="staff", target_id=str(user.pk), details={"from": old, "to": role}
        )
    return user


def deactivate(actor: Actor, user: User) -> User:
    """The account is kept (its audit history refers to it) but can no longer sign in."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if not user.is_active:
            return user
        if _would_lose_last_admin(user):
            raise AccountsError(_("This is the last active administrator."), code="last_admin")
        user.is_active = False
        user.save(update_fields=["is_active"])
        record(actor, "staff.deactivated", target_type="staff", target_id=str(user.pk))
    return user


def reset_password(actor: Actor, user: User, new_password: str) -> User:
    """Set a new password and lift a lock-out caused by failed sign-ins."""

    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        _check_password(new_password, user)
        user.set_password(new_password)
        user.save(update_fields=["password"])
        axes_reset(username=user.get_username())
        record(actor, "staff.password_reset", target_type="staff", target_id=str(user.pk))
    return user


def enrol_totp(actor: Actor, user: User) -> TOTPDevice:
    """Start (or restart) enrolment: a new unconfirmed device; confirmed devices stay until confirm."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
        record(actor, "staff.totp_enrolment_started", target_type="staff", target_id=str(user.pk))
    return device


def confirm_totp(actor: Actor, user: User, code: str) -> TOTPDevice:
    """Confirm the pending device with a code from the app; it replaces any earlier device."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).last()
        if device is None:
            raise AccountsError(_("There is no authenticator enrolment to confirm."), code="no_enrolment")
        if not device.verify_token(code.strip()):
            raise AccountsError(_("That code is not right. Check the app and try again."), code="wrong_code")
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save()
        record(actor, "staff.totp_confirmed", target_type="staff", target_id=str(user.pk))
    return device


def reset_totp(actor: Actor, user: User) -> None:
    """Remove the user's authenticators; they enrol a new one at their next sign-in."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        record(actor, "staff.totp_reset", target_type="staff", target_id=str(user.pk))


def totp_secret_base32(device: TOTPDevice) -> str:
    return b32encode(device.bin_key).decode("ascii").rstrip("=")


def ensure_demo_staff() -> tuple[str, str, str]:
    """Create or reset the demo privacy officer: (username, new random password, TOTP secret base32)."""
    actor = Actor.system("demo")
    password = secrets.token_urlsafe(15)
    with transaction.atomic():
        user, created = User.objects.get_or_create(username=DEMO_USERNAME, defaults={"role": Role.PRIVACY_OFFICER})
        user.role = Role.PRIVACY_OFFICER
        user.is_active = True
        user.set_password(password)
        user.save()
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(user=user, name="demo", confirmed=True)

        axes_reset(username=DEMO_USERNAME)
        record(
            actor,
            "staff.created" if created else "staff.demo_reset",
            target_type="staff",
            target_id=str(user.pk),
            details={"username": DEMO_USERNAME, "role": Role.PRIVACY_OFFICER.value},
        )
    return DEMO_USERNAME, password, totp_secret_base32(device)


def current_totp_code(device: TOTPDevice) -> str:
    """The code the device's authenticator app shows right now (demo and tests only)."""

    totp = TOTP(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    return str(totp.token()).zfill(device.digits)
