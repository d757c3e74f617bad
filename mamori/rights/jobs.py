"""Background jobs of the rights domain (ids in, idempotent; the sweeps run from `mamori requests sweep`
or the worker's schedule)."""

from __future__ import annotations

from django_tasks import task

from mamori.core.leases import on_give_up


@task()
def run_fulfilment(request_id: int) -> None:
    from mamori.rights.services.workflow import run_fulfilment as execute

    execute(request_id)


@task()
def sweep() -> dict[str, int]:
    """The daily housekeeping: close unverifiable requests, remind, expire results, purge records."""
    from mamori.rights.services import records

    return {
        "closed_unverified": records.close_unverifiable(),
        "reminders": records.send_reminders(),
        "results_expired": records.expire_results(),
        "records_purged": records.purge_expired_records(),
    }


@on_give_up(run_fulfilment)
def _fulfilment_given_up(request_id: int, *, attempts: int) -> None:
    from mamori.rights.services.abandoned import fulfilment_abandoned

    fulfilment_abandoned(request_id, attempts=attempts)
