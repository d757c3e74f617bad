"""The restriction list: whose data must not be used (GDPR Art. 18, APPI suspension of use).

The company's systems look a person up by the SHA-256 of the identity they hold (the trimmed,
for e-mail addresses lower-cased value: `shared_identity_digest`), as docs/fulfilment.md tells
them. mamori does not store that digest: a plain SHA-256 of an address can be reversed by anyone
holding a list of addresses. It stores the digest hashed again with the lookup key
(`restriction_hash`), and the API keys the digest a system sends before looking it up.
"""

from __future__ import annotations

import hashlib

from django.db import transaction

from mamori.core.crypto import keyed_identifier_hash
from mamori.fulfilment.models import FulfilmentRun, Restriction


def shared_identity_digest(kind: str, value: str) -> str:
    """The SHA-256 hex a company's system computes for an identity it holds (the API's input)."""
    normalised = value.strip().lower() if kind == "email" else value.strip()
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def restriction_hash(kind: str, digest: str) -> str:
    """How the list stores an identity: the shared digest, keyed (one helper: `core.crypto`)."""
    return keyed_identifier_hash(f"restriction.{kind}", digest.strip().lower())


def restriction_identity_hash(kind: str, value: str) -> str:
    """The stored hash of an identity given in clear."""
    return restriction_hash(kind, shared_identity_digest(kind, value))


def add_restrictions(run: FulfilmentRun, subjects: list[dict[str, str]]) -> int:
    created = 0
    with transaction.atomic():
        for identities in subjects:
            hashes = {kind: restriction_identity_hash(kind, value) for kind, value in sorted(identities.items())}
            _, made = Restriction.objects.get_or_create(
                organisation=run.organisation,
                request_id=run.request_id,
                identity_hashes=hashes,
                lifted_at=None,
            )
            created += int(made)
    return created
