"""Fixtures of the rights tests: applied example maps, a clean rate-limit cache, a fake fulfilment engine."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import translation

from mamori.audit.services import Actor
from mamori.catalog.services import apply_map
from mamori.rights.handover import (
    FulfilmentOutcome,
    FulfilmentTask,
    handler_for,
    register_handler,
    unregister_handler,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(autouse=True)
def _clean_cache_and_language() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()
    # The test client leaves the last request's language active in the thread (LocaleMiddleware
    # does not reset it); later tests in the same worker must not run in Japanese.
    translation.deactivate()


@pytest.fixture
def ipro(db: None) -> str:
    return apply_map([EXAMPLES / "i-pro"], Actor.cli("test")).organisation


@pytest.fixture
def inpro(db: None) -> str:
    return apply_map([EXAMPLES / "inpro"], Actor.cli("test")).organisation


@pytest.fixture
def onemall(db: None) -> str:
    return apply_map([EXAMPLES / "onemall"], Actor.cli("test")).organisation


def last_code() -> str:
    for message in reversed(mail.outbox):
        found = re.search(r"^\s+(\d{6})\s*$", message.body, re.MULTILINE)
        if found:
            return found.group(1)
    raise AssertionError("no code e-mail sent")


def download_result(client: Any, organisation: str, token: str) -> Any:
    """Download a completed request's result as a person does: a fresh code by e-mail, then the code."""
    base = f"/privacy/{organisation}/requests/status/{token}"
    client.post(f"{base}/download/code/")
    return client.post(f"{base}/download/", {"code": last_code()})


class FakeEngine:
    """Stands in for the fulfilment engine behind the real handover interface (it is the other team's)."""

    rights = ("access", "erasure")

    def __init__(self, tmp_path: Path, known: dict[str, str]) -> None:
        self.tmp_path = tmp_path
        self.known = known  # the company's records: data point kind -> value
        self.executed: list[int] = []
        self.status = "completed"  # what a run ends as; tests set "needs_review" or "failed"
        self.outcomes: dict[int, FulfilmentOutcome] = {}

    def plan(self, task: FulfilmentTask) -> dict[str, Any]:
        return {"shop.customers": {"rows": 1, "action": "export" if task.right == "access" else "erase"}}

    def execute(self, task: FulfilmentTask) -> FulfilmentOutcome:
        self.executed.append(task.request_id)
        package = self.tmp_path / f"{task.request_id}.zip"
        with zipfile.ZipFile(package, "w") as archive:
            archive.writestr("customers.json", '[{"id": 1}]')
        outcome = FulfilmentOutcome(status=self.status, summary={"shop.customers": 1}, package_path=package)
        self.outcomes[task.request_id] = outcome
        return outcome

    def outcome(self, task: FulfilmentTask) -> FulfilmentOutcome | None:
        return self.outcomes.get(task.request_id)

    def match_data_points(self, organisation: str, points: dict[str, str]) -> set[str]:
        return {kind for kind, value in points.items() if self.known.get(kind, "").lower() == value.lower()}


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[FakeEngine]:
    fake = FakeEngine(tmp_path, {"email": "ann@example.com", "name": "Ann Smith", "phone": "555-0100"})
    # The real engine registers itself at start-up; put it back afterwards for the tests that use it.
    previous = {right: handler_for(right) for right in FakeEngine.rights}
    register_handler(fake)
    yield fake
    unregister_handler(fake)
    for handler in {id(h): h for h in previous.values() if h is not None}.values():
        register_handler(handler)
