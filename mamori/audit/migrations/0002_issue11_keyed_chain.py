"""Re-key the audit chain: every entry's plain SHA-256 hash becomes an HMAC under the chain key.

Entries are re-keyed in order while the old chain checks out. At the first entry that does not
(altered or missing before this migration), re-keying stops: that entry and every later one keep
their old hash and no key id, so `mamori audit verify` still names the same first bad entry
instead of the migration blessing a tampered log. Reversing restores the plain hashes.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, models

GENESIS = "0" * 64
FIELDS = ("seq", "at", "actor_kind", "actor_id", "actor_label", "action", "target_type", "target_id", "details")


def _fields(entry: Any, prev_hash: str) -> dict[str, Any]:
    return {**{name: getattr(entry, name) for name in FIELDS}, "prev_hash": prev_hash}


def rekey(apps: Any, schema_editor: Any) -> None:
    from mamori.audit.chain import entry_hash, legacy_entry_hash
    from mamori.audit.keys import current_chain_key

    entry_model = apps.get_model("audit", "AuditEntry")
    head_model = apps.get_model("audit", "AuditChainHead")
    key = current_chain_key()
    old_prev = new_prev = GENESIS
    expected = 1
    for entry in entry_model.objects.order_by("seq").iterator(chunk_size=2000):
        intact = (
            entry.seq == expected
            and entry.prev_hash == old_prev
            and legacy_entry_hash(**_fields(entry, entry.prev_hash)) == entry.hash
        )
        if not intact:
            return  # leave the rest as it is; verify reports this entry (and the head is not moved)
        old_prev = entry.hash
        new_hash = entry_hash(key, **_fields(entry, new_prev))
        entry_model.objects.filter(pk=entry.pk).update(prev_hash=new_prev, hash=new_hash, key_id=key.key_id)
        new_prev = new_hash
        expected += 1
    head_model.objects.filter(pk=1, last_hash=old_prev).update(last_hash=new_prev)


def unkey(apps: Any, schema_editor: Any) -> None:
    from mamori.audit.chain import legacy_entry_hash

    entry_model = apps.get_model("audit", "AuditEntry")
    head_model = apps.get_model("audit", "AuditChainHead")
    prev = GENESIS
    last_keyed = None
    for entry in entry_model.objects.exclude(key_id="").order_by("seq").iterator(chunk_size=2000):
        last_keyed = entry.hash
        new_hash = legacy_entry_hash(**_fields(entry, prev))
        entry_model.objects.filter(pk=entry.pk).update(prev_hash=prev, hash=new_hash, key_id="")
        prev = new_hash
    if last_keyed is not None:
        head_model.objects.filter(pk=1, last_hash=last_keyed).update(last_hash=prev)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="key_id",
            field=models.CharField(blank=True, default="", max_length=16, verbose_name="key"),
        ),
        migrations.RunPython(rekey, unkey, elidable=False),
    ]
