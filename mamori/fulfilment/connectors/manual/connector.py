"""Manual connector: the work is a checklist item for staff (a `ManualTask` with evidence upload).

The connector itself touches nothing; the run service turns its plan into a task, and the run
waits ("needs review") until staff mark the task done with their evidence.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from mamori.fulfilment.connectors.base import Known, Located, PackageSink, Subjects, SystemPlan

if TYPE_CHECKING:
    from mamori.catalog.mapfile.schema import System


class ManualConnector:
    kind = "manual"
    needs_staff = True

    def __init__(self, system: System) -> None:
        self.system = system
        self.system_id = system.id

    def test_connection(self) -> None:
        return None

    def locate(self, subjects: Subjects, *, counts: bool = True, known: Known | None = None) -> Located:
        return {"state": {}, "counts": {}}

    def export(self, located: Located, index: int, sink: PackageSink, *, idempotency_key: str) -> dict[str, int]:
        return {}

    def export_subject(
        self, identities: Mapping[str, str], sink: PackageSink, *, idempotency_key: str
    ) -> dict[str, int]:
        return {}

    def plan_erasure(self, located: Located) -> SystemPlan:
        instructions = self.system.instructions.model_dump() if self.system.instructions else None
        return {
            "system": self.system_id,
            "kind": "manual",
            "tables": [],
            "order": [],
            "state": {},
            "instructions": instructions,
        }

    def erase(self, plan: SystemPlan, *, idempotency_key: str) -> dict[str, int]:
        return {}

    def verify(self, plan: SystemPlan) -> dict[str, int]:
        return {}

    def rectify(
        self, located: Located, index: int, values: Mapping[str, Any], *, idempotency_key: str
    ) -> dict[str, int]:
        return {}

    def restrict(self, located: Located, index: int, *, restricted: bool, idempotency_key: str) -> dict[str, int]:
        return {}
