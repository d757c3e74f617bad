"""Checking the audit chain: walk every entry in order and report the first one that is wrong."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from mamori.audit.chain import entry_hash
from mamori.audit.models import GENESIS_HASH, AuditChainHead, AuditEntry


@dataclass(frozen=True)
class ChainStatus:
    intact: bool
    entries: int
    broken_at: int | None = None  # the number of the first bad (or first missing) entry
    reason: str = ""

    def __str__(self) -> str:
        if self.intact:
            return f"audit chain intact: {self.entries} entries"
        return f"audit chain broken at entry #{self.broken_at}: {self.reason}"


def computed_hash(entry: AuditEntry) -> str:
    return entry_hash(
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


def verify_chain() -> ChainStatus:
    """Altered content shows as a hash mismatch, deleted entries as a gap in the numbers or a
    broken link, reordered entries as a broken link; the chain head catches deleted newest entries.
    """
    expected_seq = 1
    prev_hash = GENESIS_HASH
    count = 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        if entry.seq != expected_seq:
            return ChainStatus(
                False, count, expected_seq,
                _("entry missing (the next entry is #%(seq)s)") % {"seq": entry.seq},
            )  # fmt: skip
        if entry.prev_hash != prev_hash:
            return ChainStatus(False, count, entry.seq, _("previous-hash link does not match the entry before"))
        if computed_hash(entry) != entry.hash:
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
