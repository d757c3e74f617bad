"""The benchmark's own settings: mamori's, plus a bare endpoint (urls.py) measured next to the
consent event endpoint in the same server process. Not used by the product."""

import os

from mamori.settings import *  # noqa: F403

ROOT_URLCONF = "bench.consent.urls"
# The event endpoint's per-address limit (default 300/m): all benchmark traffic comes from
# 127.0.0.1, so the throughput phase lifts it and the overload phase sets it to the sustainable rate.
MAMORI_CONSENT_RATE = os.environ.get("BENCH_CONSENT_RATE", "100000000/m")
