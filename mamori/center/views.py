from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from mamori.catalog.models import MapVersion
from mamori.center.access import current_map


def index(request: HttpRequest) -> HttpResponse:
    """With one organisation go straight to its center; otherwise list them."""
    versions = MapVersion.objects.current_versions()
    if len(versions) == 1:
        return redirect("center:home", organisation=versions[0].organisation)
    return render(request, "center/index.html", {"versions": versions})


def home(request: HttpRequest, organisation: str) -> HttpResponse:
    version, privacy_map = current_map(organisation)
    return render(request, "center/home.html", {"version": version, "map": privacy_map, "organisation": organisation})
