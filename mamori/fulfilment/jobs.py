"""Background jobs: ids in, idempotent (a run continues with its first step not done)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_fulfilment(run_id: int) -> str:
    from mamori.fulfilment.handler import ENGINE
    from mamori.fulfilment.services import execute_run

    return execute_run(run_id, ENGINE).status
