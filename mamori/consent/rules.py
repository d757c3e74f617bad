"""What a privacy map means for consent, in plain Python (no Django): which categories are
always on, which count as sale/sharing, and whether browser signals are honoured.

The banner's site config (siteconfig.py) and the cookie scanner (mamori/scanner) both read these,
so that what the banner does and what the scanner expects of it cannot drift apart.
"""

from __future__ import annotations

from typing import Any

from mamori.catalog.mapfile import PrivacyMap

ESSENTIAL_IDS = frozenset({"essential", "necessary", "strictly-necessary", "strictly_necessary"})
CONSENT_MODE_SIGNALS = (
    "ad_storage",
    "ad_user_data",
    "ad_personalization",
    "analytics_storage",
    "functionality_storage",
    "personalization_storage",
    "security_storage",
)
# Cross-context advertising is "sharing" under the CPRA: these categories are what GPC opts out of.
SALE_SIGNALS = frozenset({"ad_storage", "ad_user_data", "ad_personalization"})
# The banner's own first-party cookie holding the visitor's choice (banner.js, NAME).
CONSENT_COOKIE = "mamori_consent"


def is_essential(category_id: str) -> bool:
    return category_id in ESSENTIAL_IDS


def is_sale(category: Any, privacy_map: PrivacyMap) -> bool:
    if SALE_SIGNALS & set(category.consent_mode):
        return True
    return any(cookie.party == "third" for cookie in privacy_map.cookies_in(category.id))


def honours_gpc(privacy_map: PrivacyMap) -> bool:
    signals = privacy_map.commitments.signals
    choice = signals.global_privacy_control if signals else None
    # California law makes the signal binding; elsewhere the map's own commitment decides.
    return choice == "honour" or (choice is None and privacy_map.in_scope("US-CA"))


def honours_dnt(privacy_map: PrivacyMap) -> bool:
    signals = privacy_map.commitments.signals
    return bool(signals and signals.do_not_track == "honour")
