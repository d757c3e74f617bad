"""The one home of every key-based operation: encryption at rest, keyed hashes and seals.

Encryption is for what must never sit in the database or on disk in clear: identity documents,
agents' permissions, export packages, requesters' contact details, sealed JSON state (see also
`mamori.core.fields.EncryptedTextField`). Keys come from MAMORI_ENCRYPTION_KEYS (comma-separated
Fernet keys, newest first; older keys still decrypt, which is how keys are rotated).

Keyed hashes (HMAC-SHA256) are for what must be found again without being stored: e-mail
addresses, status tokens, verification codes, identities on the restriction list, the consent
ledger's device, subject and IP identifiers. Without the key a hash cannot be tested against a list
of guessed values. Each key is derived from a secret with a label of its own, so no two uses share
a key and none uses the raw secret:

- the lookup key (from MAMORI_SECRET_KEY): `keyed_identifier_hash`, `keyed_email_hash`;
- the consent key (from MAMORI_CONSENT_HASH_KEY, else MAMORI_SECRET_KEY, so the secret key can be
  rotated without losing a subject's past choices): `consent_identifier_hash`, `consent_email_hash`,
  `hmac_seal`, `consent_site_key`, `subject_signature`, `verify_subject_token`.

Changing a secret means stored hashes of that key must be recomputed (see docs/configuration.md).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from mamori.core.errors import DomainError


class DecryptionError(DomainError):
    code = "decryption_failed"


# ---------------------------------------------------------------- encryption at rest


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key.encode("ascii")) for key in settings.MAMORI_ENCRYPTION_KEYS])


def encrypt(data: bytes) -> bytes:
    return _fernet().encrypt(data)


def decrypt(token: bytes) -> bytes:
    try:
        return _fernet().decrypt(token)
    except InvalidToken:
        raise DecryptionError(_("the data cannot be decrypted with the configured keys")) from None


def encrypt_json(value: Any) -> bytes:
    """A JSON value encrypted (identities, a run's located keys, a request's details)."""
    return encrypt(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8"))


def decrypt_json(token: bytes | memoryview | None, default: Any = None) -> Any:
    """The value `encrypt_json` encrypted; `default` for an empty column."""
    if not token:
        return default
    return json.loads(decrypt(bytes(token)).decode("utf-8"))


def is_token(value: bytes) -> bool:
    """Whether ``value`` is a token made with the configured keys (a migration's test for "already encrypted")."""
    try:
        _fernet().decrypt(value)
    except (InvalidToken, ValueError):
        return False
    return True


def rotate(token: bytes) -> bytes:
    """Re-encrypt with the newest key (for a key-rotation job)."""
    return _fernet().rotate(token)


# ---------------------------------------------------------------- keyed hashes


@lru_cache(maxsize=32)  # keyed by the secret too, so a changed setting derives a new key
def _derived_key(label: str, secret: str) -> bytes:
    return hashlib.sha256(f"{label}:{secret}".encode()).digest()


def _lookup_key() -> bytes:
    return _derived_key("mamori.lookup", settings.SECRET_KEY)


def _consent_key(purpose: str) -> bytes:
    secret = getattr(settings, "MAMORI_CONSENT_HASH_KEY", "") or settings.SECRET_KEY
    return _derived_key(f"mamori.consent.{purpose}", secret)


def _hmac_hex(key: bytes, message: str | bytes) -> str:
    data = message.encode("utf-8") if isinstance(message, str) else message
    return hmac.new(key, data, hashlib.sha256).hexdigest()


def keyed_identifier_hash(kind: str, value: str) -> str:
    """Keyed hash of an identifier (or a secret such as a status token), separated by kind.

    For finding rows by something they must not hold in clear: Fernet tokens are randomised, so an
    encrypted column cannot be searched; a column holding this hash can.
    """
    return _hmac_hex(_lookup_key(), f"{kind}:{value}")


def keyed_email_hash(email: str) -> str:
    """The keyed hash of an e-mail address, normalised so Ann@Example.com finds ann@example.com."""
    return keyed_identifier_hash("email", email.strip().lower())


def consent_identifier_hash(kind: str, value: str) -> str:
    """Keyed hash for the consent ledger (device, subject, IP), with the consent key."""
    return _hmac_hex(_consent_key("identifier"), f"{kind}:{value}")


def consent_email_hash(email: str) -> str:
    return consent_identifier_hash("email", email.strip().lower())


def derived_key(purpose: str, secret: str | None = None) -> bytes:
    """A 32-byte key for one purpose, derived from ``secret`` (default: SECRET_KEY); the audit
    chain's HMAC key and checkpoint signing seed come from here (audit/keys.py)."""
    return _derived_key(f"mamori.{purpose}", settings.SECRET_KEY if secret is None else secret)


def keyed_digest(key: bytes, message: bytes) -> str:
    """HMAC-SHA256 of ``message`` as hex, under a key the caller holds (e.g. an audit chain key)."""
    return _hmac_hex(key, message)


def canonical_json(value: Any) -> bytes:
    """The bytes a seal or a digest is computed over: sorted keys, no spaces."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def content_digest(content: Any) -> str:
    """Plain SHA-256 of published content (banner texts): anyone holding the content can recompute it."""
    return hashlib.sha256(canonical_json(content)).hexdigest()


def hmac_seal(fields: dict[str, Any]) -> str:
    """A keyed checksum over a ledger row's fields: a changed row no longer matches its seal."""
    return _hmac_hex(_consent_key("seal"), canonical_json(fields))


def consent_site_key(site: str) -> str:
    """The secret a site's backend uses to vouch for who is logged in (see docs/consent.md)."""
    return _hmac_hex(_consent_key("site"), site)


def subject_signature(site: str, subject_id: str) -> str:
    return _hmac_hex(consent_site_key(site).encode(), subject_id)


def verify_subject_token(site: str, token: str) -> str | None:
    """`<subject id>.<hex HMAC-SHA256(site key, subject id)>` -> the subject id, or None if forged."""
    subject_id, _, signature = token.rpartition(".")
    if not subject_id or not hmac.compare_digest(subject_signature(site, subject_id), signature):
        return None
    return subject_id
