"""Writing the audit log. `record` is the only way entries are created."""

from __future__ import annotations

import getpass
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from mamori.audit.chain import canonical_json, entry_hash
from mamori.audit.keys import current_chain_key
from mamori.audit.models import AuditChainHead, AuditEntry

ACTION_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
# Keys that would put a data subject's personal data into a log kept longer than the data itself.
# (Plain "name" is allowed: it usually names a thing, such as a map or a system.)
PERSONAL_KEYS = frozenset(
    {
        "email",
        "e_mail",
        "mail",
        "phone",
        "telephone",
        "tel",
        "mobile",
        "full_name",
        "first_name",
        "last_name",
        "given_name",
        "family_name",
        "address",
        "postal_address",
        "birth_date",
        "birthday",
        "date_of_birth",
        "dob",
        "password",
        "ip",
        "ip_address",
    }
)
EMAIL_VALUE = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")


@dataclass(frozen=True)
class Actor:
    kind: str  # "user" | "system" | "cli"
    ident: str  # user pk as str, or a system/cli name
    label: str  # username or name, shown in the log

    @classmethod
    def for_user(cls, user: Any) -> Actor:
        if user is None or not getattr(user, "is_authenticated", False):
            raise ValueError("Actor.for_user needs a signed-in user")
        return cls(kind="user", ident=str(user.pk), label=user.get_username())

    @classmethod
    def system(cls, name: str) -> Actor:
        return cls(kind="system", ident=name, label=name)

    @classmethod
    def cli(cls, name: str | None = None) -> Actor:
        if name is None:
            try:
                name = getpass.getuser()
            except (OSError, KeyError):  # no login name in some containers
                name = "unknown"
        return cls(kind="cli", ident=name, label=name)


def _check_details(value: Any, path: str = "details") -> None:
    """Refuse the obvious ways of leaking personal data into the log (a programming error)."""
    if isinstance(value, Mapping):
        for key, inner in value.items():
            if not isinstance(key, str):
                raise ValueError(f"{path}: keys must be strings")
            if key.lower() in PERSONAL_KEYS:
                raise ValueError(f"{path}.{key}: audit details must not carry personal data")
            _check_details(inner, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for index, inner in enumerate(value):
            _check_details(inner, f"{path}[{index}]")
    elif isinstance(value, str) and EMAIL_VALUE.search(value):
        raise ValueError(f"{path}: audit details must not carry e-mail addresses")


@dataclass(frozen=True)
class Entry:
    """One entry to append with `record_all`."""

    action: str
    target_type: str = ""
    target_id: str = ""
    details: Mapping[str, Any] | None = None


def record(
    actor: Actor,
    action: str,
    *,
    target_type: str = "",
    target_id: str = "",
    details: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append one hash-chained entry, inside the caller's transaction if there is one.

    Writers lock the chain-head row, so two concurrent writers cannot both extend the same entry;
    the second waits until the first commits (or rolls back, taking its entry with it).
    """
    return _append(actor, [Entry(action, target_type, target_id, details)], savepoint=True)[0]


def record_all(actor: Actor, entries: Sequence[Entry]) -> list[AuditEntry]:
    """Append several entries of one actor, in order, under one lock of the chain head (one read and
    one write of the head for all of them), for a service that writes them in one transaction.

    No savepoint of its own: a failure here fails the caller's whole transaction, so the work the
    entries describe is never committed without them (outside a transaction, it is one)."""
    return _append(actor, entries, savepoint=False)


def _append(actor: Actor, entries: Sequence[Entry], *, savepoint: bool) -> list[AuditEntry]:
    if actor.kind not in ("user", "system", "cli"):
        raise ValueError(f"unknown actor kind {actor.kind!r}")
    cleaned = []
    for entry in entries:
        if not ACTION_PATTERN.match(entry.action):
            raise ValueError(f"audit action {entry.action!r} must be dotted lower-case, e.g. 'map.applied'")
        _check_details(entry.details or {})
        # Round-trip through canonical JSON so what we hash is exactly what the database gives back.
        cleaned.append((entry, json.loads(canonical_json(dict(entry.details or {})))))
    written: list[AuditEntry] = []
    with transaction.atomic(savepoint=savepoint):
        head, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        key = current_chain_key()
        for entry, clean_details in cleaned:
            fields = {
                "seq": head.last_seq + 1,
                "at": timezone.now(),
                "actor_kind": actor.kind,
                "actor_id": str(actor.ident)[:64],
                "actor_label": str(actor.label)[:150],
                "action": entry.action,
                "target_type": entry.target_type[:64],
                "target_id": str(entry.target_id)[:64],
                "details": clean_details,
                "prev_hash": head.last_hash,
            }
            row = AuditEntry(**fields, hash=entry_hash(key, **fields), key_id=key.key_id)
            row.save(force_insert=True)
            head.last_seq = row.seq
            head.last_hash = row.hash
            written.append(row)
        head.save(update_fields=["last_seq", "last_hash"])
    return written
