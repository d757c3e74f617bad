"""One guard in front of every view for input no field accepts, so no view has to remember it.

- A NUL character (raw, `%00` in the query string or path, or `\\u0000` in a JSON body): PostgreSQL
  refuses it in text, so it used to surface as a 500 from whichever query met it first.
- A body larger than the site accepts: answered 413 before anything reads it (Django's own limit
  answers a bare 400 once the body is read).

The API gets RFC 9457 problem documents, the rest a short page in the visitor's language.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from mamori.api.problems import problem

# Identity documents and agents' permissions (10 MB each, rights.services.intake) plus the form.
MAX_MULTIPART_BYTES = 25 * 1024 * 1024
# A JSON string escape for NUL that is not itself an escaped backslash followed by "u0000".
JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000", re.IGNORECASE)
SCANNED_BODIES = ("application/json", "text/plain", "application/x-www-form-urlencoded", "application/problem+json")


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def _refuse(request: HttpRequest, status: int, title: str, detail: str, code: str) -> HttpResponse:
    if _is_api(request):
        return problem(status, title, detail, code=code)
    template = "mamori/413.html" if status == 413 else "mamori/400.html"
    return render(request, template, status=status)


def _declared_length(request: HttpRequest) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None


def _has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path_info:
        return True
    for key, values in request.GET.lists():
        if "\x00" in key or any("\x00" in value for value in values):
            return True
    if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return False
    content_type = (request.content_type or "").lower()
    if content_type.startswith("multipart/"):
        # Files may hold NUL bytes legitimately; the form's text fields may not.
        return any("\x00" in key or any("\x00" in value for value in values) for key, values in request.POST.lists())
    if content_type in SCANNED_BODIES or content_type.endswith("+json"):
        body = request.body
        return b"\x00" in body or (b"\\" in body and JSON_NUL.search(body) is not None)
    return False


class InputGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length = _declared_length(request)
        if length is None:
            return _refuse(request, 400, "Bad request", "The Content-Length header is not a number.", "bad_length")
        multipart = (request.META.get("CONTENT_TYPE") or "").lower().startswith("multipart/")
        limit = MAX_MULTIPART_BYTES if multipart else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            return _refuse(request, 413, "Request too large", f"The body may hold at most {limit} bytes.", "too_large")
        if _has_nul(request):
            return _refuse(
                request,
                400,
                "Invalid characters",
                "The request holds a NUL character, which no parameter or field accepts.",
                "nul_character",
            )
        return self.get_response(request)
