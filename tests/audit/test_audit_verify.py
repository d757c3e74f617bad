"""The chain must reveal any change made behind the application's back (raw SQL)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from mamori.audit.models import AuditEntry
from mamori.audit.services import Actor, record
from mamori.audit.verify import computed_hash, verify_chain

TABLE = AuditEntry._meta.db_table


def _five_entries() -> list[AuditEntry]:
    actor = Actor.cli("ops")
    return [record(actor, f"test.step{i}", target_type="thing", target_id=str(i), details={"i": i}) for i in range(5)]


def _sql(statement: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement.replace("{table}", connection.ops.quote_name(TABLE)), params)


def _verify_cli() -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_audit_verify_intact_chain():
    _five_entries()
    assert verify_chain().intact
    code, out, _err = _verify_cli()
    assert code == 0
    assert out.strip() == "audit chain intact: 5 entries, 0 checkpoints"


@pytest.mark.django_db
def test_audit_verify_empty_chain_is_intact():
    code, out, _err = _verify_cli()
    assert (code, out.strip()) == (0, "audit chain intact: 0 entries, 0 checkpoints")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("details", json.dumps({"i": 99})),
        ("action", "test.innocent"),
        ("at", datetime(2020, 1, 1, tzinfo=UTC)),
        ("actor_label", "someone-else"),
        ("target_id", "7"),
    ],
)
def test_audit_verify_detects_altered_entry(column, value):
    _five_entries()
    _sql(f"UPDATE {{table}} SET {column} = %s WHERE seq = 3", [value])  # noqa: S608 - fixed test columns
    status = verify_chain()
    assert (status.intact, status.broken_at) == (False, 3)
    assert "altered" in status.reason
    code, _out, err = _verify_cli()
    assert code == 1
    assert err.strip().startswith("audit chain broken at entry #3:")


@pytest.mark.django_db
def test_audit_verify_detects_deleted_middle_entry():
    _five_entries()
    _sql("DELETE FROM {table} WHERE seq = 2", [])
    status = verify_chain()
    assert (status.intact, status.broken_at) == (False, 2)
    assert "missing" in status.reason


@pytest.mark.django_db
def test_audit_verify_detects_deleted_middle_entry_with_renumbering():
    """Deleting #2 and renumbering the rest to hide the gap still breaks the links."""
    _five_entries()
    _sql("DELETE FROM {table} WHERE seq = 2", [])
    for seq in (3, 4, 5):
        _sql("UPDATE {table} SET seq = %s WHERE seq = %s", [seq - 1, seq])
    status = verify_chain()
    assert (status.intact, status.broken_at) == (False, 2)


@pytest.mark.django_db
def test_audit_verify_detects_swapped_entries():
    _five_entries()
    _sql("UPDATE {table} SET seq = 1000 WHERE seq = 2", [])
    _sql("UPDATE {table} SET seq = 2 WHERE seq = 3", [])
    _sql("UPDATE {table} SET seq = 3 WHERE seq = 1000", [])
    status = verify_chain()
    assert (status.intact, status.broken_at) == (False, 2)
    assert "previous-hash" in status.reason


@pytest.mark.django_db
def test_audit_verify_detects_deleted_newest_entry():
    _five_entries()
    _sql("DELETE FROM {table} WHERE seq = 5", [])
    status = verify_chain()
    assert (status.intact, status.broken_at) == (False, 5)
    assert "newest" in status.reason
    code, _out, err = _verify_cli()
    assert code == 1 and "#5" in err


@pytest.mark.django_db
def test_audit_verify_detects_rewritten_chain_without_head():
    """Someone recomputes the hash of an altered newest entry: the head still remembers the old one."""
    _five_entries()

    last = AuditEntry.objects.get(seq=5)
    last.details = {"i": 42}
    _sql("UPDATE {table} SET details = %s, hash = %s WHERE seq = 5", [json.dumps({"i": 42}), computed_hash(last)])
    status = verify_chain()
    assert not status.intact and status.broken_at == 5


@pytest.mark.django_db
def test_audit_tail_prints_newest_entries():
    _five_entries()
    out = StringIO()
    call_command("audit", "tail", "-n", "2", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("#4 ") and "test.step3" in lines[0]
    assert lines[1].startswith("#5 ") and "cli:ops" in lines[1]
