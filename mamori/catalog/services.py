"""Applying a privacy map: the only writer of map versions."""

from __future__ import annotations

import hashlib
import json
import posixpath
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
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


def apply_map(paths: Sequence[str | Path], actor: Actor, note: str = "") -> MapVersion:
    """Store the map at `paths` as the organisation's new current version.

    An invalid map is refused with every problem listed and nothing stored. Applying the same
    files again returns the current version unchanged, so a deploy script may apply on every run.
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
        current = MapVersion.objects.current(organisation)
        if current is not None and current.content_hash == digest:
            return current
        number = (current.number + 1) if current else 1
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
                "counts": section_counts(document),
            },
        )
    version.was_created = True
    return version
