"""Records the demo starts with, so a "records of provision" request by Hanako Yamada (the demo
shop's customer) has something to answer. Idempotent: the client keys make a second run a no-op."""

from __future__ import annotations

from mamori.audit.services import Actor
from mamori.disclosures.models import Direction
from mamori.disclosures.services import record_batch

HANAKO = {"email": "hanako.yamada@example.jp"}
OTHERS = [{"email": f"demo-customer-{n}@example.jp"} for n in range(1, 5)]


def ensure_demo_records(organisation: str) -> int:
    """Seed onemall's demo register; returns how many records were created (0 on a re-run)."""
    if organisation != "onemall":
        return 0
    actor = Actor.cli("demo")
    created = record_batch(
        organisation,
        Direction.PROVISION,
        [
            {
                "client_key": "demo-google-2026-11",
                "recipient": "google",
                "transferred_on": "2026-11-20",
                "made_from": "bulk",
                "consent_document": "consent banner, advertising and analytics categories",
                "people": [{"identities": identities} for identities in [HANAKO, *OTHERS]],
            }
        ],
        actor,
    ).created
    created += record_batch(
        organisation,
        Direction.RECEIPT,
        [
            {
                "client_key": "demo-social-login-2026-10",
                "source": "social-login",
                "basis": "consent",
                "transferred_on": "2026-10-05",
                "consent_document": "social login consent screen",
                "provider": {
                    "name": "Google LLC",
                    "address": "1600 Amphitheatre Parkway, Mountain View, CA 94043, USA",
                    "representative": "Sundar Pichai, Chief Executive Officer",
                },
                "people": [{"identities": HANAKO}],
            }
        ],
        actor,
    ).created
    return created
