"""How the register names a person: keyed hashes of the identity kinds the map declares.

The company's systems send the identifiers they hold (an e-mail address, a member number); mamori
keeps only `core.crypto.keyed_identifier_hash` of each, scoped to the organisation, and a disclosure request
finds the records by hashing the requester's verified identifiers the same way.
"""

from __future__ import annotations

import re

from mamori.catalog.mapfile import PrivacyMap
from mamori.core.crypto import keyed_identifier_hash

_NOT_PHONE = re.compile(r"[^0-9+]")


def identity_kinds(privacy_map: PrivacyMap) -> list[str]:
    """Every identity kind any system of the map finds people by, in map order."""
    kinds: dict[str, None] = {}
    for system in privacy_map.systems:
        kinds.update(dict.fromkeys(system.identities))
    return list(kinds)


def normalise(kind: str, value: str) -> str:
    """The same person written two ways hashes the same: e-mail case, phone punctuation, spaces."""
    value = value.strip()
    if kind == "email":
        return value.lower()
    if kind == "phone":
        return _NOT_PHONE.sub("", value)
    return value


def identity_hash(organisation: str, kind: str, value: str) -> str:
    return keyed_identifier_hash(f"record.{kind}", f"{organisation}:{normalise(kind, value)}")


class PersonHasher:
    """`identity_hash` for many people of one organisation and map (a batch holds thousands)."""

    def __init__(self, organisation: str, kinds: list[str]) -> None:
        self.organisation = organisation
        self.kinds = frozenset(kinds)

    def __call__(self, identities: dict[str, str]) -> list[str]:
        """The hashes a person is found by: one per identity kind of the map they gave."""
        return [
            identity_hash(self.organisation, kind, value)
            for kind, value in identities.items()
            if kind in self.kinds and value and value.strip()
        ]


def person_hashes(organisation: str, identities: dict[str, str], kinds: list[str]) -> list[str]:
    return PersonHasher(organisation, kinds)(identities)
