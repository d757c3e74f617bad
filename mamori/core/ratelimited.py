"""What a rate-limited request gets: 429 with a Retry-After, as JSON for the API, HTML otherwise."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def too_many_requests(request: HttpRequest, exception: Exception, retry_after: int = 60) -> HttpResponse:
    """``retry_after``: seconds until the limit lifts (callers that count themselves know it exactly)."""
    response: HttpResponse
    if request.path.startswith("/api/") or "json" in request.headers.get("Accept", ""):
        response = JsonResponse(
            {"type": "about:blank", "title": "Too many requests", "status": 429, "code": "rate_limited"},
            status=429,
            content_type="application/problem+json",
        )
    else:
        minutes = max(1, -(-int(retry_after) // 60))
        response = render(request, "mamori/429.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(max(1, int(retry_after)))
    return response
