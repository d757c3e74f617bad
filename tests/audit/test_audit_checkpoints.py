"""The keyed chain and the signed checkpoints catch what a plain hash chain cannot: a full rewrite by
someone with database access, truncation, and a restored older copy of the database."""

from __future__ import annotations

import base64
import json
from io import StringIO
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import override_settings

from mamori.audit.chain import canonical_json, entry_hash, legacy_entry_hash
from mamori.audit.checkpoints import checkpoint_file, read_checkpoints, write_checkpoint
from mamori.audit.keys import current_chain_key, public_key_text
from mamori.audit.models import GENESIS_HASH, AuditChainHead, AuditEntry
from mamori.audit.services import Actor, record
from mamori.audit.verify import verify_chain

TABLE = AuditEntry._meta.db_table
FIELDS = ("seq", "at", "actor_kind", "actor_id", "actor_label", "action", "target_type", "target_id", "details")


def _entries(count: int, start: int = 0) -> None:
    for i in range(start, start + count):
        record(Actor.cli("ops"), f"test.step{i}", target_type="thing", target_id=str(i), details={"i": i})


def _sql(statement: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement.replace("{table}", connection.ops.quote_name(TABLE)), params)


def _fields(entry: AuditEntry, prev_hash: str) -> dict[str, object]:
    return {**{name: getattr(entry, name) for name in FIELDS}, "prev_hash": prev_hash}


def _rewrite_everything(hasher, key_id: str) -> None:
    """What an attacker with write access does: change entry #3, recompute every hash and the head."""
    _sql("UPDATE {table} SET details = %s WHERE seq = 3", [json.dumps({"i": 99})])
    prev = GENESIS_HASH
    for entry in AuditEntry.objects.order_by("seq"):
        new_hash = hasher(_fields(entry, prev))
        _sql(
            "UPDATE {table} SET prev_hash = %s, hash = %s, key_id = %s WHERE seq = %s",
            [prev, new_hash, key_id, entry.seq],
        )
        prev = new_hash
    AuditChainHead.objects.filter(pk=1).update(last_hash=prev)


