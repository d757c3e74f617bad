"""Background jobs of the register (ids in, idempotent), beside the services they run."""

from __future__ import annotations

from django_tasks import task


@task()
def sweep() -> dict[str, int]:
    """Dispose of the records whose keeping period has ended (until the retention engine does it)."""
    from mamori.disclosures.services import dispose_expired

    return {"records_disposed": dispose_expired()}
