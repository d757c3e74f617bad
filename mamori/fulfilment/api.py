"""/api/v1/restrictions: the restriction list the company's systems query (scope restrictions:read).

A system hashes the identity it holds (SHA-256 of the trimmed value; e-mail addresses lower-cased)
and looks it up with `?email_sha256=` or `?identity_sha256=`. Entries carry keyed hashes only
(`fulfilment.services.restrictions`): the list cannot be reversed with a list of addresses.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from mamori.api.auth import scoped
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


class RestrictionFilter(Schema):
    organisation: str | None = None
    email_sha256: str | None = None
    identity_sha256: str | None = None
    include_lifted: bool = False


@router.get(
    "", auth=scoped("restrictions:read"),
    response=list[RestrictionOut], summary="Restrictions of use (hashed identities)",
)
def list_restrictions(request: HttpRequest, filters: Query[RestrictionFilter]) -> list[dict[str, Any]]:
    restrictions = Restriction.objects.all()
    if filters.organisation:
        restrictions = restrictions.filter(organisation=filters.organisation)
    if not filters.include_lifted:
        restrictions = restrictions.filter(lifted_at__isnull=True)
    if filters.email_sha256:
        restrictions = restrictions.filter(identity_hashes__email=restriction_hash("email", filters.email_sha256))
    result = []
    for restriction in restrictions[:1000]:
        hashes = restriction.identity_hashes
        if filters.identity_sha256 and not any(
            restriction_hash(kind, filters.identity_sha256) == stored for kind, stored in hashes.items()
        ):
            continue
        result.append(
            {"id": restriction.pk, "organisation": restriction.organisation, "identity_hashes": hashes,
             "active": restriction.active, "created_at": restriction.created_at, "lifted_at": restriction.lifted_at}
        )  # fmt: skip
    return result
