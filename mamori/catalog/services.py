"""Applying a privacy map: the only writer of map versions."""

from __future__ import annotations

import hashlib
import json
import posixpath
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mamori.audit.services import Actor, record
from mamori.catalog.errors import CatalogError
from mamori.catalog.mapfile import MapReadError, load_map
from mamori.catalog.mapfile.schema import LIST_SECTIONS
from mamori.catalog.models import MapVersion

# Sections whose size the audit log and the dashboard report: every list-valued one.
COUNTED_SECTIONS = LIST_SECTIONS


def canonical_sources(sources: Mapping[str, str]) -> dict[str, str]:
    """Source files named relative to their common folder, with `/` separators.

    The same map applied from another working directory (or by absolute path) must hash the
    same, so the folder it lives in is not part of its names.
    """
    names = [Path(name).as_posix() for name in sources]
    if len(names) == 1:
        return {posixpath.basename(names[0]): next(iter(sources.values()))}
    common = posixpath.commonpath([posixpath.dirname(n) or "." for n in names]) if names else ""
    canonical: dict[str, str] = {}
    for name, text in zip(names, sources.values(), strict=True):
        relative = posixpath.relpath(name, common) if common else name
        canonical[relative] = text
    return dict(sorted(canonical.items()))


def content_hash(sources: Mapping[str, str]) -> str:
    """SHA-256 over the sorted (name, text) pairs; JSON keeps the boundaries unambiguous."""
    pairs = sorted(canonical_sources(sources).items())
    payload = json.dumps(pairs, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def section_counts(document: Mapping[str, Any]) -> dict[str, int]:
    return {
        name: len(document.get(name) or []) for name in COUNTED_SECTIONS if isinstance(document.get(name) or [], list)
    }


def _to_document(privacy_map: Any) -> dict[str, Any]:
    to_document = getattr(privacy_map, "to_document", None)
    if callable(to_document):
        return dict(to_document())
    return dict(privacy_map.model_dump(mode="json", exclude_none=True))


def start_of_day(day: date, time_zone: str) -> datetime:
    """An effective date is a calendar date where the organisation is: it starts at midnight there."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(time_zone))


def _effective_instant(
    effective: date | datetime | None, time_zone: str, previous: MapVersion | None, now: datetime
) -> datetime | None:
    """When a new version takes effect; None for "as soon as applied".

    A version never takes effect before the one applied before it: by default it waits for a
    previous version still to come, and an earlier date is refused.
    """
    pending = previous.effective_at if previous is not None and previous.effective_at else None
    if pending is not None and pending <= now:
        pending = None
    if effective is None:
        return pending
    instant = effective if isinstance(effective, datetime) else start_of_day(effective, time_zone)
    if timezone.is_naive(instant):
        raise CatalogError(_("give the time with its zone, or a date"), code="effective_naive")
    local_today = now.astimezone(ZoneInfo(time_zone)).date()
    if instant.astimezone(ZoneInfo(time_zone)).date() < local_today:
        raise CatalogError(
            _("the effective date %(date)s lies in the past"),
            code="effective_past",
            date=instant.astimezone(ZoneInfo(time_zone)).date().isoformat(),
        )
    if pending is not None and instant < pending:
        raise CatalogError(
            _("version %(version)s takes effect on %(date)s: a newer version cannot take effect before it"),
            code="effective_before_previous",
            version=previous.number if previous else "",
            date=pending.astimezone(ZoneInfo(time_zone)).date().isoformat(),
        )
    return instant if instant > now else None


def apply_map(
    paths: Sequence[str | Path], actor: Actor, note: str = "", *, effective: date | datetime | None = None
) -> MapVersion:
    """Store the map at `paths` as the organisation's newest version.

    It takes effect when applied, or on `effective` (a date: its start in the organisation's zone);
    until then the previous version stays in force (`catalog.in_force`).

    An invalid map is refused with every problem listed and nothing stored. Applying the same
    files again returns the newest version unchanged, so a deploy script may apply on every run.
    """

    try:
        result = load_map(paths)
    except MapReadError as exc:
        raise CatalogError(
            _("%(file)s: cannot read: %(reason)s"), code="map_unreadable", file=exc.file, reason=exc.reason
        ) from exc
    if not result.ok or result.map is None:
        problems = list(result.problems)
        raise CatalogError(
            _("the privacy map has %(count)s problem(s); nothing was applied"),
            code="map_invalid",
            problems=problems,
            count=len(problems),
        )

    document = _to_document(result.map)
    organisation = str(document["organisation"]["id"])
    sources = canonical_sources(result.sources)
    digest = content_hash(result.sources)

    with transaction.atomic():
        current = MapVersion.objects.newest(organisation)
        if current is not None and current.content_hash == digest:
            return current
        number = (current.number + 1) if current else 1
        effective_at = _effective_instant(
            effective, str(document["organisation"]["time_zone"]), current, timezone.now()
        )
        try:
            with transaction.atomic():
                version = MapVersion.objects.create(
                    organisation=organisation,
                    number=number,
                    content_hash=digest,
                    source_files=sources,
                    document=document,
                    applied_by_kind=actor.kind,
                    applied_by_ident=actor.ident,
                    applied_by_label=actor.label,
                    note=note.strip(),
                    effective_at=effective_at,
                )
        except IntegrityError as exc:
            raise CatalogError(
                _("another version of %(organisation)s was applied at the same time; apply again"),
                code="map_conflict",
                organisation=organisation,
            ) from exc
        record(
            actor,
            "map.applied",
            target_type="map_version",
            target_id=f"{organisation}/{number}",
            details={
                "organisation": organisation,
                "number": number,
                "content_hash": digest,
                "previous": current.number if current else None,
                "effective_at": effective_at.isoformat() if effective_at else None,
                "counts": section_counts(document),
            },
        )
    version.was_created = True
    return version


def schedule_version(version: MapVersion, effective_at: datetime, actor: Actor) -> MapVersion:
    """Move when `version` takes effect to `effective_at` (its notices were published for that date).

    Only later, never into the past: what was in force stays recorded as it was. Returns the version
    as stored now.
    """
    now = timezone.now()
    if effective_at <= now or (version.effective_at is not None and version.effective_at >= effective_at):
        return version
    with transaction.atomic():
        MapVersion.objects.schedule(version.pk, effective_at)
        # Readers that cache what is in force (the consent banner) listen for saved versions.
        post_save.send(sender=MapVersion, instance=version, created=False)
        record(
            actor,
            "map.scheduled",
            target_type="map_version",
            target_id=f"{version.organisation}/{version.number}",
            details={
                "organisation": version.organisation,
                "number": version.number,
                "effective_at": effective_at.isoformat(),
                "before": version.effective_at.isoformat() if version.effective_at else None,
            },
        )
    return MapVersion.objects.defer("document", "source_files").get(pk=version.pk)
