"""Every account change goes through a service, is validated, and leaves an audit entry."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory
from django_otp.plugins.otp_totp.models import TOTPDevice

from mamori.accounts import services
from mamori.accounts.models import User
from mamori.accounts.services import AccountsError
from mamori.audit.models import AuditEntry
from mamori.audit.services import Actor
from mamori.audit.verify import verify_chain
from mamori.core.errors import DomainError

GOOD_PASSWORD = "a perfectly long passphrase 7"


def _last(action: str) -> AuditEntry:
    return AuditEntry.objects.filter(action=action).order_by("-seq").first()


@pytest.fixture
def cli() -> Actor:
    return Actor.cli("ops")


@pytest.mark.django_db
def test_accounts_create_staff(cli):
    user = services.create_staff(cli, username="hana", role="support_agent", password=GOOD_PASSWORD)
    assert user.role == "support_agent" and user.check_password(GOOD_PASSWORD)
    entry = _last("staff.created")
    assert (entry.actor_kind, entry.actor_label, entry.target_id) == ("cli", "ops", str(user.pk))
    assert entry.details == {"username": "hana", "role": "support_agent"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"username": "x1", "role": "janitor", "password": GOOD_PASSWORD}, "unknown_role"),
        ({"username": "x2", "role": "auditor", "password": "short"}, "weak_password"),
        ({"username": "x3", "role": "auditor", "password": "password1234"}, "weak_password"),
        ({"username": " ", "role": "auditor", "password": GOOD_PASSWORD}, "username_required"),
        ({"username": "bad name!", "role": "auditor", "password": GOOD_PASSWORD}, "invalid"),
    ],
)
def test_accounts_create_staff_refuses_bad_input(cli, kwargs, code):
    with pytest.raises(AccountsError) as caught:
        services.create_staff(cli, **kwargs)
    assert caught.value.code == code
    assert isinstance(caught.value, DomainError)
    assert not User.objects.exists() and not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_accounts_create_staff_refuses_taken_username(cli, officer):
    with pytest.raises(AccountsError, match="taken"):
        services.create_staff(cli, username="OFFICER", role="auditor", password=GOOD_PASSWORD)


@pytest.mark.django_db
def test_accounts_change_role(cli, agent):
    services.change_role(cli, agent, "auditor")
    agent.refresh_from_db()
    assert agent.role == "auditor"
    assert _last("staff.role_changed").details == {"from": "support_agent", "to": "auditor"}
    services.change_role(cli, agent, "")
    agent.refresh_from_db()
    assert agent.role == ""


@pytest.mark.django_db
def test_accounts_last_admin_cannot_be_demoted_or_deactivated(cli, admin_user):
    with pytest.raises(AccountsError) as caught:
        services.change_role(cli, admin_user, "auditor")
    assert caught.value.code == "last_admin"
    with pytest.raises(AccountsError):
        services.deactivate(cli, admin_user)
    from mamori.testing.staff import make_staff

    make_staff("admin", "second_admin")
    services.deactivate(cli, admin_user)


@pytest.mark.django_db
def test_accounts_deactivate(cli, agent):
    services.deactivate(cli, agent)
    agent.refresh_from_db()
    assert not agent.is_active
    assert _last("staff.deactivated").target_id == str(agent.pk)


@pytest.mark.django_db
def test_accounts_reset_password_lifts_lock_out(cli, agent):
    request = RequestFactory().post("/console/login/")
    for _ in range(5):
        authenticate(request, username="agent", password="wrong wrong wrong")
    from mamori.accounts.signin import is_locked

    assert is_locked(RequestFactory().post("/console/login/"), "agent")
    services.reset_password(cli, agent, GOOD_PASSWORD)
    assert not is_locked(RequestFactory().post("/console/login/"), "agent")
    agent.refresh_from_db()
    assert agent.check_password(GOOD_PASSWORD)
    assert _last("staff.password_reset").target_id == str(agent.pk)
    with pytest.raises(AccountsError):
        services.reset_password(cli, agent, "123")


@pytest.mark.django_db
def test_accounts_totp_enrol_and_confirm(agent):
    actor = Actor.for_user(agent)
    device = services.enrol_totp(actor, agent)
    assert not device.confirmed
    with pytest.raises(AccountsError) as caught:
        services.confirm_totp(actor, agent, "000000" if services.current_totp_code(device) != "000000" else "111111")
    assert caught.value.code == "wrong_code"
    device.refresh_from_db()
    confirmed = services.confirm_totp(actor, agent, services.current_totp_code(device))
    assert confirmed.confirmed
    assert list(TOTPDevice.objects.filter(user=agent)) == [confirmed]  # the old device is replaced
    assert _last("staff.totp_enrolment_started") and _last("staff.totp_confirmed")


@pytest.mark.django_db
def test_accounts_totp_reset(cli, agent):
    services.reset_totp(cli, agent)
    assert not TOTPDevice.objects.filter(user=agent).exists()
    assert _last("staff.totp_reset").target_id == str(agent.pk)


@pytest.mark.django_db
def test_accounts_ensure_demo_staff():
    username, password, secret = services.ensure_demo_staff()
    user = User.objects.get(username=username)
    assert user.role == "privacy_officer" and user.check_password(password)
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed and services.totp_secret_base32(device) == secret
    # Running it again resets the password and device instead of failing.
    _, password2, secret2 = services.ensure_demo_staff()
    assert password2 != password and secret2 != secret
    assert User.objects.filter(username="demo").count() == 1
    assert [e.action for e in AuditEntry.objects.all()] == ["staff.created", "staff.demo_reset"]
    assert verify_chain().intact
