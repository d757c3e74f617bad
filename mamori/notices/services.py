"""Publishing notices and what a material change sets off: the only writers of the notices domain.

`publish_notices(version, effective_from, actor)` stores a release of a map version's notices,
classifies every change since the last release (classify.py) and, when a change is material,
asks for consent again (`consent_version`), queues the e-mail to the audiences and shows the site
notice, each recorded in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mamori.audit.services import Actor, record
from mamori.catalog.in_force import parsed_map, version_in_force
from mamori.catalog.mapfile import PrivacyMap
from mamori.catalog.models import MapVersion
from mamori.catalog.services import schedule_version, start_of_day
from mamori.notices.classify import Classification, classify
from mamori.notices.errors import NoticesError
from mamori.notices.models import NoticeRelease
from mamori.notices.notifications import send_release_notifications
from mamori.notices.rendering import snapshot

# How long the site notice stays up after a material change takes effect.
SITE_NOTICE_DAYS_AFTER = 30


def organisation_today(privacy_map: PrivacyMap, now: datetime | None = None) -> date:
    """Effective dates are calendar dates where the company is."""
    return (now or timezone.now()).astimezone(ZoneInfo(privacy_map.organisation.time_zone)).date()


def latest_release(organisation: str) -> NoticeRelease | None:
    return NoticeRelease.objects.filter(organisation=organisation).order_by("-number").first()


def release_in_force(organisation: str, on: date | None = None) -> NoticeRelease | None:
    """The release people are bound by today: the newest one whose effective date has come."""
    if on is None:
        version = version_in_force(organisation)
        if version is None:
            return None
        on = organisation_today(parsed_map(version))
    return NoticeRelease.objects.filter(organisation=organisation, effective_from__lte=on).order_by("-number").first()


def consent_version(organisation: str) -> int:
    """The number of the latest material release in force (1 when none).

    The consent banner asks again when a visitor's stored version is lower. A material release
    announced for a later date counts from that date: consent is given to the notice in force.
    """
    in_force = release_in_force(organisation)
    if in_force is None:
        return 1
    material = (
        NoticeRelease.objects.filter(organisation=organisation, material=True, number__lte=in_force.number)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return material or 1


@dataclass(frozen=True)
class PendingChange:
    """What publishing the current map version would announce (shown in the console first)."""

    version: MapVersion
    previous: NoticeRelease | None
    classification: Classification
    earliest_effective: date
    default_effective: date
    already_published: bool


def pending_change(organisation: str, now: datetime | None = None) -> PendingChange | None:
    version = MapVersion.objects.newest(organisation)
    if version is None:
        return None
    previous = latest_release(organisation)
    old_document = previous.map_version.document if previous else None
    classification = classify(old_document, version.document)
    privacy_map = parsed_map(version)
    today = organisation_today(privacy_map, now)
    earliest = max(_earliest_effective(privacy_map, classification, today), _version_date(version, privacy_map))
    return PendingChange(
        version=version,
        previous=previous,
        classification=classification,
        earliest_effective=earliest,
        default_effective=earliest,
        already_published=previous is not None and previous.map_version_id == version.pk,
    )


def _earliest_effective(privacy_map: PrivacyMap, classification: Classification, today: date) -> date:
    """A material change takes effect only after the advance notice the company promised (OM12)."""
    changes = privacy_map.commitments.changes
    if classification.material and changes and changes.advance_notice:
        # The longest the promised period can be, so "30 days" or "1 month" is never cut short.
        return today + timedelta(days=changes.advance_notice.longest_days())
    return today


def _version_date(version: MapVersion, privacy_map: PrivacyMap) -> date:
    """The date a version applied for later takes effect (the notices cannot say it applies sooner);
    a version in force at once gives the earliest of dates."""
    if version.effective_at is None:
        return date.min
    return version.effective_at.astimezone(ZoneInfo(privacy_map.organisation.time_zone)).date()


def publish_notices(
    version: MapVersion, effective_from: date | None, actor: Actor, *, now: datetime | None = None
) -> NoticeRelease:
    """Publish the notices of `version`, taking effect on `effective_from` (default: as early as allowed).

    Refused (NoticesError, nothing stored) for a version older than or equal to the last released
    one, a date in the past, or a material change announced with less notice than promised.
    """
    privacy_map = parsed_map(version)
    organisation = version.organisation
    now = now or timezone.now()
    today = organisation_today(privacy_map, now)
    with transaction.atomic():
        previous = latest_release(organisation)
        if previous is not None and previous.map_version.number >= version.number:
            if previous.map_version_id == version.pk:
                raise NoticesError(
                    _("the notices of map version %(version)s are already published (release %(release)s)"),
                    code="already_published",
                    version=version.number,
                    release=previous.number,
                )
            raise NoticesError(
                _("map version %(version)s is older than the published version %(published)s"),
                code="older_version",
                version=version.number,
                published=previous.map_version.number,
            )
        classification = classify(previous.map_version.document if previous else None, version.document)
        earliest = _earliest_effective(privacy_map, classification, today)
        version_date = _version_date(version, privacy_map)
        effective = effective_from or max(earliest, version_date)
        if effective < today:
            raise NoticesError(
                _("the effective date %(date)s lies in the past"), code="effective_past", date=effective.isoformat()
            )
        if effective < earliest:
            raise NoticesError(
                _(
                    "this change is material: the map promises notice before it applies, so it can take effect "
                    "on %(date)s at the earliest"
                ),
                code="too_little_notice",
                date=earliest.isoformat(),
            )
        if effective < version_date:
            raise NoticesError(
                _("map version %(version)s takes effect on %(date)s: its notices cannot take effect before that"),
                code="before_version_effective",
                version=version.number,
                date=version_date.isoformat(),
            )
        number = (previous.number + 1) if previous else 1
        changes = privacy_map.commitments.changes
        notify_by = list(changes.notify_by) if changes else []
        try:
            with transaction.atomic():
                release = NoticeRelease.objects.create(
                    organisation=organisation,
                    map_version=version,
                    number=number,
                    effective_from=effective,
                    published_at=now,
                    material=classification.material,
                    classification=classification.to_json(),
                    notify_by=notify_by,
                    rendered=snapshot(version, today, effective, number),
                    published_by_kind=actor.kind,
                    published_by_ident=actor.ident,
                    published_by_label=actor.label,
                )
        except IntegrityError as exc:
            raise NoticesError(_("notices were published at the same time; try again"), code="conflict") from exc
        target = f"{organisation}/{number}"
        record(
            actor,
            "notices.published",
            target_type="notice_release",
            target_id=target,
            details={
                "organisation": organisation,
                "release": number,
                "map_version": version.number,
                "effective_from": effective.isoformat(),
                "material": classification.material,
                "reasons": classification.material_reasons,
                "changes": len(classification.changes),
            },
        )
        if effective > today:
            # The version's processing (banner, clocks, rights, ...) waits for the notices' date too.
            schedule_version(version, start_of_day(effective, privacy_map.organisation.time_zone), actor)
        if classification.material:
            _follow_up_material_change(release, actor, target)
    return release


def _follow_up_material_change(release: NoticeRelease, actor: Actor, target: str) -> None:
    record(
        actor,
        "notices.reconsent_requested",
        target_type="notice_release",
        target_id=target,
        details={"consent_version": release.number, "from": release.effective_from.isoformat()},
    )
    if "site_notice" in release.notify_by:
        record(
            actor,
            "notices.site_notice_shown",
            target_type="notice_release",
            target_id=target,
            details={"until": (release.effective_from + timedelta(days=SITE_NOTICE_DAYS_AFTER)).isoformat()},
        )
    if "email" in release.notify_by:
        record(actor, "notices.notification_queued", target_type="notice_release", target_id=target, details={})
        release_id = release.pk
        transaction.on_commit(lambda: send_release_notifications.enqueue(release_id))


def active_site_notice(organisation: str, today: date | None = None) -> NoticeRelease | None:
    """The material release to announce on the site, from publication until a while after it applies."""
    if today is None:
        version = version_in_force(organisation)
        if version is None:
            return None
        today = organisation_today(parsed_map(version))
    release = NoticeRelease.objects.filter(organisation=organisation, material=True).order_by("-number").first()
    if release is None or "site_notice" not in release.notify_by:
        return None
    if today > release.effective_from + timedelta(days=SITE_NOTICE_DAYS_AFTER):
        return None
    return release


def organisation_today_for(organisation: str) -> date:
    version = version_in_force(organisation)
    if version is None:
        return timezone.localdate()
    return organisation_today(parsed_map(version))


def publish_if_new(version: MapVersion, actor: Actor) -> NoticeRelease | None:
    """Publish `version`'s notices unless they already are (deploy scripts and the demo run this
    every time); the effective date is the earliest the map allows. Returns the new release or None.
    """
    previous = latest_release(version.organisation)
    if previous is not None and previous.map_version.number >= version.number:
        return None
    return publish_notices(version, None, actor)
