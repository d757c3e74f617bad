"""The audit log's two keys, both read from the environment and never stored in the database.

- The chain key (HMAC-SHA256) makes every entry's hash depend on a secret: someone who can write to
  the database but not read the server's environment cannot recompute the hashes after a change.
  MAMORI_AUDIT_KEY (or _FILE) holds one or more keys, comma-separated, newest first; each entry
  records the id of the key that made it, so older keys keep verifying older entries after a
  rotation. Without it, a key is derived from MAMORI_SECRET_KEY.
- The signing key (Ed25519) signs checkpoints of the chain head, written outside the database.
  MAMORI_AUDIT_SIGNING_KEY (or _FILE) holds a PEM private key or the 32-byte seed in base64;
  without it, one is derived from MAMORI_SECRET_KEY. Verifying needs only the public key, which an
  operator may keep elsewhere (`mamori audit public-key`).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from mamori.core.crypto import derived_key, keyed_digest


class AuditKeyError(Exception):
    """A configured audit key cannot be used (a configuration error, reported at use)."""


@dataclass(frozen=True)
class ChainKey:
    key_id: str  # stored on each entry; names the key without revealing it
    secret: bytes

    def mac(self, message: bytes) -> str:
        return keyed_digest(self.secret, message)


def _chain_key(material: str | None) -> ChainKey:
    secret = derived_key("audit.chain", material)
    return ChainKey(key_id=keyed_digest(secret, b"mamori.audit.key-id")[:16], secret=secret)


def chain_keys() -> list[ChainKey]:
    """The configured chain keys, newest first (the first one signs new entries)."""
    configured = list(settings.MAMORI_AUDIT_KEYS)
    if not configured:
        return [_chain_key(None)]
    return [_chain_key(material) for material in configured]


def current_chain_key() -> ChainKey:
    return chain_keys()[0]


def chain_key_by_id(key_id: str) -> ChainKey | None:
    for key in chain_keys():
        if key.key_id == key_id:
            return key
    return None


def signing_key() -> Ed25519PrivateKey:
    raw = settings.MAMORI_AUDIT_SIGNING_KEY.strip()
    if not raw:
        return Ed25519PrivateKey.from_private_bytes(derived_key("audit.signing"))
    if raw.startswith("-----BEGIN"):
        try:
            key = serialization.load_pem_private_key(raw.encode("ascii"), password=None)
        except (ValueError, TypeError) as exc:
            raise AuditKeyError(
                _("MAMORI_AUDIT_SIGNING_KEY is not a readable PEM private key: %(error)s") % {"error": exc}
            ) from None
        if not isinstance(key, Ed25519PrivateKey):
            raise AuditKeyError(_("MAMORI_AUDIT_SIGNING_KEY must be an Ed25519 key"))
        return key
    try:
        seed = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        seed = b""
    if len(seed) != 32:
        raise AuditKeyError(_("MAMORI_AUDIT_SIGNING_KEY must be a PEM Ed25519 key or a 32-byte seed in base64"))
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_key_text(key: Ed25519PublicKey | None = None) -> str:
    """The public key as base64 of its 32 raw bytes: short enough to print, store or compare."""
    public = key or signing_key().public_key()
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def public_key_from_text(text: str) -> Ed25519PublicKey:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError):
        raise AuditKeyError(
            _("not an Ed25519 public key in base64 (as printed by `mamori audit public-key`)")
        ) from None
