"""Public notice pages of the privacy center: /privacy/<organisation>/policy/, /cookies/, ...

`?version=N` shows an older release; `?lang=en|ja` picks the notice's language (default: the
page's); `?embed=1` returns only the notice's <article>, for the company's own site.
"""

from __future__ import annotations

import difflib
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import get_language

from mamori.catalog.in_force import map_in_force_or_404, parsed_map
from mamori.catalog.models import MapVersion
from mamori.notices.builders import NotInScope, UnknownCollectionPoint, available_kinds
from mamori.notices.classify import reason_text
from mamori.notices.document import to_html
from mamori.notices.models import NoticeRelease
from mamori.notices.rendering import render_version
from mamori.notices.services import active_site_notice, latest_release, release_in_force
from mamori.notices.site_notice import site_notice_payload
from mamori.notices.wording import say


def _language(request: HttpRequest) -> str:
    chosen = request.GET.get("lang") or get_language() or "en"
    return "ja" if chosen.startswith("ja") else "en"


def _release_and_version(request: HttpRequest, organisation: str) -> tuple[NoticeRelease | None, MapVersion]:
    """The requested release, else the one in force, else (nothing published yet) the current map."""
    raw = request.GET.get("version", "")
    if raw:
        if not raw.isdigit():
            raise Http404("bad version")
        release = (
            NoticeRelease.objects.filter(organisation=organisation, number=int(raw))
            .select_related("map_version")
            .first()
        )
        if release is None:
            raise Http404("no such release")
        return release, release.map_version
    current_version, _map = map_in_force_or_404(organisation)
    release = release_in_force(organisation) or latest_release(organisation)
    if release is None:
        return None, current_version
    return release, release.map_version


def _notice_page(request: HttpRequest, organisation: str, kind: str, point: str | None = None) -> HttpResponse:
    release, version = _release_and_version(request, organisation)
    language = _language(request)
    try:
        notice = render_version(version, kind, language, release=release, point=point)
    except (NotInScope, UnknownCollectionPoint) as exc:
        raise Http404(str(exc)) from exc
    if request.GET.get("embed"):
        return HttpResponse(to_html(notice), content_type="text/html; charset=utf-8")
    upcoming = latest_release(organisation)
    if upcoming is not None and release is not None and upcoming.number <= release.number:
        upcoming = None
    privacy_map = parsed_map(version)
    context: dict[str, Any] = {
        "organisation": organisation,
        "org_name": privacy_map.organisation.legal_name.get(get_language() or "en"),
        "notice": notice,
        "notice_html": to_html(notice, heading_level=1),
        "release": release,
        "upcoming": upcoming,
        "kind": kind,
        "point": point,
        "kinds": available_kinds(privacy_map),
        "collection_points": privacy_map.collection_points,
        "language": language,
    }
    return render(request, "notices/notice_page.html", context)


def policy(request: HttpRequest, organisation: str) -> HttpResponse:
    return _notice_page(request, organisation, "privacy")


def cookies(request: HttpRequest, organisation: str) -> HttpResponse:
    return _notice_page(request, organisation, "cookies")


def cpra(request: HttpRequest, organisation: str) -> HttpResponse:
    return _notice_page(request, organisation, "cpra")


def appi(request: HttpRequest, organisation: str) -> HttpResponse:
    return _notice_page(request, organisation, "appi")


def transmission(request: HttpRequest, organisation: str) -> HttpResponse:
    """Japan's external-transmission notice (Telecommunications Business Act Art. 27-12)."""
    return _notice_page(request, organisation, "transmission")


def collection(request: HttpRequest, organisation: str, point: str) -> HttpResponse:
    return _notice_page(request, organisation, "collection", point=point)


def changes(request: HttpRequest, organisation: str) -> HttpResponse:
    """Every release with its classification; `?version=N` adds the readable diff N-1 → N."""
    _version, privacy_map = map_in_force_or_404(organisation)
    language = _language(request)
    releases = list(NoticeRelease.objects.filter(organisation=organisation).order_by("-number"))
    rows = [
        {
            "release": release,
            "reasons": [reason_text(code, language) for code in release.reasons],
        }
        for release in releases
    ]
    selected = None
    diffs: list[dict[str, Any]] = []
    raw = request.GET.get("version", "")
    if raw:
        if not raw.isdigit():
            raise Http404("bad version")
        selected = next((r for r in releases if r.number == int(raw)), None)
        if selected is None:
            raise Http404("no such release")
        diffs = _release_diffs(selected, language)
    context = {
        "organisation": organisation,
        "org_name": privacy_map.organisation.legal_name.get(get_language() or "en"),
        "rows": rows,
        "selected": selected,
        "selected_changes": [
            {**change, "reason_texts": [reason_text(code, language) for code in change.get("reasons", [])]}
            for change in (selected.changes if selected else [])
        ],
        "diffs": diffs,
        "language": language,
        "time_zone": privacy_map.organisation.time_zone,  # a publication's date is the company's date
    }
    return render(request, "notices/changes.html", context)


def _release_diffs(release: NoticeRelease, language: str) -> list[dict[str, Any]]:
    """Line diffs of each notice's Markdown as published, previous release → this one."""
    previous = release.previous()
    old_notices = previous.rendered if previous else {}
    out = []
    for kind, by_language in release.rendered.items():
        new_text = by_language.get(language, "")
        old_text = old_notices.get(kind, {}).get(language, "")
        lines = []
        for line in difflib.unified_diff(old_text.splitlines(), new_text.splitlines(), lineterm="", n=1):
            if line.startswith(("---", "+++")):
                continue
            css = (
                "diff-added"
                if line.startswith("+")
                else "diff-removed"
                if line.startswith("-")
                else "muted"
                if line.startswith("@@")
                else ""
            )
            lines.append({"css": css, "text": line})
        if lines:
            title = say(f"title.{kind}", language, point="").rstrip("：: ")  # noqa: RUF001
            out.append({"kind": title, "lines": lines})
    return out


def site_notice_json(request: HttpRequest, organisation: str) -> JsonResponse:
    """For the company's own site: is there a change to announce? Cacheable, readable cross-origin."""
    map_in_force_or_404(organisation)  # 404 for an unknown organisation
    response = JsonResponse(site_notice_payload(organisation, active_site_notice(organisation)))
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=300"
    return response
