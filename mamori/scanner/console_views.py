"""Console: scan history with trends, scheduled sites, and each scan's report (en/ja, JSON)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from mamori.accounts.access import staff_required
from mamori.audit.services import Actor
from mamori.catalog.models import MapVersion
from mamori.core.errors import DomainError
from mamori.scanner import services
from mamori.scanner.access import SCAN_MANAGERS, SCAN_READERS, access_scan
from mamori.scanner.models import Scan, ScanSite
from mamori.scanner.report import to_html, to_json

TREND_SCANS = 20


class SiteForm(forms.Form):
    organisation = forms.ChoiceField(label=_("Organisation"))
    start_url = forms.URLField(label=_("Start page"), max_length=500, assume_scheme="https")
    max_pages = forms.IntegerField(
        label=_("Most pages per scan"), min_value=1, max_value=services.MAX_PAGES, initial=10
    )
    every_hours = forms.IntegerField(label=_("Scan every (hours)"), min_value=1, initial=168)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        choices = [(org, org) for org in MapVersion.objects.organisations()]
        self.fields["organisation"].choices = choices  # type: ignore[attr-defined]


def _trends() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for organisation in sorted(set(Scan.objects.values_list("organisation", flat=True))):
        rows = Scan.objects.filter(organisation=organisation).defer("result", "screenshots")
        scans = list(rows.order_by("-finished_at", "-id")[:TREND_SCANS])
        scans.reverse()
        top = max([s.violations + s.warnings for s in scans] + [1])
        out.append(
            {
                "organisation": organisation,
                "bars": [
                    {"scan": s, "violations": round(60 * s.violations / top), "warnings": round(60 * s.warnings / top)}
                    for s in scans
                ],
            }
        )
    return out


@staff_required(*SCAN_READERS)
def scans(request: HttpRequest, form: SiteForm | None = None, error: str = "") -> HttpResponse:
    can_manage = getattr(request.user, "role", "") in SCAN_MANAGERS
    context = {
        "nav": "scans",
        "scans": Scan.objects.defer("result", "screenshots")[:50],  # the lists need counts, not the results
        "sites": ScanSite.objects.all(),
        "trends": _trends(),
        "can_manage": can_manage,
        "form": form or (SiteForm() if can_manage else None),
        "error": error,
    }
    failed = bool(error or (form and form.errors))
    return render(request, "scanner/console_scans.html", context, status=400 if failed else 200)


@require_POST
@staff_required(*SCAN_MANAGERS)
def add_site(request: HttpRequest) -> HttpResponse:
    form = SiteForm(request.POST)
    if not form.is_valid():
        return scans(request, form=form)
    try:
        services.add_site(
            form.cleaned_data["organisation"],
            form.cleaned_data["start_url"],
            form.cleaned_data["max_pages"],
            form.cleaned_data["every_hours"],
            Actor.for_user(request.user),
        )
    except DomainError as exc:
        return scans(request, form=form, error=exc.message)
    return redirect("scanner_console:scans")


@require_POST
@staff_required(*SCAN_MANAGERS)
def scan_now(request: HttpRequest, site_id: int) -> HttpResponse:
    try:
        services.request_scan(site_id, Actor.for_user(request.user))
    except DomainError as exc:
        return scans(request, error=exc.message)
    return redirect("scanner_console:scans")


@staff_required(*SCAN_READERS)
def report(request: HttpRequest, scan_id: int) -> HttpResponse:
    scan = access_scan(request.user, scan_id)
    language = request.GET.get("lang") or get_language() or "en"
    if request.GET.get("format") == "json":
        body = json.dumps(to_json(scan.report_data()), ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="scan-{scan.organisation}-{scan.pk}.json"'
        return response
    return HttpResponse(to_html(scan.report_data(), language), content_type="text/html; charset=utf-8")
