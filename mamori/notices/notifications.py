"""E-mails about a material release: each person told once, whatever the number of workers.

A row per (release, keyed hash of the address) is created, then claimed by an atomic
compare-and-set (`UPDATE ... WHERE claimed_at IS NULL AND sent_at IS NULL`, counting the rows it
changed): of two workers, exactly one gets the claim and sends. A claim whose worker died is taken
over after CLAIM_TIMEOUT; a failed send gives its claim back so a retry sends it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from mamori.audit.services import Actor, record
from mamori.catalog.in_force import parsed_map
from mamori.catalog.mapfile import PrivacyMap
from mamori.core.crypto import keyed_email_hash
from mamori.notices.audiences import audience_for, excluded
from mamori.notices.classify import reason_text
from mamori.notices.models import NoticeNotification, NoticeRelease
from mamori.notices.rendering import center_url
from mamori.notices.wording import say

logger = logging.getLogger(__name__)

CLAIM_TIMEOUT = timedelta(minutes=15)  # far longer than one e-mail takes to send
BATCH = 500  # people per batch: one look-up of who was told already, one of who opted out


def claim_notification(release: NoticeRelease, email: str, language: str) -> NoticeNotification | None:
    """The row of this person for this release, claimed for sending; None when it was sent already
    or another worker holds the claim."""
    digest = keyed_email_hash(email)  # keyed: the table cannot be reversed with a list of addresses
    try:
        with transaction.atomic():
            notification, _created = NoticeNotification.objects.get_or_create(
                release=release, recipient_hash=digest, defaults={"language": language}
            )
    except IntegrityError:  # another worker created it between our read and our insert
        notification = NoticeNotification.objects.get(release=release, recipient_hash=digest)
    now = timezone.now()
    unclaimed = Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_TIMEOUT)
    claimed = NoticeNotification.objects.filter(unclaimed, pk=notification.pk, sent_at__isnull=True).update(
        claimed_at=now
    )
    return notification if claimed == 1 else None


def mark_sent(notification: NoticeNotification) -> None:
    NoticeNotification.objects.filter(pk=notification.pk, sent_at__isnull=True).update(sent_at=timezone.now())


def release_claim(notification: NoticeNotification) -> None:
    """The send failed: a retry may claim the row again at once."""
    NoticeNotification.objects.filter(pk=notification.pk, sent_at__isnull=True).update(claimed_at=None)


def _batched(pairs: Iterator[tuple[str, str]], size: int) -> Iterator[list[tuple[str, str]]]:
    batch: list[tuple[str, str]] = []
    for pair in pairs:
        batch.append(pair)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


@task()
def send_release_notifications(release_id: int) -> dict[str, int]:
    """Job: e-mail everyone the audiences name about a material release, each person once.

    The audiences come batch by batch (the company's systems may hold every customer): per batch
    one query finds who was already told (a re-run, or a resumed job, skips them without claiming)
    and one asks who opted out; then each remaining person is claimed and mailed. Safe to run again
    and on several workers at once (see the module's docstring).
    """
    release = NoticeRelease.objects.select_related("map_version").get(pk=release_id)
    if not release.material or "email" not in release.notify_by:
        return {"sent": 0, "skipped": 0, "failed": 0}

    privacy_map = parsed_map(release.map_version)
    counts = {"sent": 0, "skipped": 0, "failed": 0, "opted_out": 0}
    failed_audiences: list[str] = []
    for batch in _batched(audience_for(release.organisation, failed_audiences), BATCH):
        _send_batch(release, privacy_map, batch, counts)
    record(
        Actor.system("notices"),
        "notices.notification_sent",
        target_type="notice_release",
        target_id=f"{release.organisation}/{release.number}",
        details={**counts, "audiences_failed": failed_audiences},
    )
    return {key: counts[key] for key in ("sent", "skipped", "failed")}


def _send_batch(
    release: NoticeRelease, privacy_map: PrivacyMap, batch: list[tuple[str, str]], counts: dict[str, int]
) -> None:
    people: dict[str, tuple[str, str]] = {}
    for email, language in batch:
        people.setdefault(keyed_email_hash(email), (email, language))  # the first language wins
    told = set(
        NoticeNotification.objects.filter(
            release=release, recipient_hash__in=list(people), sent_at__isnull=False
        ).values_list("recipient_hash", flat=True)
    )
    opted_out = excluded(release.organisation, [email for email, _language in people.values()])
    for digest, (email, language) in people.items():
        if digest in told:
            counts["skipped"] += 1
            continue
        if email.lower() in opted_out:
            counts["opted_out"] += 1
            continue
        notification = claim_notification(release, email, language)
        if notification is None:
            counts["skipped"] += 1
            continue
        try:
            _send_one(release, privacy_map, email, language)
        except Exception:
            counts["failed"] += 1
            release_claim(notification)
            logger.exception("notice notification for release %s failed", release.pk)
            continue
        mark_sent(notification)
        counts["sent"] += 1


def _send_one(release: NoticeRelease, privacy_map: PrivacyMap, email: str, language: str) -> None:
    name = privacy_map.organisation.legal_name.get(language)
    context = {
        "organisation_name": name,
        "effective_from": release.effective_from,
        "reasons": [reason_text(code, language) for code in release.reasons],
        "changes_url": f"{center_url(release.organisation)}changes/?version={release.number}",
        "policy_url": f"{center_url(release.organisation)}policy/?version={release.number}",
        "release": release,
    }
    body = render_to_string(f"notices/email/material_change_{language}.txt", context)
    subject = say("email.subject", language, name=name)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email])
