"""Encryption at rest for what must never sit in the database or on disk in clear:
identity documents, agents' permissions, export packages, requesters' contact details
(see mamori.core.fields.EncryptedTextField).

Keys come from MAMORI_ENCRYPTION_KEYS (comma-separated Fernet keys, newest first; older keys
still decrypt, which is how keys are rotated). `mamori demo` generates one into its data folder.
"""

from __future__ import annotations

import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

from mamori.core.errors import DomainError


class DecryptionError(DomainError):
    code = "decryption_failed"


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key.encode("ascii")) for key in settings.MAMORI_ENCRYPTION_KEYS])


def encrypt(data: bytes) -> bytes:
    return _fernet().encrypt(data)


def decrypt(token: bytes) -> bytes:
    try:
        return _fernet().decrypt(token)
    except InvalidToken:
        raise DecryptionError("the data cannot be decrypted with the configured keys") from None


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


def new_key() -> str:
    return Fernet.generate_key().decode("ascii")


def lookup_hash(kind: str, value: str) -> str:
    """Keyed hash (HMAC-SHA256) for finding encrypted rows by an identifier, e.g. an e-mail address.

    Fernet tokens are randomised, so an encrypted column cannot be searched; a column holding this
    hash can. The key is derived from SECRET_KEY (separate from any other use of it), so a leaked
    database cannot be tested against a list of guessed addresses. Changing SECRET_KEY means the
    stored hashes must be recomputed (the rights data migration shows how).
    """
    key = hashlib.sha256(f"mamori.lookup:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def email_lookup_hash(email: str) -> str:
    """The lookup hash of an e-mail address, normalised so Ann@Example.com finds ann@example.com."""
    return lookup_hash("email", email.strip().lower())


def derived_key(purpose: str, secret: str | None = None) -> bytes:
    """A 32-byte key for one purpose, derived from ``secret`` (default: SECRET_KEY).

    Each purpose gets its own key, so a value keyed for one use (an audit entry) cannot stand in
    for another (a lookup hash), even though both come from the same secret.
    """
    material = settings.SECRET_KEY if secret is None else secret
    return hashlib.sha256(f"mamori.{purpose}:{material}".encode()).digest()


def keyed_digest(key: bytes, message: bytes) -> str:
    """HMAC-SHA256 of ``message`` as hex: a hash nobody without ``key`` can recompute."""
    return hmac.new(key, message, hashlib.sha256).hexdigest()
