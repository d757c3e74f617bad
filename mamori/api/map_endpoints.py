"""Read the applied privacy map and its versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from mamori.api.auth import scoped
from mamori.catalog.models import MapVersion

router = Router(tags=["privacy map"])


class VersionOut(Schema):
    organisation: str
    number: int
    content_hash: str
    applied_at: datetime
    applied_by: str
    note: str


def _version_out(version: MapVersion) -> dict[str, Any]:
    return {
        "organisation": version.organisation,
        "number": version.number,
        "content_hash": version.content_hash,
        "applied_at": version.applied_at,
        "applied_by": version.applied_by_label,
        "note": version.note,
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
    return [_version_out(version) for version in found]


@router.get("/{organisation}", auth=scoped("map:read"), summary="The current map document (normalized JSON)")
def current(request: HttpRequest, organisation: str) -> dict[str, Any]:
    version = MapVersion.objects.current(organisation)
    if version is None:
        raise HttpError(404, f"No map is applied for organisation '{organisation}'.")
    return {
        "version": _version_out(version) | {"applied_at": version.applied_at.isoformat()},
        "document": version.document,
    }
