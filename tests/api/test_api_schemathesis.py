"""Schemathesis against a live server on SQLite: zero server errors, zero undocumented statuses.

Bounded so it runs in the ordinary suite: a fixed seed (derandomized), a few examples per operation.
The server is a real `mamori serve` process with its own data folder, an officer's token carrying
every scope an officer may hold, and the small example map applied.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import negative_data_rejection, status_code_conformance

ROOT = Path(__file__).resolve().parents[2]
SMALL_MAP = ROOT / "tests" / "mapversions" / "maps" / "small"
SETUP = """
import django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mamori.settings")
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from mamori.accounts.models import Role
from mamori.api.scopes import allowed_scopes
from mamori.api.services import create_token
from mamori.audit.services import Actor
from mamori.catalog.services import apply_map
from mamori.testing.staff import make_staff
apply_map([{map!r}], Actor.cli("schemathesis"))
officer = make_staff(Role.PRIVACY_OFFICER, "officer")
print(create_token(officer, "schemathesis", sorted(allowed_scopes(Role.PRIVACY_OFFICER)), Actor.cli("t"))[1])
"""


@pytest.fixture(scope="module")
def mamori_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    data = tmp_path_factory.mktemp("schemathesis")
    env = {key: value for key, value in os.environ.items() if not key.startswith("MAMORI_")}
    env.update(
        {
            "MAMORI_DATA_DIR": str(data),
            "MAMORI_SECRET_KEY": "schemathesis-secret-key-0123456789abcdef01234567",
            "MAMORI_ENCRYPTION_KEYS": "kN2m9yqH0cX1b7WJ3wO2Qz3oQe2r5cB1s8Xy6tQd0hE=",
            "MAMORI_TASKS": "immediate",
            "MAMORI_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "MAMORI_LOG_LEVEL": "ERROR",
            "MAMORI_CONSENT_RATE": "100000/m",
        }
    )
    setup = subprocess.run(
        [sys.executable, "-c", SETUP.format(map=str(SMALL_MAP))],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )
    token = setup.stdout.strip().splitlines()[-1]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "mamori", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/v1/openapi.json", timeout=2).read()  # noqa: S310 - our server
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.3)
        yield {"base": base, "token": token}
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_every_operation_answers_within_its_documented_statuses(mamori_server: dict[str, str]) -> None:
    schema = schemathesis.openapi.from_url(f"{mamori_server['base']}/api/v1/openapi.json")
    headers = {"Authorization": f"Bearer {mamori_server['token']}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    failures: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=15, derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def run(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=[not_a_server_error, status_code_conformance], timeout=30)

        try:
            run()
        except Exception as exc:  # collect every operation's failure, then report them together
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert not failures, "\n\n".join(failures)


def test_negative_data_is_refused_with_a_documented_4xx(mamori_server: dict[str, str]) -> None:
    """Schemathesis' negative mode: wrong types, missing required fields, values outside the schema's
    bounds (huge numbers, over-long strings), in every parameter and body. Never a 500, never an
    undocumented status, and data the schema forbids is refused, not accepted (413, a body over the
    limit, is a refusal too). Fixed seed, five examples per operation."""
    refusals = [400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 428, 429]
    config = SchemathesisConfig.from_dict({"checks": {"negative_data_rejection": {"expected-statuses": refusals}}})
    schema = schemathesis.openapi.from_url(f"{mamori_server['base']}/api/v1/openapi.json", config=config)
    headers = {"Authorization": f"Bearer {mamori_server['token']}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    failures: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))
        @settings(
            max_examples=5, derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def run(case: Any) -> None:
            case.call_and_validate(
                headers=headers,
                checks=[not_a_server_error, status_code_conformance, negative_data_rejection],
                timeout=30,
            )

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # schemathesis raises a group: collect, report together
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:3000]}")
    assert not failures, "\n\n".join(failures)


def _poisoned(value: Any, poison: str) -> Any:
    """``value`` with every string given a NUL ("nul") or every number made huge ("huge")."""
    if isinstance(value, dict):
        return {key: _poisoned(item, poison) for key, item in value.items()}
    if isinstance(value, list):
        return [_poisoned(item, poison) for item in value]
    if poison == "nul" and isinstance(value, str):
        return value + "\x00"
    if poison == "huge" and isinstance(value, int | float) and not isinstance(value, bool):
        return 10**30
    return value


@pytest.mark.parametrize("poison", ["nul", "huge"])
def test_nul_characters_and_huge_numbers_anywhere_are_a_documented_4xx(
    mamori_server: dict[str, str], poison: str
) -> None:
    """One valid example per operation (fixed seed), then a NUL put in every string, or every number
    made 10**30, in the path, query and body: never a 500, never an undocumented status."""
    schema = schemathesis.openapi.from_url(f"{mamori_server['base']}/api/v1/openapi.json")
    headers = {"Authorization": f"Bearer {mamori_server['token']}"}
    failures: list[str] = []
    probed: set[str] = set()

    def probe(operation: Any) -> None:
        name = f"{operation.method.upper()} {operation.path}"

        @given(case=operation.as_strategy())
        @settings(
            max_examples=1, derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def run(case: Any) -> None:
            touched = False
            for part in ("path_parameters", "query", "body"):
                original = getattr(case, part, None)
                if isinstance(original, dict | list) and original:
                    poisoned = _poisoned(original, poison)
                    touched = touched or poisoned != original
                    setattr(case, part, poisoned)
            response = case.call_and_validate(
                headers=headers, checks=[not_a_server_error, status_code_conformance], timeout=30
            )
            if touched:
                probed.add(name)
                assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:
            failures.append(f"{name}: {str(exc)[:3000]}")

    for operation in [result.ok() for result in schema.get_all_operations()]:
        probe(operation)
    assert not failures, "\n\n".join(failures)
    assert len(probed) >= (10 if poison == "nul" else 5), sorted(probed)  # the poison reached their inputs
