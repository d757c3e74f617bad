"""Checking the audit log: walk every entry in order and report the first one that is wrong, then
hold the chain against the signed checkpoints kept outside the database (checkpoints.py)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.utils import formats
from django.utils.translation import gettext as _

from mamori.audit.chain import entry_hash
from mamori.audit.checkpoints import Checkpoint, read_checkpoints
from mamori.audit.keys import chain_key_by_id
from mamori.audit.models import GENESIS_HASH, AuditChainHead, AuditEntry


@dataclass(frozen=True)
class ChainStatus:
    intact: bool
    entries: int
    broken_at: int | None = None  # the number of the first bad (or first missing) entry
    reason: str = ""
    checkpoints: int = 0  # signed checkpoints that agree with the chain
    latest_checkpoint: Checkpoint | None = None
    # Further findings (other checkpoints that disagree, checkpoint lines that are not genuine).
    problems: tuple[str, ...] = field(default=())

    def __str__(self) -> str:
        if self.intact:
            return f"audit chain intact: {self.entries} entries, {self.checkpoints} checkpoints"
        if self.broken_at is None:
            return f"audit checkpoints broken: {self.reason}"
        return f"audit chain broken at entry #{self.broken_at}: {self.reason}"


def computed_hash(entry: AuditEntry) -> str | None:
    """The hash the entry should carry, or None when it names no key this server holds."""
    key = chain_key_by_id(entry.key_id) if entry.key_id else None
    if key is None:
        return None
    return entry_hash(
        key,
        seq=entry.seq,
        at=entry.at,
        actor_kind=entry.actor_kind,
        actor_id=entry.actor_id,
        actor_label=entry.actor_label,
        action=entry.action,
        target_type=entry.target_type,
        target_id=entry.target_id,
        details=entry.details,
        prev_hash=entry.prev_hash,
    )


def verify_chain(public_key: Ed25519PublicKey | None = None) -> ChainStatus:
    """The chain itself, then the checkpoints (signatures checked with ``public_key``, by default
    the configured signing key's)."""
    checkpoints, bad_lines = read_checkpoints(public_key)
    wanted = {checkpoint.seq for checkpoint in checkpoints}
    seen: dict[int, str] = {}
    status = _walk_chain(wanted, seen)
    problems = [
        _("checkpoint file line %(line)s: %(reason)s") % {"line": bad.line, "reason": _(bad.reason)}
        for bad in bad_lines
    ]
    last_seq = status.entries  # entries checked; when the chain is broken, the walk stopped there
    agreeing = 0
    first_failure: tuple[int | None, str] | None = None
    for checkpoint in sorted(checkpoints, key=lambda item: (item.seq, item.line)):
        if checkpoint.seq == 0:
            agreeing += 1
            continue
        if not status.intact and checkpoint.seq > last_seq:
            continue  # beyond the break: nothing checked there to compare with
        when = formats.date_format(checkpoint.at, "DATETIME_FORMAT")
        if checkpoint.seq not in seen and checkpoint.seq > last_seq:
            failure = (
                last_seq + 1,
                _(
                    "entries #%(first)s to #%(last)s are missing: the checkpoint of %(when)s recorded entry "
                    "#%(last)s (the log was truncated or an older copy of the database was restored)"
                )
                % {"first": last_seq + 1, "last": checkpoint.seq, "when": when},
            )
        elif checkpoint.seq in seen and seen[checkpoint.seq] != checkpoint.hash:
            failure = (
                checkpoint.seq,
                _(
                    "entry #%(seq)s differs from the checkpoint of %(when)s (the log was rewritten or an "
                    "older copy of the database was restored)"
                )
                % {"seq": checkpoint.seq, "when": when},
            )
        else:
            agreeing += 1
            continue
        if first_failure is None:
            first_failure = failure
        else:
            problems.append(failure[1])
    latest = max(checkpoints, key=lambda item: (item.at, item.seq), default=None)
    status = replace(status, checkpoints=agreeing, latest_checkpoint=latest)
    if not status.intact:
        if first_failure is not None:
            problems.insert(0, first_failure[1])
        return replace(status, problems=tuple(problems))
    if first_failure is not None:
        seq, reason = first_failure
        return replace(status, intact=False, broken_at=seq, reason=reason, problems=tuple(problems))
    if problems:
        return replace(status, intact=False, broken_at=None, reason=problems[0], problems=tuple(problems[1:]))
    return status


def _walk_chain(wanted: set[int], seen: dict[int, str]) -> ChainStatus:
    """Altered content shows as a hash mismatch, deleted entries as a gap in the numbers or a
    broken link, reordered entries as a broken link; the chain head catches deleted newest entries.
    Records in ``seen`` the hash of every entry whose number is in ``wanted``.
    """
    expected_seq = 1
    prev_hash = GENESIS_HASH
    count = 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        if entry.seq in wanted:
            seen[entry.seq] = entry.hash
        if entry.seq != expected_seq:
            return ChainStatus(
                False,
                count,
                expected_seq,
                _("entry missing (the next entry is #%(seq)s)") % {"seq": entry.seq},
            )
        if entry.prev_hash != prev_hash:
            return ChainStatus(False, count, entry.seq, _("previous-hash link does not match the entry before"))
        expected_hash = computed_hash(entry)
        if expected_hash is None:
            return ChainStatus(False, count, entry.seq, _("entry was not made with any configured audit key"))
        if expected_hash != entry.hash:
            return ChainStatus(False, count, entry.seq, _("content does not match its hash (altered)"))
        prev_hash = entry.hash
        expected_seq += 1
        count += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    head_seq = head.last_seq if head else 0
    head_hash = head.last_hash if head else GENESIS_HASH
    if head_seq != count:
        if head_seq > count:
            reason = _("entries #%(first)s to #%(last)s are missing (the newest entries were deleted)") % {
                "first": count + 1,
                "last": head_seq,
            }
            return ChainStatus(False, count, count + 1, reason)
        return ChainStatus(False, count, head_seq + 1, _("entry is not recorded in the chain head"))
    if head_hash != prev_hash:
        return ChainStatus(False, count, count or None, _("newest entry does not match the chain head"))
    return ChainStatus(True, count)
