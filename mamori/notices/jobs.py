"""Background jobs of the notices domain: ids in, idempotent, safe to run again."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from mamori.audit.services import Actor, record
from mamori.catalog.in_force import parsed_map
from mamori.catalog.mapfile import PrivacyMap
from mamori.notices.audiences import audience_for
from mamori.notices.classify import reason_text
from mamori.notices.models import NoticeNotification, NoticeRelease
from mamori.notices.rendering import center_url
from mamori.notices.wording import say

logger = logging.getLogger(__name__)


@task()
def send_release_notifications(release_id: int) -> dict[str, int]:
    """E-mail everyone the audiences name about a material release, each person once.

    A row per (release, hashed address) is claimed before sending and marked sent after, so a
    second run (a retry, a second worker) skips whoever was already told.
    """
    release = NoticeRelease.objects.select_related("map_version").get(pk=release_id)
    if not release.material or "email" not in release.notify_by:
        return {"sent": 0, "skipped": 0, "failed": 0}
    from mamori.notices.services import recipient_hash

    privacy_map = parsed_map(release.map_version)
    sent = skipped = failed = 0
    for email, language in audience_for(release.organisation):
        digest = recipient_hash(email)
        try:
            with transaction.atomic():
                notification, _created = NoticeNotification.objects.get_or_create(
                    release=release, recipient_hash=digest, defaults={"language": language}
                )
        except IntegrityError:
            notification = NoticeNotification.objects.get(release=release, recipient_hash=digest)
        if notification.sent_at is not None:
            skipped += 1
            continue
        try:
            _send_one(release, privacy_map, email, language)
        except Exception:
            failed += 1
            logger.exception("notice notification for release %s failed", release.pk)
            continue
        NoticeNotification.objects.filter(pk=notification.pk, sent_at__isnull=True).update(sent_at=timezone.now())
        sent += 1
    record(
        Actor.system("notices"),
        "notices.notification_sent",
        target_type="notice_release",
        target_id=f"{release.organisation}/{release.number}",
        details={"sent": sent, "skipped": skipped, "failed": failed},
    )
    return {"sent": sent, "skipped": skipped, "failed": failed}


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
