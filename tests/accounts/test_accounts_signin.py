"""The console sign-in as a person experiences it: password, code, lock-out."""

from __future__ import annotations

import time

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from mamori.audit.models import AuditEntry
from mamori.audit.verify import verify_chain
from mamori.testing.staff import TEST_PASSWORD, current_totp_code, make_staff

LOGIN = "/console/login/"


def _password_step(client: Client, username: str, password: str = TEST_PASSWORD, next_url: str = ""):
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(LOGIN, data)


def _actions() -> list[str]:
    return list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))


@pytest.mark.django_db
def test_accounts_signin_happy_path_with_totp(officer):
    client = Client()
    response = _password_step(client, "officer")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("console:otp_verify"))
    # Between the steps nobody is signed in yet.
    assert "_auth_user_id" not in client.session
    assert client.get("/console/").status_code == 302

    response = client.post(reverse("console:otp_verify"), {"code": current_totp_code(officer), "next": "/console/"})
    assert response.status_code == 302 and response["Location"] == "/console/"
    assert client.get("/console/").status_code == 200
    assert "auth.login_succeeded" in _actions()
    assert verify_chain().intact


@pytest.mark.django_db
def test_accounts_signin_follows_safe_next_only(officer):
    client = Client()
    _password_step(client, "officer", next_url="https://evil.example/steal")
    response = client.post(
        reverse("console:otp_verify"), {"code": current_totp_code(officer), "next": "https://evil.example/steal"}
    )
    assert response["Location"] == reverse("console:dashboard")

    # A code is accepted once only, so the second sign-in happens a minute later.
    with time_machine.travel(time.time() + 60):
        client = Client()
        _password_step(client, "officer")
        response = client.post(
            reverse("console:otp_verify"), {"code": current_totp_code(officer), "next": "/console/audit/"}
        )
    assert response["Location"] == "/console/audit/"


@pytest.mark.django_db
def test_accounts_signin_wrong_password(officer):
    client = Client()
    response = _password_step(client, "officer", "not the password at all")
    assert response.status_code == 200
    assert "Wrong username or password." in response.content.decode()
    entry = AuditEntry.objects.get(action="auth.login_failed")
    assert entry.target_id == str(officer.pk)


@pytest.mark.django_db
def test_accounts_signin_unknown_user_is_logged_without_the_typed_name():
    client = Client()
    response = _password_step(client, "someone@example.com", "whatever-password")
    assert "Wrong username or password." in response.content.decode()
    entry = AuditEntry.objects.get(action="auth.login_failed")
    assert entry.details == {"known_user": False}
    assert "someone" not in str(entry.details) + entry.target_id + entry.actor_label


@pytest.mark.django_db
def test_accounts_signin_wrong_totp_code(officer):
    client = Client()
    _password_step(client, "officer")
    good = current_totp_code(officer)
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    response = client.post(reverse("console:otp_verify"), {"code": wrong})
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert client.get("/console/").status_code == 302
    assert "auth.otp_failed" in _actions()


@pytest.mark.django_db
def test_accounts_signin_locks_out_after_five_wrong_passwords(officer):
    client = Client()
    for _ in range(4):
        assert _password_step(client, "officer", "wrong password 123").status_code == 200
    fifth = _password_step(client, "officer", "wrong password 123")
    assert fifth.status_code == 429
    # Now even the right password is refused, with a clear message.
    response = _password_step(client, "officer", TEST_PASSWORD)
    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("console:otp_verify")).status_code == 302
    assert "auth.locked_out" in _actions()
    # A fresh browser is locked out too: the lock is on the account, not the session.
    assert _password_step(Client(), "officer", TEST_PASSWORD).status_code == 429


@pytest.mark.django_db
def test_accounts_signin_locks_out_after_repeated_wrong_codes(officer, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # measure the lock-out, not django-otp's own back-off
    client = Client()
    _password_step(client, "officer")
    good = current_totp_code(officer)
    wrong = f"{(int(good) + 7) % 1_000_000:06d}"
    statuses = [client.post(reverse("console:otp_verify"), {"code": wrong}).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    # The right code no longer helps, and the password step is locked as well.
    response = client.post(reverse("console:otp_verify"), {"code": current_totp_code(officer)})
    assert response.status_code in (302, 429)
    assert client.get("/console/").status_code == 302
    assert _password_step(Client(), "officer").status_code == 429


@pytest.mark.django_db
def test_accounts_signin_refuses_user_without_role(outsider):
    client = Client()
    response = _password_step(client, "outsider")
    assert response.status_code == 200
    assert "may not use the console" in response.content.decode()
    assert client.get(reverse("console:otp_verify")).status_code == 302
    assert "auth.login_refused" in _actions()


@pytest.mark.django_db
def test_accounts_signin_refuses_deactivated_user(officer):
    officer.is_active = False
    officer.save()
    response = _password_step(Client(), "officer")
    assert "Wrong username or password." in response.content.decode()


@pytest.mark.django_db
def test_accounts_first_signin_enrols_an_authenticator():
    user = make_staff("support_agent", "newbie")
    TOTPDevice.objects.filter(user=user).delete()
    client = Client()
    response = _password_step(client, "newbie")
    assert response["Location"].startswith(reverse("console:otp_setup"))
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and "http" not in html.split("<svg", 1)[1].split("</svg>", 1)[0].replace(
        "http://www.w3.org", ""
    )
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    # Reloading keeps the same secret (the user may already have scanned it).
    client.get(response["Location"])
    assert TOTPDevice.objects.get(user=user, confirmed=False).pk == device.pk

    from mamori.accounts.services import current_totp_code as code_for

    wrong = f"{(int(code_for(device)) + 3) % 1_000_000:06d}"
    assert "That code is not right" in client.post(reverse("console:otp_setup"), {"code": wrong}).content.decode()
    device.refresh_from_db()
    response = client.post(reverse("console:otp_setup"), {"code": code_for(device)})
    assert response.status_code == 302
    assert client.get("/console/").status_code == 200
    assert TOTPDevice.objects.get(user=user).confirmed
    assert {"staff.totp_enrolment_started", "staff.totp_confirmed", "auth.login_succeeded"} <= set(_actions())


@pytest.mark.django_db
def test_accounts_logout_needs_post(officer, client_as):
    client = client_as(officer)
    assert client.get(reverse("console:logout")).status_code == 405
    response = client.post(reverse("console:logout"))
    assert response.status_code == 302
    assert client.get("/console/").status_code == 302
    assert "auth.logout" in _actions()


@pytest.mark.django_db
def test_accounts_signin_forms_need_csrf(officer):
    client = Client(enforce_csrf_checks=True)
    assert _password_step(client, "officer").status_code == 403
    page = client.get(LOGIN)
    assert "csrfmiddlewaretoken" in page.content.decode()
