"""Rendering the notices of a stored map version or a published release (no writes here)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from django.conf import settings

from mamori.catalog.in_force import parsed_map
from mamori.catalog.mapfile import PrivacyMap
from mamori.catalog.models import MapVersion
from mamori.notices.builders import NotInScope, Options, available_kinds, build_notice
from mamori.notices.document import Notice, to_markdown
from mamori.notices.models import NoticeRelease
from mamori.scanner.services import observed_destinations

LANGUAGES = ("en", "ja")


def center_url(organisation: str) -> str:
    base = str(getattr(settings, "BASE_URL", "") or "").rstrip("/")
    return f"{base}/privacy/{organisation}/"


def scanned_destinations(organisation: str) -> dict[str, object]:
    """Third-party hosts the latest cookie scan saw, for the external-transmission notice."""
    return observed_destinations(organisation)


def earlier_maps(version: MapVersion, until: date) -> tuple[PrivacyMap, ...]:
    """The versions before ``version`` that were in force during the 12 months up to ``until``:
    those applied in that window, and the one already in force when it began (CP1)."""
    start = (
        until.replace(year=until.year - 1, day=28)
        if (until.month, until.day) == (2, 29)
        else until.replace(year=until.year - 1)
    )
    versions = MapVersion.objects.for_organisation(version.organisation).filter(number__lte=version.number)
    within = list(versions.filter(number__lt=version.number, applied_at__date__gt=start).order_by("-number"))
    in_force_at_start = versions.filter(applied_at__date__lte=start).order_by("-number").first()
    if in_force_at_start is not None and in_force_at_start.number < version.number:
        within.append(in_force_at_start)
    return tuple(parsed_map(found) for found in within)


def options_for(release: NoticeRelease | None, version: MapVersion, language: str) -> Options:
    seen = scanned_destinations(version.organisation)
    if release is None:
        return Options(
            language=language,
            center_url=center_url(version.organisation),
            earlier_maps=earlier_maps(version, date.today()),
            **seen,  # type: ignore[arg-type]
        )
    return Options(
        language=language,
        center_url=center_url(version.organisation),
        # Published at 08:00 in Tokyo is 23:00 the day before in UTC: the date is the company's.
        last_modified=release.published_at.astimezone(ZoneInfo(parsed_map(version).organisation.time_zone)).date(),
        effective_from=release.effective_from,
        version=release.number,
        **seen,  # type: ignore[arg-type]
        earlier_maps=earlier_maps(version, release.effective_from),
    )


def render_version(
    version: MapVersion, kind: str, language: str, *, release: NoticeRelease | None = None, point: str | None = None
) -> Notice:
    """Raises NotInScope / UnknownCollectionPoint / ValueError like build_notice."""
    privacy_map = parsed_map(version)
    return build_notice(privacy_map, kind, options_for(release, version, language), point=point)


def snapshot(version: MapVersion, published_on: date, effective_from: date, number: int) -> dict[str, dict[str, str]]:
    """Markdown of every notice the map has, both languages, as a release stores it."""
    privacy_map = parsed_map(version)
    seen = scanned_destinations(version.organisation)
    earlier = earlier_maps(version, effective_from)
    out: dict[str, dict[str, str]] = {}
    for kind in available_kinds(privacy_map):
        out[kind] = {}
        for language in LANGUAGES:
            options = Options(
                language=language,
                center_url=center_url(version.organisation),
                last_modified=published_on,
                effective_from=effective_from,
                version=number,
                **seen,  # type: ignore[arg-type]
                earlier_maps=earlier,
            )
            try:
                out[kind][language] = to_markdown(build_notice(privacy_map, kind, options))
            except NotInScope:
                continue
    return out
