"""Who may see consent data in the console and which sites there are."""

from __future__ import annotations

from mamori.accounts.models import Role
from mamori.catalog.models import MapVersion
from mamori.consent.models import ConsentSite

CONSENT_READERS: tuple[str, ...] = (Role.PRIVACY_OFFICER, Role.MARKETING, Role.AUDITOR, Role.ADMIN)
# A proof names a subject's devices and choices: for those who answer to a regulator.
PROOF_READERS: tuple[str, ...] = (Role.PRIVACY_OFFICER, Role.AUDITOR)


def known_sites() -> list[str]:
    """Every organisation with an applied map (its default site) and every configured site."""
    return sorted(set(MapVersion.objects.organisations()) | set(ConsentSite.objects.values_list("key", flat=True)))
