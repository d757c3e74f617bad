"""Console pages of the notices domain: releases, the pending classification, publishing."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from mamori.accounts.access import MAP_MANAGERS, MAP_READERS, staff_required
from mamori.audit.services import Actor
from mamori.catalog import access
from mamori.core.domain_errors import domain_errors
from mamori.notices.classify import reason_text
from mamori.notices.models import NoticeRelease
from mamori.notices.services import consent_version, pending_change, publish_notices


class PublishForm(forms.Form):
    map_version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    effective_from = forms.DateField(
        label=_("Effective from"),
        widget=forms.DateInput(attrs={"type": "date"}),
        required=False,
        help_text=_("Empty: as early as the map allows."),
    )


@staff_required(*MAP_READERS)
def notices_index(request: HttpRequest) -> HttpResponse:
    rows = []
    for version in access.access_current_versions(request.user):
        release = NoticeRelease.objects.filter(organisation=version.organisation).order_by("-number").first()
        rows.append({"version": version, "release": release, "consent_version": consent_version(version.organisation)})
    return render(request, "notices/console/index.html", {"rows": rows, "nav": "notices"})


@staff_required(*MAP_READERS)
def notices_detail(request: HttpRequest, organisation: str) -> HttpResponse:
    version = access.access_current_version(request.user, organisation)
    pending = pending_change(version.organisation)
    if pending is None:
        raise Http404("no map")
    language = "ja" if (get_language() or "en").startswith("ja") else "en"
    changes = [
        {
            "section": change.section,
            "key": change.key,
            "kind": change.kind,
            "material": change.material,
            "reasons": [reason_text(code, language) for code in change.reasons],
        }
        for change in pending.classification.changes
    ]
    form = PublishForm(initial={"map_version": version.number, "effective_from": pending.default_effective})
    return render(
        request,
        "notices/console/detail.html",
        {
            "organisation": organisation,
            "pending": pending,
            "changes": changes,
            "form": form,
            "can_publish": request.user.has_role(*MAP_MANAGERS),  # type: ignore[union-attr]
            "releases": NoticeRelease.objects.filter(organisation=organisation).order_by("-number"),
            "consent_version": consent_version(organisation),
            "nav": "notices",
        },
    )


@require_POST
@staff_required(*MAP_MANAGERS)
@domain_errors(back="console:notices_detail")
def notices_publish(request: HttpRequest, organisation: str) -> HttpResponse:
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the effective date: use YYYY-MM-DD."))
        return redirect("console:notices_detail", organisation=organisation)
    version = access.access_version(request.user, organisation, form.cleaned_data["map_version"])
    effective: date | None = form.cleaned_data["effective_from"]
    release = publish_notices(version, effective, Actor.for_user(request.user))
    messages.success(request, _("Release %(number)s published.") % {"number": release.number})
    return redirect("console:notices_detail", organisation=organisation)
