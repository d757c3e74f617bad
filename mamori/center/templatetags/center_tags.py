"""Template tags of the privacy center."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from mamori.catalog.in_force import parsed_map, version_in_force

register = template.Library()


@register.simple_tag
def organisation_name(organisation: str) -> str:
    """The organisation's legal name from its map in the page's language, so that every page of the
    center (and the demo shop) names the company the same way; its slug when no map is applied."""
    version = version_in_force(organisation)
    if version is None:
        return organisation
    language = (get_language() or "en").split("-")[0]
    return parsed_map(version).organisation.legal_name.get(language) or organisation
