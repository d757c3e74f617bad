"""Background jobs of retention: ids in, idempotent (a run continues with its first table not done)."""

from __future__ import annotations

from django_tasks import task


@task()
def execute_disposal(run_id: int) -> str:
    from mamori.retention.services import execute_run

    return execute_run(run_id).status


@task()
def sweep() -> dict[str, int]:
    """The daily disposal: map rules, mamori's own data, expired certificates."""
    from mamori.retention.services import sweep as run_sweep

    return run_sweep()
