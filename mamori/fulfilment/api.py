"""/api/v1/restrictions: the restriction list the company's systems query (scope restrictions:read).

A system hashes the identity it holds (SHA-256 of the trimmed value; e-mail addresses lower-cased)
and looks it up with `?email_sha256=` or `?identity_sha256=`. Entries carry keyed hashes only
(`fulfilment.services.restrictions`): the list cannot be reversed with a list of addresses.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.db.models import Q
from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from mamori.api.auth import scoped
from mamori.catalog.in_force import map_in_force
from mamori.catalog.models import MapVersion
from mamori.core.errors import DomainError
from mamori.fulfilment.models import Restriction
from mamori.fulfilment.services.restrictions import restriction_hash

router = Router(tags=["restrictions"])


class RestrictionOut(Schema):
    id: int
    organisation: str
    identity_hashes: dict[str, str]
    active: bool
    created_at: datetime
    lifted_at: datetime | None


HashHex = Annotated[str, Field(pattern=r"^[0-9a-fA-F]{64}$")]


class RestrictionFilter(Schema):
    organisation: str | None = Field(None, min_length=1, max_length=100)
    email_sha256: HashHex | None = None
    identity_sha256: HashHex | None = None
    include_lifted: bool = False
    # Paged in the database, oldest first, so a system can walk the whole list however long it is.
    limit: int = Field(1000, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=10**9)


@router.get(
    "",
    auth=scoped("restrictions:read"),
    response=list[RestrictionOut],
    summary="Restrictions of use (hashed identities), paged",
)
def list_restrictions(request: HttpRequest, filters: Query[RestrictionFilter]) -> list[dict[str, Any]]:
    restrictions = Restriction.objects.order_by("pk")
    if filters.organisation:
        restrictions = restrictions.filter(organisation=filters.organisation)
    if not filters.include_lifted:
        restrictions = restrictions.filter(lifted_at__isnull=True)
    if filters.email_sha256:
        restrictions = restrictions.filter(identity_hashes__email=restriction_hash("email", filters.email_sha256))
    wanted: set[str] = set()
    if filters.identity_sha256:
        # Stored hashes are keyed per kind: the digest a system sends is keyed for every identity kind
        # the maps know, and each candidate looked for (quoted) in the JSON text, alike on every backend.
        wanted = {restriction_hash(kind, filters.identity_sha256) for kind in _identity_kinds(filters.organisation)}
        matches = Q()
        for candidate in wanted:
            matches |= Q(identity_hashes__icontains=f'"{candidate}"')
        restrictions = restrictions.filter(matches)
    page = restrictions[filters.offset : filters.offset + filters.limit]
    return [
        {
            "id": restriction.pk,
            "organisation": restriction.organisation,
            "identity_hashes": restriction.identity_hashes,
            "active": restriction.active,
            "created_at": restriction.created_at,
            "lifted_at": restriction.lifted_at,
        }
        for restriction in page
        if not wanted or wanted & set(restriction.identity_hashes.values())
    ]


def _identity_kinds(organisation: str | None) -> set[str]:
    """Every identity kind the maps in force name (e-mail always), for keying a looked-up digest."""
    kinds = {"email"}
    organisations = [organisation] if organisation else MapVersion.objects.organisations()
    for name in organisations:
        try:
            _version, privacy_map = map_in_force(name)
        except DomainError:
            continue
        kinds.update(kind for system in privacy_map.systems for kind in system.identities)
    return kinds
