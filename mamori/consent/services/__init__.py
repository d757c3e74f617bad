"""Consent services: the only writers of the consent domain.

`ledger` records banner choices and answers what a device or subject has chosen; `subscriptions`
runs marketing lists (double opt-in, one-click unsubscribe) and the sale/sharing opt-out;
`sites` configures sites with their own domain lists.
"""

from mamori.consent.services.errors import ConsentError
from mamori.consent.services.ledger import current_state, proof_of_consent, record_event
from mamori.consent.services.sites import configure_site, remove_site
from mamori.consent.services.subscriptions import (
    confirm_subscription,
    marketing_topics,
    record_sale_opt_out,
    request_subscription,
    subscription_status,
    unsubscribe,
    unsubscribe_headers,
    unsubscribe_token,
)

__all__ = [
    "ConsentError",
    "configure_site",
    "confirm_subscription",
    "current_state",
    "marketing_topics",
    "proof_of_consent",
    "record_event",
    "record_sale_opt_out",
    "remove_site",
    "request_subscription",
    "subscription_status",
    "unsubscribe",
    "unsubscribe_headers",
    "unsubscribe_token",
]
