"""The one home of "which privacy map is in force": every domain asks here, nobody parses a stored map.

Parsing a stored document into a `PrivacyMap` costs a few milliseconds; a page or a job may need
the map several times. So each parsed map is kept in this process per

    (organisation, version number, content hash)

The content hash is part of the key because a number alone can come back with other content (a
database restored, a test database re-created). Stored versions never change (`MapVersion` refuses
updates), so an entry never goes stale; the cache is bounded so old versions fall out.

"In force" is at an instant (default now): a version applied with a date to come
(`MapVersion.effective_at`, `mamori map apply --effective`, or its notices published for a later
date) leaves the previous version in force until then. Banner, clocks, rights offered, notices,
fulfilment and retention all ask here, so they all switch at that instant together.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime

from django.http import Http404

from mamori.catalog.errors import CatalogError
from mamori.catalog.mapfile import PrivacyMap
from mamori.catalog.models import MapVersion
from mamori.core.errors import DomainError

MAX_PARSED_MAPS = 64  # a few versions of a few organisations; each is a few hundred kB at most

_lock = threading.Lock()
_parsed: OrderedDict[tuple[str, int, str], PrivacyMap] = OrderedDict()


class NoMapApplied(CatalogError):
    code = "no_map"


def parsed_map(version: MapVersion) -> PrivacyMap:
    """The parsed map of a stored version; the document is read (and parsed) only when not cached."""
    key = (version.organisation, version.number, version.content_hash)
    with _lock:
        found = _parsed.get(key)
        if found is not None:
            _parsed.move_to_end(key)
            return found
    parsed = PrivacyMap.from_document(dict(version.document))
    with _lock:
        parsed = _parsed.setdefault(key, parsed)
        while len(_parsed) > MAX_PARSED_MAPS:
            _parsed.popitem(last=False)
    return parsed


def version_in_force(organisation: str, at: datetime | None = None) -> MapVersion | None:
    """The version in force at `at` (default now), without its (large) document and sources: one
    small query. None when no version has taken effect yet."""
    versions = MapVersion.objects.defer("document", "source_files")
    return versions.in_force(organisation, at)


def versions_in_force(at: datetime | None = None) -> list[MapVersion]:
    """The version in force of every organisation at `at` (default now), by organisation id."""
    return MapVersion.objects.in_force_versions(at)


def upcoming_version(organisation: str, at: datetime | None = None) -> MapVersion | None:
    """A version applied to take effect later than `at` (default now), newer than the one in force."""
    return MapVersion.objects.defer("document", "source_files").upcoming(organisation, at)


def map_in_force(
    organisation: str, *, missing: type[DomainError] = NoMapApplied, at: datetime | None = None
) -> tuple[MapVersion, PrivacyMap]:
    """The version in force at `at` (default now) and its parsed map. With none in force, raises
    `missing` (code "no_map"): a domain's services pass their own error type, so they raise only that one."""
    version = version_in_force(organisation, at)
    if version is None:
        raise missing(f"no privacy map is applied for organisation {organisation}", code="no_map")
    return version, parsed_map(version)


def map_in_force_or_404(organisation: str, at: datetime | None = None) -> tuple[MapVersion, PrivacyMap]:
    """For public pages: an organisation without a map does not exist."""
    try:
        return map_in_force(organisation, at=at)
    except NoMapApplied:
        raise Http404("no privacy map is applied for this organisation") from None


def map_of_version(organisation: str, number: int) -> PrivacyMap:
    """The map of one stored version (what a request was received under); the one in force when the
    number is unknown (a request stored before versions were numbered)."""
    versions = MapVersion.objects.for_organisation(organisation).defer("document", "source_files")
    version = versions.filter(number=number).first()
    if version is None:
        return map_in_force(organisation)[1]
    return parsed_map(version)


def forget_parsed_maps() -> None:
    """Empty the cache (tests that re-create a database with other content under the same hash)."""
    with _lock:
        _parsed.clear()
