"""Two writers at once must not fork the chain (both extending the same entry)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from mamori.audit.models import AuditEntry
from mamori.audit.services import Actor, record
from mamori.audit.verify import verify_chain


@pytest.mark.django_db(transaction=True)
def test_audit_concurrent_writers_keep_one_chain():
    if connection.vendor != "postgresql":
        pytest.skip("row locks matter on PostgreSQL; SQLite serialises writers by itself")
    record(Actor.system("setup"), "test.started")
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            barrier.wait()
            for i in range(15):
                with transaction.atomic():
                    record(Actor.system(name), "test.concurrent", details={"i": i})
        except BaseException as exc:  # surfaced in the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(f"w{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert list(AuditEntry.objects.values_list("seq", flat=True)) == list(range(1, 32))
    status = verify_chain()
    assert status.intact, str(status)
