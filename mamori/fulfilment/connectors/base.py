"""The one small interface every connector implements.

A connector works on a *batch* of subjects at once (bulk requests are one call with many
subjects); each subject is a mapping of identity kind -> value. What a connector learns about
where a subject's data lives (`Located`) is plain JSON so a run can persist it (encrypted) and
resume after a crash without finding the person again — after an erasure the identities may no
longer match anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from mamori.core.errors import DomainError

Subjects = Sequence[Mapping[str, str]]
# {"state": {...connector specific...}, "counts": {table: {subject index as str: rows}}}
Located = dict[str, Any]
# Per subject, identities an earlier erasure of the same person collected (kind -> values in their
# normal form): a repeat request by an address that is masked by now still reaches the held rows.
Known = Sequence[Mapping[str, Sequence[Any]]]
# The erasure plan of one system (JSON): {"system", "kind", "tables": [...], "state": ...}
SystemPlan = dict[str, Any]


class ConnectorError(DomainError):
    code = "connector_failed"


class SystemNotConfigured(ConnectorError):
    """The environment variable naming the datastore's URL is missing."""

    code = "system_not_configured"


class PackageSink(Protocol):
    """Where exported rows go (the ZIP package writer). Rows hold values as the datastore returns
    them: the writer converts them (dates to ISO text, ...; `package_rows.jsonable`)."""

    def write_table(
        self,
        system_id: str,
        table: str,
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
        categories: Mapping[str, str],
        others_data: Sequence[str] = (),
    ) -> int: ...


class Connector(Protocol):
    system_id: str
    kind: str  # "sql" | "webhook" | "manual"

    def test_connection(self) -> None:
        """Raise ConnectorError when the datastore cannot be reached."""

    def locate(self, subjects: Subjects, *, counts: bool = True, known: Known | None = None) -> Located:
        """Find where each subject's data is (set-based: one statement per table for the batch).
        With `counts=False` the connector may leave out the rows per table when they cost extra.
        `known` adds identities collected before (a connector that collects none may ignore it)."""

    def export(self, located: Located, index: int, sink: PackageSink, *, idempotency_key: str) -> dict[str, int]:
        """Stream one subject's rows into the sink; rows written per table."""

    def export_subject(
        self, identities: Mapping[str, str], sink: PackageSink, *, idempotency_key: str
    ) -> dict[str, int]:
        """Find one subject and stream their rows into the sink (an access request in one go)."""

    def plan_erasure(self, located: Located) -> SystemPlan:
        """What an erasure would do, per table, for every subject of the batch."""

    def erase(self, plan: SystemPlan, *, idempotency_key: str) -> dict[str, int]:
        """Carry out the plan in one transaction (per datastore); rows affected per table."""

    def verify(self, plan: SystemPlan) -> dict[str, int]:
        """Re-query after an erasure: rows per table still holding data the plan erases (0 = clean)."""

    def rectify(
        self, located: Located, index: int, values: Mapping[str, Any], *, idempotency_key: str
    ) -> dict[str, int]:
        """Set named fields (category id or table.column) of one subject's rows; rows changed per table."""

    def restrict(self, located: Located, index: int, *, restricted: bool, idempotency_key: str) -> dict[str, int]:
        """Tell the datastore that use of the subject's data is restricted (or no longer)."""
