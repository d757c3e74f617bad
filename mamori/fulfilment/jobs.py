"""Background jobs: ids in, idempotent (a run continues with its first step not done)."""

from __future__ import annotations

from django_tasks import task

from mamori.core.leases import on_give_up


@task()
def run_fulfilment(run_id: int) -> str:
    from mamori.fulfilment.handler import ENGINE
    from mamori.fulfilment.services import execute_run

    return execute_run(run_id, ENGINE).status


@on_give_up(run_fulfilment)
def _run_given_up(run_id: int, *, attempts: int) -> None:
    from mamori.fulfilment.abandon import abandon_run

    abandon_run(run_id, attempts=attempts)
