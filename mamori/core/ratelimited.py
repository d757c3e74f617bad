"""Rate limits, one home: a fixed-window counter per client (`retry_after`), and what a limited request
gets (`too_many_requests`): 429 with a Retry-After saying when the window really ends, as JSON for
the API, HTML otherwise. Used by the consent event endpoint, the consent centre's forms and the
rights centre's pages.

The counter is one cache increment per hit: django-ratelimit costs several cache operations and a
key digest per call, and the consent event endpoint is the one public path that every page view of
every visitor reaches. It counts on the shared cache (settings RATELIMIT_USE_CACHE) and creates the
window's key only on its first hit. The client's address is never part of the key: callers pass a
keyed hash (`over_limit` does it for them).

On Redis (production: several web processes share the counts) a hit is one round trip: a small
script increments the window's counter, gives a new counter its expiry in the same atomic step,
and can read one more cache entry the caller needs anyway (`retry_after_reading`: the consent
endpoint's site-config pointer). Django's own `incr` costs two round trips (EXISTS, then INCR) and
a first hit two more (the failed INCR, then SET NX). Other caches (the per-process memory cache of a
single process, tests) keep the portable increment.
"""

from __future__ import annotations

import math
import re
import threading
import time
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.core.cache.backends.redis import RedisCache
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
    return retry_after_reading(group, client, rate, None)[0]


def retry_after_reading(group: str, client: str, rate: str, read: str | None) -> tuple[int, Any]:
    """`retry_after`, and the value of the cache entry `read` (None when absent or not asked for),
    read in the same round trip to the cache: from the same cache, so `read` is a key of
    settings RATELIMIT_USE_CACHE (the default cache)."""
    limit, period = parse_rate(rate)
    cache = caches[getattr(settings, "RATELIMIT_USE_CACHE", "default")]
    now = time.time()
    window = int(now // period)
    key = f"mamori:rl:{group}:{client}:{window}"
    if isinstance(cache, RedisCache):
        count, value = _count_on_redis(cache, key, period + 1, read)
    else:
        count, value = _count_portably(cache, key, period + 1), None
        if read is not None:
            value = cache.get(read)
    if count <= limit:
        return 0, value
    return max(1, math.ceil((window + 1) * period - now)), value


def _count_portably(cache: BaseCache, key: str, expiry: int) -> int:
    try:
        return int(cache.incr(key))
    except ValueError:  # the window's first hit (or its key expired)
        return 1 if cache.add(key, 1, expiry) else int(cache.incr(key))


# KEYS[1] the counter, ARGV[1] its expiry in seconds; KEYS[2], if given, an entry to read. Atomic:
# no window's counter can be left without its expiry. The counter is a plain integer, as Django's
# RedisCache stores integers (not pickled), so cache.get and cache.incr read it as ever.
_COUNT_SCRIPT = """
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
if #KEYS > 1 then return {hits, redis.call('GET', KEYS[2])} end
return {hits}
"""


_local = threading.local()


def _count_script_of(backend: Any) -> Any:
    """The counting script on the Redis client of this thread's cache backend, made once: Django
    makes a new client for each operation, and making one (about 60 µs of CPU, measured) costs more
    than the round trip itself (about 40 µs). redis-py's Script sends the script by its SHA-1 and
    loads it once when Redis does not know it yet."""
    cached = getattr(_local, "script", None)
    if cached is None or cached[0] is not backend:
        client = backend.get_client(None, write=True)
        cached = _local.script = (backend, client.register_script(_COUNT_SCRIPT))
    return cached[1]


def _count_on_redis(cache: RedisCache, key: str, expiry: int, read: str | None) -> tuple[int, Any]:
    # Django's RedisCache keeps its client and serializer private; this is the one place that
    # reaches them, to put a hit (and a read) in one round trip. Keys as the cache itself makes them.
    backend: Any = cache._cache
    keys = [cache.make_key(key)] if read is None else [cache.make_key(key), cache.make_key(read)]
    answer = _count_script_of(backend)(keys=keys, args=[expiry])
    raw = answer[1] if len(answer) > 1 else None  # Lua drops a trailing nil: the entry is absent
    return int(answer[0]), None if raw is None else backend._serializer.loads(raw)


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
