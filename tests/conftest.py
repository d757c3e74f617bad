"""Shared fixtures: the fixed cast of staff users and a signed-in client factory."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
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


@pytest.fixture(autouse=True)
def _own_audit_checkpoints(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Checkpoint files outlive a test's rolled-back database: each test gets its own folder."""
    with override_settings(MAMORI_AUDIT_CHECKPOINT_DIR=tmp_path_factory.mktemp("checkpoints")):
        yield


# A small valid privacy map (tests/mapversions/maps/small) copied into a temporary folder, and a way to edit it.
SMALL_MAP = Path(__file__).parent / "mapversions" / "maps" / "small"

Editor = Callable[[str, Callable[[dict[str, Any]], None]], None]


@pytest.fixture
def map_dir(tmp_path: Path) -> Path:
    target = tmp_path / "tinyshop"
    shutil.copytree(SMALL_MAP, target)
    return target


@pytest.fixture
def edit_map(map_dir: Path) -> Editor:
    """`edit_map("data.yaml", change)` loads a file of the map, lets `change` mutate it, writes it back."""

    def edit(filename: str, change: Callable[[dict[str, Any]], None]) -> None:
        path = map_dir / filename
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

    return edit


@pytest.fixture(autouse=True)
def _english_unless_asked() -> Iterator[None]:
    """The test client leaves the last response's language active in the thread; start each test in English."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()
