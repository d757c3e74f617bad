"""`assert_query_count`: a page or job must not grow a query per row unnoticed.

    with assert_query_count(7):
        client.get("/console/requests/")

When the count differs, the failure lists every statement with its number, so the extra one is
found at a glance (as Zulip's `assert_database_query_count` does). Counts are of the default
database; a test pins the number it measured, and a change that adds a query must change it on
purpose.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections
from django.test.utils import CaptureQueriesContext


def format_queries(captured: CaptureQueriesContext) -> str:
    return "\n".join(f"{number}. {query['sql']}" for number, query in enumerate(captured.captured_queries, 1))


@contextmanager
def assert_query_count(expected: int, *, using: str = "default") -> Iterator[CaptureQueriesContext]:
    with CaptureQueriesContext(connections[using]) as captured:
        yield captured
    actual = len(captured.captured_queries)
    if actual != expected:
        raise AssertionError(f"{actual} queries where {expected} were expected:\n{format_queries(captured)}")
