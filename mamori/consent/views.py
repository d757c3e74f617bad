"""Public consent endpoints outside the API: the banner script, site configs, gpc.json, the demo shop."""

from __future__ import annotations

import gzip
import hashlib
import json
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from mamori.catalog.in_force import parsed_map, versions_in_force
from mamori.consent import siteconfig

STATIC = Path(__file__).resolve().parent / "static" / "consent"


@lru_cache(maxsize=1)
def banner_bundle() -> tuple[bytes, bytes, str]:
    """The script with its style sheet inlined (one request), plain and gzipped, and its ETag."""
    css = (STATIC / "banner.css").read_text("utf-8").strip()
    script = (STATIC / "banner.js").read_text("utf-8").replace('"__CSS__"', json.dumps(css))
    plain = script.encode("utf-8")
    return plain, gzip.compress(plain, 9, mtime=0), hashlib.sha256(plain).hexdigest()[:32]


def _not_modified(request: HttpRequest, etag: str) -> bool:
    return request.headers.get("If-None-Match", "").strip() in (etag, f"W/{etag}")


@require_GET
def banner_js(request: HttpRequest) -> HttpResponse:
    plain, packed, tag = banner_bundle()
    etag = f'"{tag}"'
    gzipped = "gzip" in request.headers.get("Accept-Encoding", "")
    if _not_modified(request, etag):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(packed if gzipped else plain, content_type="application/javascript; charset=utf-8")
        if gzipped:
            response["Content-Encoding"] = "gzip"
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


@require_GET
def site_config(request: HttpRequest, site: str) -> HttpResponse:
    config = siteconfig.site_config(site)
    etag = f'"{config["etag"]}"'
    if _not_modified(request, etag):
        response = HttpResponse(status=304)
    else:
        public = {key: value for key, value in config.items() if key != "etag"}
        response = JsonResponse(public, json_dumps_params={"ensure_ascii": False, "separators": (",", ":")})
    response["ETag"] = etag
    # Stored but revalidated on every page: a material notice change must reach the next page view,
    # and with the ETag an unchanged config costs a 304 without a body.
    response["Cache-Control"] = "public, no-cache"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def gpc_json(request: HttpRequest) -> HttpResponse:
    """/.well-known/gpc.json: honoured when any served organisation honours the signal."""
    honouring = [version for version in versions_in_force() if siteconfig.honours_gpc(parsed_map(version))]
    if honouring:
        last = max(version.applied_at for version in honouring)
        body = {"gpc": True, "lastUpdate": last.date().isoformat()}
    else:
        body = {"gpc": False}
    response = JsonResponse(body)
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=3600"
    return response


DEMO_SCRIPTS = {
    "google-analytics.js": ("_ga", "GA1.1.demo"),
    "google-ads.js": ("_gcl_au", "1.1.demo"),
    "facebook-pixel.js": ("_fbp", "fb.1.demo"),
}


def _demo_enabled() -> bool:
    return bool(getattr(settings, "MAMORI_DEMO", False))


@require_GET
def demo_shop(request: HttpRequest, site: str) -> HttpResponse:
    """A sample shop page with the banner and tagged stand-ins for Google Analytics, Google Ads and
    Facebook (served here: they set their usual cookie and write to the page, nothing else)."""
    if not _demo_enabled():
        raise Http404("the demo shop exists only in demo mode")
    config = siteconfig.site_config(site)
    # The page's language (?lang= or the visitor's, as on every page) is the one the banner reads from
    # <html lang>: the page, its banner and its "Cookie settings" link always speak the same language.
    wanted = request.GET.get("lang", "") or translation.get_language() or "en"
    language = "ja" if wanted.startswith("ja") else "en"
    with translation.override(language):
        return render(
            request,
            "consent/demo_shop.html",
            {
                "site": site,
                "config": config,
                "language": language,
                "subject_token": request.GET.get("subject", ""),
            },
        )


@require_GET
def demo_script(request: HttpRequest, name: str) -> HttpResponse:
    if not _demo_enabled() or name not in DEMO_SCRIPTS:
        raise Http404("no such demo script")
    cookie, value = DEMO_SCRIPTS[name]
    label = name.removesuffix(".js")
    # Counts its runs in window.mamoriDemoRuns so tests can prove "exactly once".
    script = (
        "(function(){var r=window.mamoriDemoRuns=window.mamoriDemoRuns||{};"
        f"r[{json.dumps(label)}]=(r[{json.dumps(label)}]||0)+1;"
        f"document.cookie={json.dumps(cookie + '=' + value)}+'; path=/; max-age=7776000; SameSite=Lax';"
        "var o=document.getElementById('demo-log');"
        f"if(o){{var li=document.createElement('li');li.textContent={json.dumps(label + ' ran')};o.appendChild(li);}}"
        "})();"
    )
    return HttpResponse(script, content_type="application/javascript; charset=utf-8")
