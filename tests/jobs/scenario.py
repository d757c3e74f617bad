"""Run in a separate process against its own data folder (the worker tests' database):

python -m tests.jobs.scenario setup    # migrate, an officer, the onemall map, an erasure request queued
python -m tests.jobs.scenario status   # JSON: the request, its run and steps, the queued jobs
"""

from __future__ import annotations

import json
import sys

import django


def setup() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from mamori.accounts.models import Role
    from mamori.audit.services import Actor
    from mamori.catalog.services import apply_map
    from mamori.rights.services.intake import Submission, submit_request
    from mamori.rights.services.verification import mark_verified
    from mamori.rights.services.workflow import request_execution, show_plan, start
    from mamori.testing.staff import make_staff

    officer = make_staff(Role.PRIVACY_OFFICER, "officer")
    officer.email = "officer@example.com"
    officer.save(update_fields=["email"])
    actor = Actor.cli("scenario")
    apply_map(["examples/onemall"], actor)
    request, _token = submit_request(
        Submission(
            organisation="onemall",
            right="erasure",
            jurisdiction="JP",
            requester_name="Hanako Yamada",
            requester_email="hanako.yamada@example.jp",
            language="ja",
            channel="api",
        ),
        actor,
    )
    mark_verified(request, actor, method="staff")
    start(request, actor)
    show_plan(request, actor)  # the plan is shown (and computed) before work is executed
    request_execution(request, actor)
    print(request.pk)


def status() -> None:
    from django_tasks_db.models import DBTaskResult

    from mamori.core.models import JobLease
    from mamori.fulfilment.models import FulfilmentRun
    from mamori.rights.models import RightsRequest

    request = RightsRequest.objects.get()
    run = FulfilmentRun.objects.filter(request_id=request.pk).first()
    print(
        json.dumps(
            {
                "request": {
                    "status": request.status,
                    "outcome": request.outcome_status,
                    "summary": request.outcome_summary,
                },
                "run": None
                if run is None
                else {
                    "status": run.status,
                    "message": run.message,
                    "steps": [
                        {"system": step.system, "action": step.action, "status": step.status, "attempts": step.attempts}
                        for step in run.steps.order_by("position")
                    ],
                },
                "jobs": [
                    {"status": job.status, "path": job.task_path, "workers": len(job.worker_ids)}
                    for job in DBTaskResult.objects.order_by("enqueued_at")
                ],
                "leases": [{"attempts": lease.attempts, "worker": lease.worker_id} for lease in JobLease.objects.all()],
                "audit": _audit_counts(request.pk, None if run is None else run.pk),
            },
            default=str,
        )
    )


def _audit_counts(request_id: int, run_id: int | None) -> dict[str, int]:
    """How often each transition was recorded: a step finished twice or a request completed twice shows."""
    from django.db.models import Q

    from mamori.audit.models import AuditEntry

    mine = Q(target_type="rights.request", target_id=str(request_id))
    if run_id is not None:
        mine |= Q(target_type="fulfilment_run", target_id=str(run_id))
    counts: dict[str, int] = {}
    for entry in AuditEntry.objects.filter(mine).values("action", "details"):
        step = entry["details"].get("step") if entry["action"] == "fulfilment.step_finished" else None
        name = entry["action"] if step is None else f"{entry['action']}:{step}"
        counts[name] = counts.get(name, 0) + 1
    return counts


if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mamori.settings")
    django.setup()
    {"setup": setup, "status": status}[sys.argv[1]]()
