"""Build a notice of one kind from a privacy map: `build_notice(map, kind, options, point=None)`."""

from __future__ import annotations

from mamori.catalog.mapfile import PrivacyMap
from mamori.notices.builders.appi import AppiMatters
from mamori.notices.builders.collection import CollectionNotice, UnknownCollectionPoint
from mamori.notices.builders.common import Options
from mamori.notices.builders.cookies import CookiePolicy
from mamori.notices.builders.cpra import CpraNotice, NotInScope
from mamori.notices.builders.privacy import PrivacyPolicy
from mamori.notices.builders.transmission import TransmissionNotice
from mamori.notices.document import Notice

KINDS = ("privacy", "cookies", "cpra", "appi", "collection", "transmission")


def available_kinds(privacy_map: PrivacyMap) -> list[str]:
    """The notices this map has: CPRA only with US-CA in scope, APPI only with JP, collection with points."""
    kinds = ["privacy", "cookies"]
    if privacy_map.in_scope("US-CA"):
        kinds.append("cpra")
    if privacy_map.in_scope("JP"):
        kinds.append("appi")
    if privacy_map.collection_points:
        kinds.append("collection")
    if privacy_map.in_scope("JP"):
        kinds.append("transmission")  # Telecommunications Business Act Art. 27-12
    return kinds


def build_notice(privacy_map: PrivacyMap, kind: str, options: Options, point: str | None = None) -> Notice:
    """Raises ValueError (unknown kind), NotInScope, or UnknownCollectionPoint."""
    if kind == "privacy":
        return PrivacyPolicy(privacy_map, options).build()
    if kind == "cookies":
        return CookiePolicy(privacy_map, options).build()
    if kind == "cpra":
        return CpraNotice(privacy_map, options).build()
    if kind == "appi":
        return AppiMatters(privacy_map, options).build()
    if kind == "collection":
        builder = CollectionNotice(privacy_map, options)
        return builder.build_point(point) if point else builder.build_all()
    if kind == "transmission":
        return TransmissionNotice(privacy_map, options).build()
    raise ValueError(f"unknown notice kind '{kind}': use one of {', '.join(KINDS)}")


__all__ = ["KINDS", "NotInScope", "Notice", "Options", "UnknownCollectionPoint", "available_kinds", "build_notice"]
