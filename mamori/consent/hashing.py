"""Keyed hashes for the ledger: identifiers are stored only as HMACs, never in clear.

The key is derived from MAMORI_SECRET_KEY (or MAMORI_CONSENT_HASH_KEY when set, so the secret key
can be rotated without losing the ability to find a subject's past choices). Without the key, a
hashed IP or e-mail address cannot be tested against a list of guesses.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from functools import lru_cache
from typing import Any

from django.conf import settings


def _key(purpose: str) -> bytes:
    base = getattr(settings, "MAMORI_CONSENT_HASH_KEY", "") or settings.SECRET_KEY
    return _derived_key(purpose, base)


@lru_cache(maxsize=32)  # keyed by the secret too, so a changed setting derives a new key
def _derived_key(purpose: str, base: str) -> bytes:
    return hashlib.sha256(f"mamori.consent.{purpose}:{base}".encode()).digest()


def keyed_hash(kind: str, value: str) -> str:
    """HMAC-SHA256 of an identifier, separated by kind (a device id never equals a subject id's hash)."""
    return hmac.new(_key("identifier"), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def email_hash(email: str) -> str:
    return keyed_hash("email", email.strip().lower())


def site_key(site: str) -> str:
    """The secret a site's backend uses to vouch for who is logged in (see docs/consent.md)."""
    return hmac.new(_key("site"), site.encode(), hashlib.sha256).hexdigest()


def subject_signature(site: str, subject_id: str) -> str:
    return hmac.new(site_key(site).encode(), subject_id.encode(), hashlib.sha256).hexdigest()


def verify_subject_token(site: str, token: str) -> str | None:
    """`<subject id>.<hex HMAC-SHA256(site key, subject id)>` -> the subject id, or None if forged."""
    subject_id, _, signature = token.rpartition(".")
    if not subject_id or not hmac.compare_digest(subject_signature(site, subject_id), signature):
        return None
    return subject_id


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def text_hash(content: Any) -> str:
    """Plain SHA-256 of the banner texts: anyone holding the texts can recompute it."""
    return hashlib.sha256(canonical(content)).hexdigest()


def seal(fields: dict[str, Any]) -> str:
    return hmac.new(_key("seal"), canonical(fields), hashlib.sha256).hexdigest()
