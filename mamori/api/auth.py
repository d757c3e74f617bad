"""Bearer-token authentication and scope checks for the staff/automation API."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer

from mamori.api.models import ApiToken
from mamori.api.services import authenticate


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        return authenticate(token)


def require_scope(request: HttpRequest, scope: str) -> ApiToken:
    """The request's token if it carries the scope; 403 problem otherwise."""
    token: Any = getattr(request, "auth", None)
    if not isinstance(token, ApiToken) or not token.has_scope(scope):
        raise HttpError(403, f"This token lacks the scope '{scope}'.")
    return token
