"""What the banner of one site shows and does, built from the applied privacy map.

Built once per (site, map version, notice version) and cached; a short-lived pointer says which
build is current, so the event endpoint does not read or parse the map per event.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from mamori.catalog.in_force import parsed_map, upcoming_version, version_in_force
from mamori.catalog.mapfile import PrivacyMap
from mamori.catalog.models import MapVersion
from mamori.consent.banner_texts import BANNER_TEXTS, LANGUAGES
from mamori.consent.models import BannerText, ConsentSite
from mamori.consent.rules import ESSENTIAL_IDS, honours_dnt, honours_gpc
from mamori.consent.rules import is_sale as _is_sale
from mamori.core.crypto import content_digest
from mamori.disclosures.transfers import notices_for as transfer_notices

POINTER_SECONDS = 30
BUILD_SECONDS = 24 * 3600
DEFAULT_COOKIE_DAYS = 180


@dataclass(frozen=True)
class Site:
    key: str
    organisation: str
    domains: tuple[str, ...]
    cookie_days: int


def notice_version(organisation: str) -> int:
    """The notice version consent is given against; a higher one asks everyone again."""
    try:
        from mamori.notices.services import consent_version  # type: ignore[attr-defined,unused-ignore]
    except (ImportError, AttributeError):
        return 1
    return int(consent_version(organisation))


def _host(url: str | None) -> str:
    return (urlsplit(url).hostname or "") if url else ""


def resolve_site(key: str) -> Site:
    """A configured site, or an organisation with an applied map; Http404 otherwise."""
    default_days = int(getattr(settings, "MAMORI_CONSENT_DAYS", DEFAULT_COOKIE_DAYS))
    configured = ConsentSite.objects.filter(key=key).first()
    if configured is not None:
        return Site(
            configured.key, configured.organisation, tuple(configured.domains), configured.cookie_days or default_days
        )
    version = version_in_force(key)
    if version is None:
        raise Http404("unknown consent site")
    host = _host(version.document.get("organisation", {}).get("website"))
    domains = (host, host[4:] if host.startswith("www.") else f"www.{host}") if host else ()
    return Site(key, key, domains, default_days)


def _duration_ja(text: str) -> str:
    if text == "session":
        return "セッション終了まで"
    match = re.fullmatch(r"(\d+) (business day|day|week|month|year)s?", text)
    if not match:
        return text
    units = {"business day": "営業日", "day": "日", "week": "週間", "month": "か月", "year": "年"}
    return f"{match.group(1)}{units[match.group(2)]}"


def _texts(privacy_map: PrivacyMap, language: str) -> dict[str, Any]:
    """Everything a visitor reads in the banner, in one language: the words the hash proves."""
    categories = {}
    for category in privacy_map.cookie_categories:
        rows = [
            [
                cookie.name,
                cookie.provider.get(language),
                _duration_ja(str(cookie.duration)) if language == "ja" else str(cookie.duration),
                cookie.purpose.get(language),
            ]
            for cookie in privacy_map.cookies_in(category.id)
        ]
        desc = category.description.get(language) if category.description else ""
        # APPI Art. 28: consenting to a category that sends data abroad is consenting to that transfer,
        # so the country, its system and the recipient's measures are part of the words (and the hash).
        recipients = [cookie.recipient for cookie in privacy_map.cookies_in(category.id) if cookie.recipient]
        transfers = [notice.sentence(language) for notice in transfer_notices(privacy_map, recipients, language)]
        categories[category.id] = {
            "name": category.name.get(language),
            "desc": " ".join([desc, *transfers]).strip() if transfers else desc,
            "cookies": rows,
        }
        if transfers:
            categories[category.id]["transfers"] = transfers
    return {
        "ui": BANNER_TEXTS[language],
        "categories": categories,
        "controller": privacy_map.organisation.legal_name.get(language),
    }


def build(site: Site, version: MapVersion, notice: int) -> dict[str, Any]:
    privacy_map = parsed_map(version)
    texts = {language: _texts(privacy_map, language) for language in LANGUAGES}
    hashes = {language: content_digest(content) for language, content in texts.items()}
    _remember_texts(site.key, texts, hashes)
    categories = [
        {
            "id": category.id,
            "essential": category.id in ESSENTIAL_IDS,
            "modes": list(category.consent_mode),
            "sale": _is_sale(category, privacy_map),
            # First-party cookies are the only ones a page can delete when consent is withdrawn.
            "cookies": [cookie.name for cookie in privacy_map.cookies_in(category.id) if cookie.party == "first"],
        }
        for category in privacy_map.cookie_categories
    ]
    config = {
        "site": site.key,
        "organisation": site.organisation,
        "map_version": version.number,
        "version": notice,
        "days": site.cookie_days,
        "gpc": honours_gpc(privacy_map),
        "dnt": honours_dnt(privacy_map),
        "categories": categories,
        "events": "/api/v1/consent/events",
        "policy": f"/privacy/{site.organisation}/",
        "texts": texts,
        "hash": hashes,
    }
    config["etag"] = content_digest(config)[:32]
    return config


def remember_text(site: str, language: str, content: dict[str, Any]) -> str:
    """Store one text (the banner's, a page's statement) so a ledger entry can cite it; its hash."""
    digest = content_digest(content)
    _remember_texts(site, {language: content}, {language: digest})
    return digest


def _remember_texts(site: str, texts: dict[str, Any], hashes: dict[str, str]) -> None:
    """Store each text version once, so a proof can show the words behind a hash (the one writer of
    BannerText; a concurrent insert of the same text is not an error)."""
    known = set(BannerText.objects.filter(text_hash__in=hashes.values()).values_list("text_hash", flat=True))
    for language, digest in hashes.items():
        if digest not in known:
            try:
                with transaction.atomic():
                    BannerText.objects.create(text_hash=digest, site=site, language=language, content=texts[language])
            except IntegrityError:  # another process stored it first
                pass


def pointer_key(site: str) -> str:
    """The cache key of the pointer to a site's current build (the event endpoint reads it in the
    same round trip as its rate counter, and hands it to `site_config`)."""
    return f"mamori:consent:pointer:{site}"


UNREAD: Any = object()  # `site_config`'s pointer when the caller has not read it


def site_config(key: str, pointer: Any = UNREAD) -> dict[str, Any]:
    """The current config of a site (Http404 for unknown sites), from the cache when it can be.
    `pointer`: the value of `pointer_key(key)` in the cache, when the caller has just read it.

    The dict is shared: callers must not change it.
    """
    if pointer is UNREAD:
        pointer = cache.get(pointer_key(key))
    if pointer is not None:
        if pointer in _parsed:
            return _parsed[pointer]
        built = cache.get(pointer)
        if built is not None:
            return _memo(pointer, built)
    site = resolve_site(key)
    version = version_in_force(site.organisation)
    if version is None:
        raise Http404("no privacy map is applied for this site")
    notice = notice_version(site.organisation)
    build_key = f"mamori:consent:build:{key}:{version.number}:{notice}:{site.cookie_days}:{','.join(site.domains)}"
    built = cache.get(build_key)
    if built is None:
        config = build(site, version, notice)
        config["domains"] = list(site.domains)
        built = json.dumps(config, ensure_ascii=False, separators=(",", ":"))
        cache.set(build_key, built, BUILD_SECONDS)
    cache.set(pointer_key(key), build_key, _pointer_seconds(site.organisation))
    return _memo(build_key, built)


def _pointer_seconds(organisation: str) -> int:
    """How long the pointer may be trusted: never past the instant a version applied for later takes
    effect, so the banner switches at that instant, not up to POINTER_SECONDS after it."""
    upcoming = upcoming_version(organisation)
    if upcoming is None or upcoming.effective_at is None:
        return POINTER_SECONDS
    until = math.ceil((upcoming.effective_at - timezone.now()).total_seconds())
    return max(1, min(POINTER_SECONDS, until))


# Parsed builds per process: a build never changes once made (its key names the versions).
_parsed: dict[str, dict[str, Any]] = {}


def _memo(build_key: str, built: str) -> dict[str, Any]:
    if len(_parsed) > 256:
        _parsed.clear()
    _parsed[build_key] = json.loads(built)
    return _parsed[build_key]


def forget(key: str | None = None) -> None:
    """Drop the pointer(s) so the next request rebuilds: after a map is applied or a site changes."""
    if key is not None:
        cache.delete(pointer_key(key))
        return
    keys = set(MapVersion.objects.organisations()) | set(ConsentSite.objects.values_list("key", flat=True))
    cache.delete_many([pointer_key(site) for site in keys])


def allowed_origins(config: dict[str, Any]) -> set[str]:
    origins = {f"{scheme}://{domain}" for domain in config.get("domains", []) for scheme in ("https", "http")}
    base = getattr(settings, "BASE_URL", "")
    if base:
        origins.add(base)
    return origins
