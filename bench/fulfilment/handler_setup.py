"""The request handler's own path on the bench store: mamori's database (migrated, the store's
map applied), and the two calls a verified request makes, `plan_run` then `execute_run`, with
their run, step and audit records written as they are for a real request."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from bench.common import SMALL, admin_connection, database_exists, pg_url, setup_django
from bench.fulfilment.engine_setup import MAP_PATH, STORE_ENV

# BENCH_HANDLER_DB: another handler database, so two benchmarks run at once do not share one.
DATABASE = os.environ.get("BENCH_HANDLER_DB") or ("mamori_bench_handler_small" if SMALL else "mamori_bench_handler")
ORGANISATION = "bench-store"


def setup_handler(store_url: str) -> None:
    """Django on the handler's own database, migrated, with the store's map in force. The store's
    URL goes in the environment the request handler's engine cache reads."""
    if not database_exists(DATABASE):
        with admin_connection() as connection:
            connection.execute(f'CREATE DATABASE "{DATABASE}"')
    os.environ[STORE_ENV] = store_url
    setup_django(pg_url(DATABASE))
    from django.core.management import call_command

    from mamori.audit.services import Actor
    from mamori.catalog.services import apply_map

    call_command("migrate", verbosity=0, interactive=False)
    apply_map([MAP_PATH], Actor.system("bench"), note="benchmark")


def use_store(store_url: str) -> None:
    """Point the handler at another copy of the store (the engine cache is keyed by map version,
    so it is emptied: its connectors would still reach the old database)."""
    from mamori.fulfilment.engine_cache import ENGINES

    os.environ[STORE_ENV] = store_url
    ENGINES.clear()


def handle(right: str, subjects: list[dict[str, str]]) -> Any:
    """One run as the request handler makes it: planned (stored with its steps), then executed."""
    from mamori.audit.services import Actor
    from mamori.fulfilment.services.execution import execute_run
    from mamori.fulfilment.services.planning import plan_run

    actor = Actor.system("bench")
    run = plan_run(ORGANISATION, right, subjects, actor)
    outcome = execute_run(run.pk, actor)
    if outcome.status != "completed":
        raise SystemExit(f"{right} run {run.pk}: {outcome.status} {outcome.message}")
    return run, outcome


def handle_access(email: str) -> tuple[Path, dict[str, int]]:
    """The package's path and the rows it holds per table (from the export step's result, as the run's
    outcome carries it back: reading the step again would time a query the request does not make)."""
    _run, outcome = handle("access", [{"email": email}])
    path = outcome.package_path
    assert path is not None
    (written,) = [step["tables"] for step in outcome.summary["steps"] if step["action"] == "export"]
    return path, dict(written["store-db"])
