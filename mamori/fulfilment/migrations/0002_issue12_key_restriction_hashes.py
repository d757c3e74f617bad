"""The restriction list stored plain SHA-256 digests of identities; it now stores them keyed.

The digest a company's system sends is unchanged; only what mamori keeps is hashed again with the
lookup key, so this migration can re-hash every stored digest without knowing any identity. It
cannot be reversed (the plain digest is not recoverable from the keyed one), so going back is a no-op
that leaves the keyed hashes in place.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

from mamori.core.crypto import keyed_identifier_hash


def key_the_digests(apps: Any, schema_editor: Any) -> None:
    # As services.restrictions.restriction_hash computes it (spelt out: a migration must not change
    # when the service does).
    Restriction = apps.get_model("fulfilment", "Restriction")
    for restriction in Restriction.objects.all().iterator():
        hashes = restriction.identity_hashes or {}
        restriction.identity_hashes = {
            kind: keyed_identifier_hash(f"restriction.{kind}", digest.strip().lower()) for kind, digest in hashes.items()
        }
        restriction.save(update_fields=["identity_hashes"])


class Migration(migrations.Migration):
    dependencies = [("fulfilment", "0001_initial")]

    operations = [migrations.RunPython(key_the_digests, migrations.RunPython.noop, elidable=False)]
