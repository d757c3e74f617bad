"""A repeat erasure request tells the truth about what an earlier erasure kept.

The first erasure masks the person's e-mail in the rows a legal hold keeps (an order kept for
tax, the member row it names). A second request by the same address then matches no row, and a
plan saying "nothing found" would hide the held rows. So when an erasure step is done, every
identity it collected (given, or found in the person's rows: the customer number too) is stored
as a keyed hash (`ErasedIdentity`, never in clear). A later erasure hashes the identities it is
given the same way, finds the earlier runs, and takes the identities those runs collected from
their encrypted state: the held rows are found again by the key they still carry, and the plan
lists them with why they are kept.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from mamori.core.crypto import keyed_identifier_hash
from mamori.fulfilment.connectors.sql.identities import normalise
from mamori.fulfilment.models import ErasedIdentity, FulfilmentStep

if TYPE_CHECKING:
    from mamori.catalog.mapfile import PrivacyMap


def _hash(system: str, kind: str, value: Any) -> str:
    return keyed_identifier_hash(f"erased:{system}:{kind}", str(value))


def remember_erased(step: FulfilmentStep) -> None:
    """Store the identities a finished erase step collected, hashed (idempotent: a resumed step
    stores nothing twice). Call inside the transaction that records the step as done."""
    state = (step.state or {}).get("state") or {}
    rows = [
        ErasedIdentity(
            organisation=step.run.organisation,
            system=step.system,
            identity_hash=_hash(step.system, kind, value),
            run_id=step.run_id,
            subject=int(index),
        )
        for index, identities in (state.get("identities") or {}).items()
        for kind, values in identities.items()
        for value in values
        if value is not None and str(value).strip()
    ]
    ErasedIdentity.objects.bulk_create(rows, ignore_conflicts=True)


def earlier_identities(
    organisation: str, privacy_map: PrivacyMap, subjects: Sequence[Mapping[str, str]]
) -> tuple[dict[str, list[dict[str, list[Any]]]], list[int]]:
    """Per SQL system, per subject, the identities earlier erasures of the same person collected;
    and those runs' ids (for the plan to say the person was erased before)."""
    known: dict[str, list[dict[str, list[Any]]]] = {}
    runs: set[int] = set()
    for system in privacy_map.systems:
        if system.connector != "sql":
            continue
        region = system.phone_region or privacy_map.organisation.country
        wanted: dict[str, list[int]] = defaultdict(list)
        for index, identities in enumerate(subjects):
            for kind, value in identities.items():
                if value and str(value).strip():
                    wanted[_hash(system.id, kind, normalise(kind, value, region))].append(index)
        if not wanted:
            continue
        matches = ErasedIdentity.objects.filter(
            organisation=organisation, system=system.id, identity_hash__in=list(wanted)
        ).values_list("identity_hash", "run_id", "subject")
        earlier: dict[tuple[int, int], set[int]] = defaultdict(set)  # (run, subject there) -> subjects now
        for identity_hash, run_id, subject in matches:
            earlier[(run_id, subject)].update(wanted[identity_hash])
        if not earlier:
            continue
        per_subject: list[dict[str, set[Any]]] = [defaultdict(set) for _ in subjects]
        steps = FulfilmentStep.objects.filter(
            run_id__in={run_id for run_id, _subject in earlier}, system=system.id, action="erase"
        )
        for step in steps:
            collected = ((step.state or {}).get("state") or {}).get("identities") or {}
            for (run_id, subject), now in earlier.items():
                if run_id != step.run_id:
                    continue
                runs.add(run_id)
                for kind, values in collected.get(str(subject), {}).items():
                    for index in now:
                        per_subject[index][kind].update(values)
        known[system.id] = [{kind: sorted(values, key=str) for kind, values in found.items()} for found in per_subject]
    return known, sorted(runs)
