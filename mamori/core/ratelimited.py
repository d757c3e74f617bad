"""What a rate-limited request gets: 429 with a Retry-After, as JSON for the API, HTML otherwise."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def too_many_requests(request: HttpRequest, exception: Exception) -> HttpResponse:
    response: HttpResponse
    if request.path.startswith("/api/") or "json" in request.headers.get("Accept", ""):
        response = JsonResponse(
            {"type": "about:blank", "title": "Too many requests", "status": 429, "code": "rate_limited"},
            status=429, content_type="application/problem+json",
        )
    else:
        response = render(request, "mamori/429.html", status=429)
    response["Retry-After"] = "60"
    return response
