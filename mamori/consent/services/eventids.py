"""Consent event ids carry the moment the browser made the choice (UUIDv7, RFC 9562).

The ledger on PostgreSQL is partitioned by month of that moment (`chosen_at`). A partitioned
table's unique constraints must include the partition key, so the key has to be a function of
the event id alone: a retry of the same id, however late, then falls on the same partition and
the same (event_id, chosen_at) pair, and `ON CONFLICT DO NOTHING` dedupes it exactly.

`chosen_at` is the browser's clock, not the server's (`recorded_at` is the server's). Ids that
are not v7 (a banner cached from before v7, an API client) are accepted: their `chosen_at` is the
fixed LEGACY_CHOSEN_AT, so their retries dedupe too; they live in the ledger's default partition
and expire by `recorded_at` (see services.ledger_storage).
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta

from django.utils.translation import gettext_lazy as _

from mamori.consent.services.errors import ConsentError

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
LEGACY_CHOSEN_AT = EPOCH  # "unknown": a non-v7 id says nothing about when it was made
FUTURE_SLACK = timedelta(days=1)  # browsers' clocks run ahead; more than this is not a clock
PAST_MARGIN = timedelta(days=30)  # a banner's retry queue may hold an event a while after it expired


def is_v7(event_id: uuid.UUID) -> bool:
    return event_id.version == 7 and event_id.variant == uuid.RFC_4122


def chosen_at(event_id: uuid.UUID) -> datetime:
    """The 48-bit Unix millisecond timestamp of a v7 id; LEGACY_CHOSEN_AT for any other id."""
    if not is_v7(event_id):
        return LEGACY_CHOSEN_AT
    return EPOCH + timedelta(milliseconds=event_id.int >> 80)


def uuid7(at: datetime | None = None) -> uuid.UUID:
    """A v7 id for `at` (now by default): 48-bit ms timestamp, version 7, variant, 74 random bits."""
    moment = at or datetime.now(UTC)
    millis = (moment - EPOCH) // timedelta(milliseconds=1)
    value = (millis & (2**48 - 1)) << 80 | int.from_bytes(os.urandom(10)) & (2**80 - 1)
    value = value & ~(0xF << 76) | 7 << 76  # version
    value = value & ~(0x3 << 62) | 0x2 << 62  # variant 10
    return uuid.UUID(int=value)


def checked_chosen_at(event_id: uuid.UUID, now: datetime, consent_days: int) -> datetime:
    """`chosen_at` of an event id, refused when a v7 id's time cannot be a real recent choice."""
    try:
        moment = chosen_at(event_id)
    except OverflowError:  # 48 bits of milliseconds reach the year 10889; datetime stops at 9999
        moment = datetime.max.replace(tzinfo=UTC)
    if moment is LEGACY_CHOSEN_AT:
        return moment
    if moment > now + FUTURE_SLACK or moment < now - timedelta(days=consent_days) - PAST_MARGIN:
        raise ConsentError(
            _("the event id's time (%(time)s) is too far from now"),
            code="event_time_invalid",
            time=moment.isoformat(timespec="seconds"),
        )
    return moment
