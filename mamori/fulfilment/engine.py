"""The fulfilment engine: one privacy map, every system in it, many subjects at once.

No Django models here (the CLI and the benchmarks use it directly); runs with persisted,
resumable state are in `services/` (planning, execution). Bulk is the normal case: `locate`, `plan_erasure`,
`execute_erasure` and `verify_erasure` take a batch of subjects and issue one statement per table
for the whole batch.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mamori.fulfilment.connectors import Connector, ConnectorError, connector_for
from mamori.fulfilment.connectors.base import Known
from mamori.fulfilment.package import PackageWriter

if TYPE_CHECKING:
    from mamori.catalog.mapfile import PrivacyMap
    from mamori.catalog.mapfile.schema import System

DEFAULT_BATCH = 1000


class FulfilmentEngine:
    """One run's view of the systems. `connector_source` lends connectors that outlive the engine
    (services keeps them per map version); without it the engine builds its own and closes them."""

    def __init__(
        self,
        privacy_map: PrivacyMap,
        environ: Mapping[str, str] | None = None,
        *,
        connector_source: Callable[[System], Connector] | None = None,
    ) -> None:
        self.map = privacy_map
        self.environ = os.environ if environ is None else environ
        self._source = connector_source
        self._connectors: dict[str, Connector] = {}
        self.unavailable: dict[str, str] = {}  # system id -> why it cannot be reached

    def connector(self, system_id: str) -> Connector:
        if system_id not in self._connectors:
            system = self.map.system(system_id)
            self._connectors[system_id] = (
                self._source(system) if self._source else connector_for(system, self.map, self.environ)
            )
        return self._connectors[system_id]

    def connectors(self) -> list[Connector]:
        """Connectors of every system that can be reached; the others are listed in `unavailable`."""
        available = []
        for system in self.map.systems:
            try:
                available.append(self.connector(system.id))
            except ConnectorError as exc:
                self.unavailable[system.id] = str(exc)
        return available

    def close(self) -> None:
        if self._source is not None:
            return  # lent connectors stay open for the next run
        for connector in self._connectors.values():
            close = getattr(connector, "close", None)
            if close is not None:
                close()

    # -- find

    def locate(
        self,
        subjects: Sequence[Mapping[str, str]],
        *,
        counts: bool = True,
        known: Mapping[str, Known] | None = None,
    ) -> dict[str, dict[str, Any]]:
        """Per system, where each subject's rows are; `known` adds, per system, the identities an
        earlier erasure of each subject collected (services/earlier_erasures.py)."""
        known = known or {}
        return {
            connector.system_id: connector.locate(subjects, counts=counts, known=known.get(connector.system_id))
            for connector in self.connectors()
        }

    # -- access / portability

    def export(
        self,
        identities: Mapping[str, str],
        path: Path,
        language: str,
        *,
        key_prefix: str = "export",
        leave_out_classes: Sequence[str] = (),
        time_zone: str | None = None,
    ) -> dict[str, dict[str, int]]:
        """Write one subject's package to `path`; rows per system and table. Columns whose category
        has one of `leave_out_classes` (APPI classes, e.g. history_characteristic) are not written."""
        written: dict[str, dict[str, int]] = {}
        leave_out = frozenset(
            category.id for category in self.map.data_categories if category.appi_class in leave_out_classes
        )
        with PackageWriter(path, self.map, language, leave_out, time_zone) as package:
            for connector in self.connectors():
                # Each system finds the subject and reads their rows in one go (for SQL: one
                # connection, one snapshot, no counts).
                written[connector.system_id] = connector.export_subject(
                    identities, package, idempotency_key=f"{key_prefix}-{connector.system_id}"
                )
        return written

    # -- erasure

    def plan_erasure(
        self,
        subjects: Sequence[Mapping[str, str]],
        located: Mapping[str, dict[str, Any]] | None = None,
        *,
        known: Mapping[str, Known] | None = None,
    ) -> dict[str, Any]:
        located = located if located is not None else self.locate(subjects, known=known)
        systems = [self.connector(system_id).plan_erasure(found) for system_id, found in located.items()]
        systems += [
            {
                "system": system_id,
                "kind": self.map.system(system_id).connector,
                "tables": [],
                "order": [],
                "state": {},
                "error": message,
            }
            for system_id, message in self.unavailable.items()
        ]
        return {"subjects": len(subjects), "systems": systems}

    def execute_erasure(self, plan: Mapping[str, Any], *, key_prefix: str = "erase") -> dict[str, dict[str, int]]:
        """Each system in its own transaction, in the plan's order."""
        return {
            system["system"]: self.connector(system["system"]).erase(
                system, idempotency_key=f"{key_prefix}-{system['system']}"
            )
            for system in plan["systems"]
            if not system.get("error")
        }

    def verify_erasure(self, plan: Mapping[str, Any]) -> dict[str, dict[str, int]]:
        return {
            system["system"]: self.connector(system["system"]).verify(system)
            for system in plan["systems"]
            if not system.get("error")
        }

    def erase_many(
        self, subjects: Sequence[Mapping[str, str]], *, batch_size: int = DEFAULT_BATCH, key_prefix: str = "bulk"
    ) -> dict[str, Any]:
        """Bulk erasure: per batch, one plan, one transaction per system, one verification pass."""
        erased: dict[str, dict[str, int]] = {}
        residue: dict[str, dict[str, int]] = {}
        for start in range(0, len(subjects), batch_size):
            batch = subjects[start : start + batch_size]
            # Nobody reads this plan (it is not shown, and execution and verification work from
            # its located state): no COUNT of every owned table, kept ones included.
            plan = self.plan_erasure(batch, self.locate(batch, counts=False))
            for system, counts in self.execute_erasure(plan, key_prefix=f"{key_prefix}-{start}").items():
                for table, number in counts.items():
                    erased.setdefault(system, {}).setdefault(table, 0)
                    erased[system][table] += number
            for system, counts in self.verify_erasure(plan).items():
                for table, number in counts.items():
                    residue.setdefault(system, {}).setdefault(table, 0)
                    residue[system][table] += number
        return {"subjects": len(subjects), "erased": erased, "residue": residue, "unavailable": dict(self.unavailable)}

    # -- rectification / restriction

    def rectify(
        self, identities: Mapping[str, str], values: Mapping[str, Any], *, key_prefix: str = "rectify"
    ) -> dict[str, dict[str, int]]:
        changed = {}
        for connector in self.connectors():
            located = connector.locate([identities], counts=False)
            changed[connector.system_id] = connector.rectify(
                located, 0, values, idempotency_key=f"{key_prefix}-{connector.system_id}"
            )
        return changed

    def restrict(
        self, identities: Mapping[str, str], *, restricted: bool, key_prefix: str = "restrict"
    ) -> dict[str, dict[str, int]]:
        changed = {}
        for connector in self.connectors():
            located = connector.locate([identities], counts=False)
            changed[connector.system_id] = connector.restrict(
                located, 0, restricted=restricted, idempotency_key=f"{key_prefix}-{connector.system_id}"
            )
        return changed


def public_plan(plan: Mapping[str, Any]) -> dict[str, Any]:
    """The plan without its located state (keys, identities): safe to show and to store in clear."""
    return {
        **{key: value for key, value in plan.items() if key != "systems"},
        "systems": [{key: value for key, value in system.items() if key != "state"} for system in plan["systems"]],
    }
