"""The partitioning migration on PostgreSQL: backward to one table and forward again, rows kept."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the ledger is partitioned on PostgreSQL only"),
    pytest.mark.django_db(transaction=True),
]

BEFORE = [("consent", "0002_issue19_chosen_at")]
AFTER = [("consent", "0003_issue19_partitioned_ledger")]


def migrate(target: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)


def partitioned() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = 'consent_consentevent'::regclass")
        return cursor.fetchone() is not None


def insert(event_id: uuid.UUID, chosen: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO consent_consentevent (event_id, site, organisation, map_version, notice_version, "
            "banner_text_hash, language, choices, granted, method, gpc, region, device_hash, subject_hash, ip_hash, "
            "user_agent, recorded_at, chosen_at, seal) VALUES (%s, 's', 'o', 1, 1, '', 'en', '{}', ',', 'click', "
            "false, '', 'd', '', '', '', now(), %s, '') ON CONFLICT DO NOTHING",
            [event_id, chosen],
        )


def count() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), count(DISTINCT id) FROM consent_consentevent")
        total, ids = cursor.fetchone()
        assert total == ids
        return int(total)


def test_backward_and_forward_keep_rows_ids_and_dedupe() -> None:
    assert partitioned()
    kept = uuid.uuid4()
    insert(kept, "2024-01-10T00:00Z")  # older than any partition: the default takes it
    insert(uuid.uuid4(), "1970-01-01T00:00Z")
    try:
        migrate(BEFORE)
        assert not partitioned() and count() == 2
        insert(kept, "2024-01-10T00:00Z")  # still deduped on the plain table
        insert(uuid.uuid4(), "2024-02-10T00:00Z")  # the identity continues after the copied ids
        assert count() == 3
    finally:
        migrate(AFTER)
    assert partitioned() and count() == 3
    insert(kept, "2024-01-10T00:00Z")
    insert(uuid.uuid4(), "2024-01-11T00:00Z")
    assert count() == 4
    with connection.cursor() as cursor:  # the oldest row's month got its own partition on the way forward
        cursor.execute("SELECT tableoid::regclass::text FROM consent_consentevent WHERE event_id = %s", [kept])
        assert cursor.fetchone()[0] == "consent_consentevent_y2024m01"
