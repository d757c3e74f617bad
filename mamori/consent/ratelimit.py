"""A fixed-window counter per client for the consent event endpoint: one cache increment per event.

django-ratelimit costs several cache operations and a key digest per call; the event endpoint is
the one public path that every page view of every visitor reaches, so it counts with a single
`incr` on the shared cache (settings RATELIMIT_USE_CACHE) and creates the window's key only on
its first hit. The client's address is never part of the key: callers pass a keyed hash.
"""

from __future__ import annotations

import math
import re
import time
from functools import lru_cache

from django.conf import settings
from django.core.cache import caches

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
