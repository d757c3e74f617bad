"""Bearer-token authentication and scope checks for the staff/automation API: one idiom.

Every token endpoint names its scope in its decorator, `auth=scoped("requests:read")`. The check
runs as authentication, before the endpoint parses its parameters or body, so a token without the
scope gets 403 whatever it sent (and no token gets 401). What the token's owner may see is then
decided by the domain's access helpers (`access_<thing>(user, ...)`), as in the console.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer

from mamori.api.models import SCOPES, ApiToken
from mamori.api.services import authenticate
from mamori.audit.services import Actor


class TokenAuth(HttpBearer):
    """Any valid token (the API's default: `/whoami`)."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        return authenticate(token)


class ScopedTokenAuth(TokenAuth):
    def __init__(self, scope: str) -> None:
        if scope not in SCOPES:
            raise ValueError(f"unknown scope {scope}")
        super().__init__()
        self.scope = scope

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = authenticate(token)
        if found is not None and not found.has_scope(self.scope):
            raise HttpError(403, f"This token lacks the scope '{self.scope}'.")
        return found


def scoped(scope: str) -> ScopedTokenAuth:
    """`@router.get(..., auth=scoped("map:read"))`: a valid token carrying that scope."""
    return ScopedTokenAuth(scope)


def token_of(request: HttpRequest) -> ApiToken:
    """The token the request was authenticated with (set by TokenAuth / ScopedTokenAuth)."""
    token: Any = getattr(request, "auth", None)
    if not isinstance(token, ApiToken):
        raise HttpError(401, "Not authenticated.")
    return token


def token_actor(request: HttpRequest) -> Actor:
    """Who the audit log names for what the request does: the token's owner."""
    return Actor.for_user(token_of(request).owner)
