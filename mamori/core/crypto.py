"""Encryption at rest for what must never sit in the database or on disk in clear:
identity documents, agents' permissions, export packages.

Keys come from MAMORI_ENCRYPTION_KEYS (comma-separated Fernet keys, newest first; older keys
still decrypt, which is how keys are rotated). `mamori demo` generates one into its data folder.
"""

from __future__ import annotations

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


def rotate(token: bytes) -> bytes:
    """Re-encrypt with the newest key (for a key-rotation job)."""
    return _fernet().rotate(token)


def new_key() -> str:
    return Fernet.generate_key().decode("ascii")
