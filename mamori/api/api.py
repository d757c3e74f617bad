"""The REST API at /api/v1/ (OpenAPI 3 at /api/v1/openapi.json).

Domains add their routers here. Staff and automation endpoints use scoped bearer tokens;
the few public endpoints (consent events, the privacy center's forms) declare `auth=None`
and are rate-limited by their domain.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI, Schema

from mamori import __version__
from mamori.api import problems
from mamori.api.auth import TokenAuth, token_of
from mamori.api.map_endpoints import router as map_router


class MamoriAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        return problems.document_problems(super().get_openapi_schema(**kwargs))


api = MamoriAPI(
    title="mamori API",
    version=__version__,
    description="Privacy operations: privacy map, requests, consent, fulfilment, audit.",
    auth=TokenAuth(),
    urls_namespace="api",
    docs_url="/docs",
)
problems.install(api)


class WhoAmI(Schema):
    token: str
    owner: str
    role: str
    scopes: list[str]


@api.get("/whoami", response=WhoAmI, tags=["tokens"], summary="The token in use and its scopes")
def whoami(request: HttpRequest) -> dict[str, Any]:
    token = token_of(request)
    return {
        "token": token.prefix,
        "owner": token.owner.get_username(),
        "role": token.owner.role,
        "scopes": token.effective_scopes,
    }


api.add_router("/map", map_router)
api.add_router("/requests", "mamori.rights.api.router")
api.add_router("/consent", "mamori.consent.api.router")
api.add_router("/restrictions", "mamori.fulfilment.api.router")
api.add_router("/recipient-notices", "mamori.fulfilment.notices_api.router")
api.add_router("/records", "mamori.disclosures.api.router")
api.add_router("/incidents", "mamori.incidents.api.router")
api.add_router("/retention", "mamori.retention.api.router")
__all__ = ["api"]
