"""The only way views fetch map versions for a user: roles are checked here, missing things are 404."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from mamori.accounts.access import MAP_READERS
from mamori.catalog.in_force import upcoming_version, version_in_force, versions_in_force
from mamori.catalog.models import MapVersion


def _require_reader(user: Any) -> None:
    if not getattr(user, "is_authenticated", False) or not user.has_role(*MAP_READERS):
        raise PermissionDenied


def readable_organisations(user: Any) -> list[str]:
    """Organisations with at least one applied map version, by id."""
    _require_reader(user)
    return MapVersion.objects.organisations()


def resolve_organisation(user: Any, organisation: str | None) -> str | None:
    """The organisation a page is about: the one asked for, else the only one; None when it must be chosen."""
    organisations = readable_organisations(user)
    if organisation:
        if organisation not in organisations:
            raise Http404("no privacy map has been applied for this organisation")
        return organisation
    return organisations[0] if len(organisations) == 1 else None


def access_current_versions(user: Any) -> list[MapVersion]:
    """The version in force of each organisation."""
    _require_reader(user)
    return versions_in_force()


def access_current_version(user: Any, organisation: str) -> MapVersion:
    """The version in force (a version applied for a later date is `access_upcoming_version`)."""
    _require_reader(user)
    version = version_in_force(organisation)
    if version is None:
        raise Http404("no privacy map has been applied for this organisation")
    return version


def access_upcoming_version(user: Any, organisation: str) -> MapVersion | None:
    """A version applied to take effect later, when there is one."""
    _require_reader(user)
    return upcoming_version(organisation)


def access_version(user: Any, organisation: str, number: int) -> MapVersion:
    _require_reader(user)
    try:
        return MapVersion.objects.get(organisation=organisation, number=number)
    except MapVersion.DoesNotExist:
        raise Http404("no such map version") from None


def access_versions(user: Any, organisation: str | None = None) -> list[MapVersion]:
    """Versions newest first, of one organisation or of all of them."""
    _require_reader(user)
    versions = MapVersion.objects.order_by("organisation", "-number")
    if organisation:
        versions = versions.filter(organisation=organisation)
    return list(versions.defer("document", "source_files"))
