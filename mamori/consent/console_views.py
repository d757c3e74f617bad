"""Console: consent rates per category and site over time; proof-of-consent export."""

from __future__ import annotations

import json

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from mamori.accounts.access import staff_required
from mamori.audit.services import Actor
from mamori.catalog.models import MapVersion
from mamori.consent import chart, services, siteconfig
from mamori.consent.access import CONSENT_READERS, PROOF_READERS, known_sites
from mamori.core.errors import DomainError


def _percent(value: float | None) -> int | None:
    return None if value is None else round(value * 100)


@staff_required(*CONSENT_READERS)
def consent_rates(request: HttpRequest) -> HttpResponse:
    try:
        days = min(max(int(request.GET.get("days", 30)), 2), 365)
    except ValueError:
        days = 30
    language = "ja" if (get_language() or "en").startswith("ja") else "en"
    charts = []
    for site in known_sites():
        try:
            config = siteconfig.site_config(site)
        except Http404:
            continue
        optional = [category["id"] for category in config["categories"] if not category["essential"]]
        names = {ident: config["texts"][language]["categories"][ident]["name"] for ident in optional}
        (rates,) = chart.consent_rates({site: optional}, days=days)
        title = _("Share of consent choices granting each category, per day: %(site)s") % {"site": site}
        rows = [
            {"day": day, "total": total, "rates": [_percent(rates.rates[c][i]) for c in optional]}
            for i, (day, total) in enumerate(zip(rates.days, rates.totals, strict=True))
            if total
        ]
        charts.append(
            {
                "site": site,
                "svg": mark_safe(chart.svg(rates, names, title)),  # noqa: S308 - escaped in chart.svg
                "names": [names[c] for c in optional],
                "rows": rows,
                "decisions": sum(rates.totals),
            }
        )
    can_export = getattr(request.user, "role", "") in PROOF_READERS
    return render(
        request,
        "consent/console_rates.html",
        {"nav": "consent", "charts": charts, "days": days, "can_export": can_export},
    )


@staff_required(*PROOF_READERS)
def proof_export(request: HttpRequest) -> HttpResponse:
    organisation = request.GET.get("organisation", "").strip()
    subject = request.GET.get("subject", "").strip()
    context = {"nav": "consent", "organisations": MapVersion.objects.organisations(), "organisation": organisation}
    if not organisation or not subject:
        return render(request, "consent/console_proof.html", context)
    try:
        proof = services.proof_of_consent(organisation, subject, Actor.for_user(request.user))
    except DomainError as exc:
        return render(request, "consent/console_proof.html", context | {"error": exc.message}, status=400)
    response = HttpResponse(json.dumps(proof, ensure_ascii=False, indent=2), content_type="application/json")
    filename = f"consent-proof-{organisation}-{proof['subject'][:12]}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
