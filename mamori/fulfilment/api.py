"""/api/v1/restrictions: the restriction list the company's systems query (scope restrictions:read).

Entries carry hashed identities only (SHA-256 of the trimmed value; e-mail addresses lower-cased):
a system hashes the identity it holds and looks it up with `?email_sha256=` or `?identity_sha256=`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from mamori.api.auth import require_scope
from mamori.fulfilment.models import Restriction

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


@router.get("", response=list[RestrictionOut], summary="Restrictions of use (hashed identities), paged")
def list_restrictions(request: HttpRequest, filters: Query[RestrictionFilter]) -> list[dict[str, Any]]:
    require_scope(request, "restrictions:read")
    restrictions = Restriction.objects.order_by("pk")
    if filters.organisation:
        restrictions = restrictions.filter(organisation=filters.organisation)
    if not filters.include_lifted:
        restrictions = restrictions.filter(lifted_at__isnull=True)
    if filters.email_sha256:
        restrictions = restrictions.filter(identity_hashes__email=filters.email_sha256.lower())
    if filters.identity_sha256:
        # Any kind of identity: the hash, quoted, inside the JSON text (a 64-digit hex string is never
        # anything but a value). Works alike on every backend; checked exactly below.
        restrictions = restrictions.filter(identity_hashes__icontains=f'"{filters.identity_sha256.lower()}"')
    page = restrictions[filters.offset : filters.offset + filters.limit]
    wanted = filters.identity_sha256.lower() if filters.identity_sha256 else None
    return [
        {"id": restriction.pk, "organisation": restriction.organisation, "identity_hashes": restriction.identity_hashes,
         "active": restriction.active, "created_at": restriction.created_at, "lifted_at": restriction.lifted_at}
        for restriction in page
        if wanted is None or wanted in restriction.identity_hashes.values()
    ]  # fmt: skip