def _verify_cli(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("audit", "verify", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_a_rewrite_with_plain_hashes_is_caught_without_any_checkpoint():
    _entries(5)
    _rewrite_everything(lambda fields: legacy_entry_hash(**fields), "")
    status = verify_chain()
    assert (status.intact, status.broken_at) == (False, 1)
    assert "not made with any configured audit key" in status.reason


@pytest.mark.django_db
def test_a_rewrite_under_a_guessed_key_id_is_caught():
    _entries(5)
    key_id = current_chain_key().key_id
    _rewrite_everything(lambda fields: legacy_entry_hash(**fields), key_id)
    status = verify_chain()
    assert (status.intact, status.broken_at) == (False, 1)
    assert "altered" in status.reason


@pytest.mark.django_db
def test_a_rewrite_with_the_chain_key_is_caught_by_the_checkpoint():
    """Someone holding the chain key recomputes everything; the checkpoint written before disagrees."""
    _entries(5)
    write_checkpoint()
    key = current_chain_key()
    _rewrite_everything(lambda fields: entry_hash(key, **fields), key.key_id)
    status = verify_chain()
    assert not status.intact
    assert status.broken_at == 5
    assert "entry #5 differs from the checkpoint" in status.reason
    code, _out, err = _verify_cli()
    assert code == 1 and "audit chain broken at entry #5: entry #5 differs from the checkpoint" in err


@pytest.mark.django_db
def test_truncation_is_caught_and_the_missing_range_named():
    _entries(5)
    write_checkpoint()
    _sql("DELETE FROM {table} WHERE seq > 3", [])
    AuditChainHead.objects.filter(pk=1).update(last_seq=3, last_hash=AuditEntry.objects.get(seq=3).hash)
    status = verify_chain()
    assert (status.intact, status.broken_at) == (False, 4)
    assert "entries #4 to #5 are missing" in status.reason
    code, _out, err = _verify_cli()
    assert code == 1 and "entries #4 to #5 are missing" in err


@pytest.mark.django_db
def test_a_restored_older_copy_that_went_on_writing_is_caught():
    _entries(3)
    older_head = AuditChainHead.objects.get(pk=1)
    _entries(2, start=3)
    write_checkpoint()
    # The database is put back to its state after entry #3 and the application carries on.
    _sql("DELETE FROM {table} WHERE seq > 3", [])
    AuditChainHead.objects.filter(pk=1).update(last_seq=older_head.last_seq, last_hash=older_head.last_hash)
    _entries(2, start=10)
    status = verify_chain()
    assert (status.intact, status.broken_at) == (False, 5)
    assert "differs from the checkpoint" in status.reason


@pytest.mark.django_db
def test_checkpoints_that_agree_are_counted_and_the_latest_shown(client_as, auditor):
    _entries(2)
    write_checkpoint()
    _entries(2, start=2)
    write_checkpoint()
    status = verify_chain()
    assert status.intact and status.checkpoints == 2
    assert status.latest_checkpoint is not None and status.latest_checkpoint.seq == 4
    lines = checkpoint_file().read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and json.loads(lines[1])["seq"] == 4
    page = client_as(auditor).get("/console/audit/")
    assert page.status_code == 200
    assert "Last checkpoint: entry #4" in page.content.decode()


@pytest.mark.django_db
def test_a_forged_checkpoint_line_is_reported():
    _entries(2)
    write_checkpoint()
    forger = Ed25519PrivateKey.generate()
    message = canonical_json({"seq": 2, "hash": "f" * 64, "at": "2026-01-01T00:00:00.000000+00:00"}).encode()
    forged = {
        "seq": 2,
        "hash": "f" * 64,
        "at": "2026-01-01T00:00:00.000000+00:00",
        "signature": base64.b64encode(forger.sign(message)).decode(),
    }
    with checkpoint_file().open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(forged) + "\n")
    status = verify_chain()
    assert not status.intact and status.broken_at is None
    assert "checkpoint file line 2: signature does not match" in status.reason


@pytest.mark.django_db
def test_verify_with_an_offline_public_key():
    _entries(2)
    write_checkpoint()
    out = StringIO()
    call_command("audit", "public-key", stdout=out)
    assert out.getvalue().strip() == public_key_text()
    assert _verify_cli("--public-key", out.getvalue().strip())[0] == 0
    other = public_key_text(Ed25519PrivateKey.generate().public_key())
    code, _out, err = _verify_cli("--public-key", other)
    assert code == 1 and "signature does not match" in err


@pytest.mark.django_db
def test_checkpoint_command_appends(tmp_path: Path):
    with override_settings(MAMORI_AUDIT_CHECKPOINT_DIR=tmp_path / "cp"):
        _entries(1)
        out = StringIO()
        call_command("audit", "checkpoint", stdout=out)
        call_command("audit", "checkpoint", stdout=out)
        assert "checkpoint: entry #1" in out.getvalue()
        good, bad = read_checkpoints()
        assert [checkpoint.seq for checkpoint in good] == [1, 1] and bad == []


@pytest.mark.django_db
def test_key_rotation_keeps_old_entries_verifiable():
    with override_settings(MAMORI_AUDIT_KEYS=["first-audit-key-" + "a" * 32]):
        _entries(2)
        old_id = current_chain_key().key_id
    with override_settings(MAMORI_AUDIT_KEYS=["second-audit-key-" + "b" * 32, "first-audit-key-" + "a" * 32]):
        _entries(2, start=2)
        assert current_chain_key().key_id != old_id
        assert verify_chain().intact
        assert AuditEntry.objects.get(seq=1).key_id == old_id
        assert AuditEntry.objects.get(seq=4).key_id == current_chain_key().key_id
    with override_settings(MAMORI_AUDIT_KEYS=["second-audit-key-" + "b" * 32]):
        status = verify_chain()
        assert (status.intact, status.broken_at) == (False, 1)


def _make_legacy_chain() -> None:
    """Turn the chain into what the first version wrote: plain SHA-256, no key id."""
    prev = GENESIS_HASH
    for entry in AuditEntry.objects.order_by("seq"):
        new_hash = legacy_entry_hash(**_fields(entry, prev))
        _sql("UPDATE {table} SET prev_hash = %s, hash = %s, key_id = '' WHERE seq = %s", [prev, new_hash, entry.seq])
        prev = new_hash
    AuditChainHead.objects.filter(pk=1).update(last_hash=prev)


@pytest.mark.django_db
def test_migration_rekeys_an_intact_legacy_chain_and_stops_at_a_bad_entry():
    from importlib import import_module

    rekey = import_module("mamori.audit.migrations.0002_issue11_keyed_chain").rekey
    historical = MigrationLoader(connection).project_state(("audit", "0002_issue11_keyed_chain")).apps
    _entries(5)
    _make_legacy_chain()
    assert not verify_chain().intact
    rekey(historical, None)
    assert verify_chain().intact

    # A legacy chain that was tampered with before the upgrade stays flagged at the same entry.
    _make_legacy_chain()
    _sql("UPDATE {table} SET details = %s WHERE seq = 4", [json.dumps({"i": 99})])
    rekey(historical, None)
    status = verify_chain()
    assert (status.intact, status.broken_at) == (False, 4)
