"""A new erasure request by an address an earlier erasure masked: the plan lists the rows kept
under a legal hold (and why), never "nothing found"; on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

from typing import Any

import pytest

from mamori.audit.services import Actor
from mamori.catalog.services import apply_map
from mamori.fulfilment.models import ErasedIdentity, FulfilmentRun
from mamori.fulfilment.services.execution import execute_run
from mamori.fulfilment.services.planning import plan_run

from .club import ENV, MAP, snapshot

STAFF = Actor.cli("test")
KENJI_TYPED = {"email": "Kenji.Sato@example.com"}


@pytest.fixture
def club(db: None, club_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(ENV, club_url)
    apply_map([MAP], STAFF)
    return club_url


def tables(run: FulfilmentRun) -> dict[str, dict[str, Any]]:
    (system,) = run.plan["systems"]
    return {table["table"]: table for table in system["tables"]}


def test_a_second_request_by_a_masked_address_lists_the_held_rows(club: str) -> None:
    first = plan_run("club", "erasure", [KENJI_TYPED], STAFF, request_id=1)
    assert execute_run(first.pk, STAFF).status == "completed"
    after_first = snapshot(club)
    assert not any("kenji.sato" in str(row).lower() for row in after_first["members"])  # masked
    # Only keyed hashes of what the run collected are kept for this, never the identities.
    stored = " ".join(ErasedIdentity.objects.values_list("identity_hash", flat=True))
    assert ErasedIdentity.objects.filter(run=first).exists() and "kenji" not in stored.lower()

    second = plan_run("club", "erasure", [{"email": "kenji.sato@example.com"}], STAFF, request_id=2)
    assert second.plan["earlier_runs"] == [first.pk]
    shown = tables(second)
    # What stays of Kenji, and why: his order and payment under the tax-law hold, his member row
    # and card because that order names them (their fields already erased).
    for held in ("orders", "payments"):
        assert shown[held]["rows"] == 1 and shown[held]["hold_period"] == "7 years"
        assert shown[held]["hold_basis"]["en"] == "Corporation Tax Act"
    assert shown["members"]["kept_rows"] == 1 and shown["members"]["reason"] == "referenced"
    assert shown["cards"]["kept_rows"] == 1
    assert shown["inquiries"]["rows"] == 0  # deleted the first time: nothing left
    # Running it changes nothing more and verifies clean.
    assert execute_run(second.pk, STAFF).status == "completed"
    assert snapshot(club) == after_first


def test_someone_never_erased_is_not_given_earlier_runs(club: str) -> None:
    first = plan_run("club", "erasure", [KENJI_TYPED], STAFF, request_id=1)
    execute_run(first.pk, STAFF)
    other = plan_run("club", "erasure", [{"email": "yuki@example.jp"}], STAFF, request_id=3)
    assert "earlier_runs" not in other.plan
    shown = tables(other)
    assert shown["members"]["rows"] == 1 and shown["orders"]["rows"] == 0  # Yuki's own rows only


def test_an_erasure_only_planned_leaves_no_trace_for_later_requests(club: str) -> None:
    plan_run("club", "erasure", [KENJI_TYPED], STAFF, request_id=1)  # never executed
    assert not ErasedIdentity.objects.exists()
