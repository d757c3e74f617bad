"""Signed checkpoints of the audit chain head, kept outside the database.

A checkpoint is one line of JSON appended to `checkpoints.jsonl` in MAMORI_AUDIT_CHECKPOINT_DIR:
the head's sequence number and hash, the time, and an Ed25519 signature over those three (keys.py).
The file is only ever opened for appending. Whoever can rewrite the database still cannot make the
chain agree with a checkpoint written before: truncating the log, restoring an older copy of the
database or rewriting entries (even with the chain key) leaves an entry that is missing or differs
from what a checkpoint recorded. Operators make the folder append-only or ship it elsewhere
(docs/security.md).
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_noop
from django_tasks import task

from mamori.audit.chain import canonical_json, iso_utc
from mamori.audit.keys import public_key_text, signing_key
from mamori.audit.models import GENESIS_HASH, AuditChainHead

FILE_NAME = "checkpoints.jsonl"


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: datetime
    line: int = 0  # where it stands in the file (1-based), for messages


@dataclass(frozen=True)
class BadLine:
    line: int
    reason: str


def checkpoint_file() -> Path:
    return Path(settings.MAMORI_AUDIT_CHECKPOINT_DIR) / FILE_NAME


def _signed_message(seq: int, head_hash: str, at: str) -> bytes:
    return canonical_json({"seq": seq, "hash": head_hash, "at": at}).encode("utf-8")


def write_checkpoint(now: datetime | None = None) -> Checkpoint:
    """Sign the current head and append it; the line is flushed to disk before returning."""
    head = AuditChainHead.objects.filter(pk=1).first()
    seq, head_hash = (head.last_seq, head.last_hash) if head else (0, GENESIS_HASH)
    moment = now or timezone.now()
    at = iso_utc(moment)
    signature = signing_key().sign(_signed_message(seq, head_hash, at))
    line = canonical_json(
        {
            "seq": seq,
            "hash": head_hash,
            "at": at,
            "public_key": public_key_text(),
            "signature": base64.b64encode(signature).decode("ascii"),
        }
    )
    path = checkpoint_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_APPEND: each write lands at the end even with several writers; never truncated or rewritten.
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(descriptor, (line + "\n").encode("utf-8"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    return Checkpoint(seq=seq, hash=head_hash, at=moment)


def read_checkpoints(public_key: Ed25519PublicKey | None = None) -> tuple[list[Checkpoint], list[BadLine]]:
    """Every checkpoint whose signature checks out under ``public_key`` (default: the configured
    signing key's), and every line that does not (forged, damaged or signed by another key)."""
    key = public_key or signing_key().public_key()
    path = checkpoint_file()
    if not path.exists():
        return [], []
    good: list[Checkpoint] = []
    bad: list[BadLine] = []
    with path.open(encoding="utf-8") as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                data = json.loads(text)
                seq, head_hash, at = int(data["seq"]), str(data["hash"]), str(data["at"])
                key.verify(base64.b64decode(data["signature"]), _signed_message(seq, head_hash, at))
                moment = parse_datetime(at)
                if moment is None:
                    raise ValueError(at)
            except InvalidSignature:
                bad.append(BadLine(number, gettext_noop("signature does not match")))
                continue
            except (ValueError, KeyError, TypeError):
                bad.append(BadLine(number, gettext_noop("not a checkpoint")))
                continue
            good.append(Checkpoint(seq=seq, hash=head_hash, at=moment, line=number))
    return good, bad


def latest_checkpoint() -> Checkpoint | None:
    good, _bad = read_checkpoints()
    return max(good, key=lambda checkpoint: (checkpoint.at, checkpoint.seq), default=None)


@task()
def checkpoint_job() -> int:
    """Job the scheduler queues at a fixed interval: sign the head; returns the entry number."""
    return write_checkpoint().seq
