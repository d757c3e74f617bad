"""Shared fixtures: the fixed cast of staff users and a signed-in client factory."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.test import Client, override_settings

from mamori.accounts.models import Role, User
from mamori.testing.staff import login_staff, make_staff


@pytest.fixture
def officer(db: None) -> User:
    return make_staff(Role.PRIVACY_OFFICER, "officer")


@pytest.fixture
def agent(db: None) -> User:
    return make_staff(Role.SUPPORT_AGENT, "agent")


@pytest.fixture
def marketing(db: None) -> User:
    return make_staff(Role.MARKETING, "marketer")


@pytest.fixture
def auditor(db: None) -> User:
    return make_staff(Role.AUDITOR, "auditor")


@pytest.fixture
def admin_user(db: None) -> User:
    return make_staff(Role.ADMIN, "administrator")


@pytest.fixture
def outsider(db: None) -> User:
    """A real account with a confirmed device but no role: may not use the console."""
    return make_staff("", "outsider")


@pytest.fixture
def client_as(db: None) -> Callable[[User], Client]:
    """`client_as(officer)` -> a fresh test Client signed in as that user with 2FA verified."""

    def make(user: User) -> Client:
        client = Client()
        login_staff(client, user)
        return client

    return make


@pytest.fixture(autouse=True)
def _fast_password_hashing() -> Iterator[None]:
    """Real hashing costs ~0.3 s per password; tests check behaviour, not key stretching.

    (override_settings rather than the `settings` fixture: some tests parametrize a `settings` argument.)
    """
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield
