"""The benchmark's job: erase a chunk of the bench store's customers with the engine's bulk API.

Run by `mamori worker` processes on Celery (they import it by its path, as every job). It is
the fulfilment engine's `erase_many` (plan, execute, verify, in batches), the call a bulk erasure
makes; one engine is kept per worker process, as the engine cache keeps one per map version.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import psycopg
from django_tasks import task

from bench.fulfilment.engine_setup import email_of, new_engine, store_map


@cache
def _engine(store_url: str) -> Any:
    return new_engine(store_map(), store_url)


@task()
def erase_customers(store_url: str, customers: list[int]) -> int:
    subjects = [{"email": email_of(customer)} for customer in customers]
    result = _engine(store_url).erase_many(subjects, key_prefix=f"bench-{customers[0]}")
    left = sum(sum(tables.values()) for tables in result["residue"].values())
    if left:
        raise RuntimeError(f"{left} rows left after erasing {len(customers)} customers")
    with psycopg.connect(store_url) as connection:  # the benchmark counts finished chunks here
        connection.execute("INSERT INTO bench_done (first_customer) VALUES (%s)", [customers[0]])
    return len(customers)
