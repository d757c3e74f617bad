"""What each jurisdiction code means: its law, the legal bases that law knows, calendars."""

from __future__ import annotations

import re

EU_MEMBER_STATES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    ]
)

GDPR = "GDPR"
UK_GDPR = "UK GDPR"
FADP = "FADP"  # Switzerland's Federal Act on Data Protection (revDSG/nLPD, in force since 2023-09-01)
APPI = "APPI"
CPRA = "CCPA/CPRA"

_GDPR_BASES = (
    "consent",
    "contract",
    "legal_obligation",
    "vital_interests",
    "public_task",
    "legitimate_interests",
)
LEGAL_BASES: dict[str, tuple[str, ...]] = {
    GDPR: _GDPR_BASES,
    UK_GDPR: _GDPR_BASES,
    # The FADP asks for no legal basis as such, but a justification where processing would infringe
    # a person's personality (Art. 31: consent, an overriding interest, the law); maps state it in
    # the GDPR's words, which cover those grounds.
    FADP: _GDPR_BASES,
    APPI: ("published_purpose", "consent", "legal_exception"),
    CPRA: ("business_purpose", "consent", "notice_at_collection"),
}

_EU_MEMBER = re.compile(r"^EU-([A-Z]{2})$")


def is_jurisdiction(code: str) -> bool:
    if code in ("JP", "EU", "EEA", "UK", "CH", "US-CA"):
        return True
    match = _EU_MEMBER.match(code)
    return bool(match and match.group(1) in EU_MEMBER_STATES)


def law_of(code: str) -> str:
    """The law a (valid) jurisdiction code implies."""
    if code == "JP":
        return APPI
    if code == "UK":
        return UK_GDPR
    if code == "CH":
        return FADP
    if code == "US-CA":
        return CPRA
    return GDPR


def basis_lookup_order(code: str) -> tuple[str, ...]:
    """Which legal_basis keys answer for a jurisdiction: EU member states and the EEA fall back to EU."""
    if _EU_MEMBER.match(code):
        return (code, "EU", "EEA")
    if code == "EEA":
        return ("EEA", "EU")
    if code == "EU":
        return ("EU", "EEA")
    return (code,)


def is_calendar(calendar: str) -> bool:
    """Calendar ids: JP, US-CA, UK (England), CH (federal holidays) and EU-<member state>."""
    if calendar in ("JP", "US-CA", "UK", "CH"):
        return True
    match = _EU_MEMBER.match(calendar)
    return bool(match and match.group(1) in EU_MEMBER_STATES)


def known_calendars() -> list[str]:
    return ["CH", "JP", "UK", "US-CA", *sorted(f"EU-{state}" for state in EU_MEMBER_STATES)]


def known_jurisdictions() -> list[str]:
    return ["JP", "EU", "EEA", "UK", "CH", "US-CA", *sorted(f"EU-{state}" for state in EU_MEMBER_STATES)]
