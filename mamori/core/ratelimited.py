"""Rate limits, one home: a fixed-window counter per client (`retry_after`), and what a limited request
gets (`too_many_requests`): 429 with a Retry-After saying when the window really ends, as JSON for
the API, HTML otherwise. Used by the consent event endpoint, the consent centre's forms and the
rights centre's pages.

The counter is one cache increment per hit: django-ratelimit costs several cache operations and a
key digest per call, and the consent event endpoint is the one public path that every page view of
every visitor reaches. It counts on the shared cache (settings RATELIMIT_USE_CACHE) and creates the
window's key only on its first hit. The client's address is never part of the key: callers pass a
keyed hash (`over_limit` does it for them).
"""

from __future__ import annotations

import math
import re
import time
from functools import lru_cache

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from mamori.core.crypto import keyed_identifier_hash

RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@lru_cache(maxsize=32)
def parse_rate(rate: str) -> tuple[int, int]:
    """'300/m' -> (300, 60); '5/10s' -> (5, 10). The format django-ratelimit accepts."""
    match = RATE.match(rate)
    if match is None:
        raise ValueError(f"invalid rate {rate!r}: use N/s, N/m, N/h, N/d or N/<count><unit>")
    count, multiplier, unit = match.groups()
    return int(count), int(multiplier or 1) * UNIT_SECONDS[unit]


def retry_after(group: str, client: str, rate: str) -> int:
    """Count one hit; 0 while within the rate, else the seconds until the window ends (at least 1)."""
    limit, period = parse_rate(rate)
    cache = caches[getattr(settings, "RATELIMIT_USE_CACHE", "default")]
    now = time.time()
    window = int(now // period)
    key = f"mamori:rl:{group}:{client}:{window}"
    try:
        count = cache.incr(key)
    except ValueError:  # the window's first hit (or its key expired)
        count = 1 if cache.add(key, 1, period + 1) else cache.incr(key)
    if count <= limit:
        return 0
    return max(1, math.ceil((window + 1) * period - now))


def over_limit(request: HttpRequest, group: str, rate: str, key: str | None = None) -> HttpResponse | None:
    """Count this request against ``rate`` for its client (``key``, by default the client's address as
    a keyed hash): None while within it, else the 429 answer with the seconds until the window ends."""
    client = key if key is not None else keyed_identifier_hash("ip", request.META.get("REMOTE_ADDR", "") or "")
    wait = retry_after(group, client, rate)
    if wait:
        return too_many_requests(request, None, retry_after=wait)
    return None


def too_many_requests(request: HttpRequest, exception: Exception | None, retry_after: int = 60) -> HttpResponse:
    """``retry_after``: seconds until the limit lifts (callers that count themselves know it exactly;
    the 60 is only for django-ratelimit's own view, settings.RATELIMIT_VIEW)."""
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
