"""Read the applied privacy map and its versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from mamori.api.auth import scoped
from mamori.catalog.in_force import upcoming_version, version_in_force
from mamori.catalog.models import MapVersion

router = Router(tags=["privacy map"])


class VersionOut(Schema):
    organisation: str
    number: int
    content_hash: str
    applied_at: datetime
    applied_by: str
    note: str
    effective_at: datetime | None = None  # when it takes effect; empty: when it was applied
    in_force: bool = False


def _version_out(version: MapVersion) -> dict[str, Any]:
    return {
        "organisation": version.organisation,
        "number": version.number,
        "content_hash": version.content_hash,
        "applied_at": version.applied_at,
        "applied_by": version.applied_by_label,
        "note": version.note,
        "effective_at": version.effective_at,
    }


@router.get(
    "/{organisation}/versions",
    auth=scoped("map:read"),
    response=list[VersionOut],
    summary="Every applied version, newest first",
)
def versions(request: HttpRequest, organisation: str) -> list[dict[str, Any]]:
    found = MapVersion.objects.filter(organisation=organisation).order_by("-number")
    if not found:
        raise HttpError(404, f"No map is applied for organisation '{organisation}'.")
    in_force = version_in_force(organisation)
    number_in_force = in_force.number if in_force else None
    return [_version_out(version) | {"in_force": version.number == number_in_force} for version in found]


@router.get("/{organisation}", auth=scoped("map:read"), summary="The map document in force (normalized JSON)")
def current(request: HttpRequest, organisation: str) -> dict[str, Any]:
    version = version_in_force(organisation)
    if version is None:
        raise HttpError(404, f"No map is applied for organisation '{organisation}'.")
    upcoming = upcoming_version(organisation)
    return {
        "version": _version_out(version)
        | {
            "applied_at": version.applied_at.isoformat(),
            "effective_at": version.effective_at.isoformat() if version.effective_at else None,
            "in_force": True,
        },
        "upcoming": (
            None
            if upcoming is None
            else {
                "number": upcoming.number,
                "effective_at": upcoming.takes_effect_at.isoformat(),
                "content_hash": upcoming.content_hash,
            }
        ),
        "document": version.document,
    }
