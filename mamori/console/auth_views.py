"""Console sign-in (password, then authenticator code), authenticator enrolment, sign-out.

The logic lives in mamori.accounts.signin; these views only move between the steps.
"""

from __future__ import annotations

from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth import authenticate, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from mamori.accounts import services, signin
from mamori.accounts.access import is_console_user
from mamori.accounts.forms import CodeForm, PasswordStepForm
from mamori.audit.services import Actor, record


def _next(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next")
    return signin.safe_next(request, candidate, reverse("console:dashboard"))


def _step_url(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """django-axes calls this (AXES_LOCKOUT_CALLABLE) whenever a locked-out account tries again."""
    if hasattr(request, "session"):
        signin.clear(request)
    minutes = max(1, round(float(settings.AXES_COOLOFF_TIME) * 60))
    message = _(
        "Too many failed attempts: this account is locked for %(minutes)s minutes. "
        "An administrator can lift the lock by resetting the password."
    ) % {"minutes": minutes}
    context = {"form": PasswordStepForm(), "locked_message": message, "next": reverse("console:dashboard")}
    return render(request, "console/login.html", context, status=429)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = _next(request)
    if is_console_user(request.user):
        return HttpResponseRedirect(next_url)
    form = PasswordStepForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        user = authenticate(request, username=username, password=form.cleaned_data["password"])
        if user is None:
            if getattr(request, "axes_locked_out", False):
                return lockout_response(request)
            signin.password_failed(username)
            form.add_error(None, _("Wrong username or password."))
        elif not signin.may_use_console(user):
            signin.refused_without_role(user)
            form.add_error(None, _("This account may not use the console. Ask an administrator for a role."))
        else:
            signin.start(request, user)
            step = "console:otp_verify" if signin.confirmed_device(user) else "console:otp_setup"
            return HttpResponseRedirect(_step_url(step, next_url))
    return render(request, "console/login.html", {"form": form, "next": next_url})


def _second_step(request: HttpRequest, next_url: str, *, enrolling: bool) -> tuple[Any, HttpResponse | None]:
    """The user between password and code, or where to send them instead (sign-in, lock-out, the other step)."""
    user = signin.pending_user(request)
    if user is None:
        return None, redirect(_step_url("console:login", next_url))
    if signin.is_locked(request, user.get_username()):
        return None, lockout_response(request)
    has_device = signin.confirmed_device(user) is not None
    if enrolling and has_device:
        return None, redirect(_step_url("console:otp_verify", next_url))
    if not enrolling and not has_device:
        return None, redirect(_step_url("console:otp_setup", next_url))
    return user, None


def _code_failed(request: HttpRequest, user: Any, form: CodeForm) -> HttpResponse | None:
    signin.code_failed(request, user)
    if getattr(request, "axes_locked_out", False) or signin.is_locked(request, user.get_username()):
        return lockout_response(request)
    form.add_error("code", _("That code is not right. Check the app and try again."))
    return None


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def otp_verify_view(request: HttpRequest) -> HttpResponse:
    next_url = _next(request)
    user, elsewhere = _second_step(request, next_url, enrolling=False)
    if elsewhere is not None:
        return elsewhere
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = signin.check_code(user, form.cleaned_data["code"])
        if device is not None:
            signin.finish(request, user, device)
            return HttpResponseRedirect(next_url)
        locked = _code_failed(request, user, form)
        if locked is not None:
            return locked
    return render(request, "console/otp_verify.html", {"form": form, "next": next_url, "pending": user})


def _qr_svg(device: TOTPDevice) -> str:
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    svg = image.to_string(encoding="unicode")
    # Drop the XML declaration so the SVG can sit inline in the page.
    return svg[svg.index("<svg") :] if "<svg" in svg else svg


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def otp_setup_view(request: HttpRequest) -> HttpResponse:
    next_url = _next(request)
    user, elsewhere = _second_step(request, next_url, enrolling=True)
    if elsewhere is not None:
        return elsewhere
    actor = Actor.for_user(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = services.enrol_totp(actor, user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.confirm_totp(actor, user, form.cleaned_data["code"])
        except services.AccountsError:
            locked = _code_failed(request, user, form)
            if locked is not None:
                return locked
        else:
            signin.finish(request, user, device)
            return HttpResponseRedirect(next_url)
    context = {
        "form": form,
        "next": next_url,
        "pending": user,
        "qr_svg": mark_safe(_qr_svg(device)),  # noqa: S308 - generated by qrcode from our own data
        "secret": services.totp_secret_base32(device),
        "issuer": settings.OTP_TOTP_ISSUER,
    }
    return render(request, "console/otp_setup.html", context)


@require_POST
@csrf_protect
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        record(Actor.for_user(request.user), "auth.logout", target_type="staff", target_id=str(request.user.pk))
    signin.clear(request)
    logout(request)
    return redirect("console:login")
