"""The privacy center serves the current applied map of an organisation, or 404."""

from __future__ import annotations

from django.http import Http404

from mamori.catalog.mapfile import PrivacyMap
from mamori.catalog.models import MapVersion


def current_map(organisation: str) -> tuple[MapVersion, PrivacyMap]:
    version = MapVersion.objects.current(organisation)
    if version is None:
        raise Http404("no privacy map is applied for this organisation")
    return version, PrivacyMap.from_document(version.document)
