"""Creating and revoking API tokens (each in a transaction, each audited)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mamori.accounts.models import User
from mamori.api.models import SCOPES, ApiToken
from mamori.api.scopes import allowed_scopes
from mamori.audit.services import Actor, record
from mamori.core.errors import DomainError

TOKEN_PREFIX = "mamori_"  # noqa: S105 - a public marker, not a secret


class ApiTokenError(DomainError):
    code = "api_token_error"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(
    owner: User, name: str, scopes: Iterable[str], actor: Actor, *, days: int | None = None
) -> tuple[ApiToken, str]:
    """Returns the stored token and the secret, which is never stored or shown again."""
    wanted = sorted(set(scopes))
    unknown = [scope for scope in wanted if scope not in SCOPES]
    if unknown:
        raise ApiTokenError(
            _("unknown scope(s): %(unknown)s; known: %(known)s"),
            code="unknown_scope",
            unknown=", ".join(unknown),
            known=", ".join(SCOPES),
        )
    if not wanted:
        raise ApiTokenError(_("a token needs at least one scope"), code="no_scope")
    if not owner.is_active or not owner.role:
        raise ApiTokenError(_("tokens can only be issued to active staff with a role"), code="owner_not_staff")
    beyond = [scope for scope in wanted if scope not in allowed_scopes(owner.role)]
    if beyond:
        raise ApiTokenError(
            _(
                "the role %(role)s may not hold the scope(s) %(scopes)s "
                "(a token does no more than its owner may in the console)"
            ),
            code="scope_beyond_role",
            role=owner.role,
            scopes=", ".join(beyond),
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        token = ApiToken.objects.create(
            name=name,
            owner=owner,
            prefix=secret[: len(TOKEN_PREFIX) + 5],
            token_hash=hash_token(secret),
            scopes=wanted,
            created_at=now,
            expires_at=now + timedelta(days=days) if days else None,
        )
        record(
            actor,
            "api.token_created",
            target_type="api_token",
            target_id=str(token.pk),
            details={"owner": owner.get_username(), "scopes": wanted, "expires_days": days},
        )
    return token, secret


def revoke_token(token: ApiToken, actor: Actor) -> None:
    with transaction.atomic():
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            record(actor, "api.token_revoked", target_type="api_token", target_id=str(token.pk))


def authenticate(secret: str) -> ApiToken | None:
    """The live token for this secret, or None. Marks it used (at most once a minute)."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("owner").filter(token_hash=hash_token(secret)).first()
    now = timezone.now()
    if token is None or token.revoked_at is not None or (token.expires_at and token.expires_at <= now):
        return None
    if not token.owner.is_active or not token.owner.role:
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
