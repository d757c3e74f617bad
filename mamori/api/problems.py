"""Errors as RFC 9457 problem documents (application/problem+json), the same shape everywhere."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from mamori.core.errors import DomainError

PROBLEM_TYPE = "application/problem+json"


def problem(status: int, title: str, detail: str = "", *, code: str = "", **extra: Any) -> HttpResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if code:
        body["code"] = code
    body.update(extra)
    return HttpResponse(json.dumps(body, ensure_ascii=False), status=status, content_type=PROBLEM_TYPE)


def install(api: NinjaAPI) -> None:
    @api.exception_handler(ValidationError)
    def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = [
            {"loc": [str(part) for part in error.get("loc", [])], "message": error.get("msg", "invalid")}
            for error in exc.errors
        ]
        return problem(
            422,
            "Invalid request",
            "The request body or parameters are not valid.",
            code="validation_error",
            errors=errors,
        )

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = problem(401, "Not authenticated", "Send 'Authorization: Bearer <token>'.", code="not_authenticated")
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(PermissionDenied)
    def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        # The domains' access helpers (shared with the console) refuse with PermissionDenied.
        return problem(403, "Forbidden", "The token's owner may not do this.", code="http_403")

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return problem(404, "Not found", str(exc) or "", code="http_404")

    @api.exception_handler(HttpError)
    def _http(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return problem(exc.status_code, str(exc.message) or "Error", code=f"http_{exc.status_code}")

    @api.exception_handler(RequestDataTooBig)
    def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return problem(
            413, "Request too large", "The request body is larger than this server accepts.", code="too_large"
        )

    @api.exception_handler(DomainError)
    def _domain(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return problem(409 if exc.code.endswith("conflict") else 400, "Request refused", exc.message, code=exc.code)


PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "RFC 9457 problem document",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
    "required": ["type", "title", "status"],
}
# Every status an operation may answer with a problem document; 401 and 403 only where a token is needed.
PROBLEM_STATUSES: dict[int, str] = {
    400: "Bad request (e.g. a NUL character, an unknown value)",
    401: "No valid token",
    403: "The token lacks the scope, or its owner the role",
    404: "Not found",
    409: "Conflicts with the current state",
    413: "Body too large",
    415: "Unsupported media type",
    422: "Body or parameters do not validate",
    429: "Too many requests (see Retry-After)",
}


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the problem responses to every operation of an OpenAPI document, so clients (and
    Schemathesis) know every status the API answers with."""
    schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    content = {PROBLEM_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for status, description in PROBLEM_STATUSES.items():
                if status in (401, 403) and not operation.get("security"):
                    continue
                if status not in responses and str(status) not in responses:
                    responses[status] = {"description": description, "content": content}
    return schema
