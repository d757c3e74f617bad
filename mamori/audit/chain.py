"""The canonical form of an audit entry and its keyed hash; shared by the writer and the verifier.

The hash is an HMAC (see keys.py): without the key, nobody can make a changed entry's hash match
again. `legacy_entry_hash` is the plain SHA-256 of the first version, kept for the migration that
re-keys chains written before.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from mamori.audit.keys import ChainKey


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _payload(
    *,
    seq: int,
    at: datetime,
    actor_kind: str,
    actor_id: str,
    actor_label: str,
    action: str,
    target_type: str,
    target_id: str,
    details: Any,
    prev_hash: str,
) -> dict[str, Any]:
    return {
        "seq": seq,
        "at": iso_utc(at),
        "actor": {"kind": actor_kind, "id": actor_id, "label": actor_label},
        "action": action,
        "target": {"type": target_type, "id": target_id},
        "details": details,
        "prev_hash": prev_hash,
    }


def entry_hash(key: ChainKey, **fields: Any) -> str:
    """The entry's HMAC under ``key``; the key's id is part of what is hashed."""
    payload = {**_payload(**fields), "key_id": key.key_id}
    return key.mac(canonical_json(payload).encode("utf-8"))


def legacy_entry_hash(**fields: Any) -> str:
    return hashlib.sha256(canonical_json(_payload(**fields)).encode("utf-8")).hexdigest()
