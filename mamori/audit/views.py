"""The console's audit log page: newest first, filterable, with the chain's health on top."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, time, timedelta
from urllib.parse import urlencode

from django import forms
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

from mamori.accounts.access import AUDIT_READERS, staff_required
from mamori.audit.models import AuditEntry
from mamori.audit.verify import verify_chain
from mamori.core.spreadsheet import spreadsheet_safe

PAGE_SIZE = 50
EXPORT_LIMIT = 50_000


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=_("Action starts with"), required=False, max_length=100)
    actor = forms.CharField(label=_("Actor"), required=False, max_length=150)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    # Set by the links from a request or a run to its entries ("Audit entries of this request").
    target_type = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    target_id = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)

    def clean(self) -> dict:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data


def filtered_entries(form: AuditFilterForm) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.order_by("-seq")
    if not form.is_valid():
        return entries
    data = form.cleaned_data
    if data.get("action"):
        entries = entries.filter(action__startswith=data["action"].strip())
    if data.get("target_type"):
        entries = entries.filter(target_type=data["target_type"], target_id=data.get("target_id", ""))
    if data.get("actor"):
        actor = data["actor"].strip()
        entries = entries.filter(Q(actor_label__iexact=actor) | Q(actor_id=actor))
    # Dates are calendar days in the installation's time zone.
    zone = timezone.get_current_timezone()
    if data.get("date_from"):
        entries = entries.filter(at__gte=datetime.combine(data["date_from"], time.min, tzinfo=zone))
    if data.get("date_to"):
        entries = entries.filter(at__lt=datetime.combine(data["date_to"] + timedelta(days=1), time.min, tzinfo=zone))
    return entries


# Where an entry's target is shown in the console: target type -> (URL name, how the id is read).
TARGET_PAGES: dict[str, str] = {
    "rights.request": "console:requests_detail",
    "fulfilment_run": "console:fulfilment_run",
    "retention.run": "console:retention_run",
    "incidents.incident": "console:incident",
    "scan": "scanner_console:report",
}


def target_url(entry: AuditEntry) -> str:
    """The console page of an entry's target, or "" (no page, or an id that is not a number)."""
    name = TARGET_PAGES.get(entry.target_type)
    if name is not None and entry.target_id.isdigit():
        return reverse(name, args=[int(entry.target_id)])
    if entry.target_type == "map_version" and "/" in entry.target_id:
        organisation, number = entry.target_id.rsplit("/", 1)
        if number.isdigit():
            return f"{reverse('console:map_version', args=[int(number)])}?{urlencode({'org': organisation})}"
    return ""


@staff_required(*AUDIT_READERS)
def audit_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    page = Paginator(filtered_entries(form), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": [(entry, target_url(entry)) for entry in page.object_list],
        "chain": verify_chain(),
        "query": query.urlencode(),
        "nav": "audit",
    }
    return render(request, "console/audit_list.html", context)


@staff_required(*AUDIT_READERS)
def audit_export(request: HttpRequest) -> HttpResponse:
    """The filtered log as CSV (newest first, at most EXPORT_LIMIT entries), for those who may read it."""
    form = AuditFilterForm(request.GET or None)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(
        [
            str(_("Number")),
            str(_("Time (UTC)")),
            str(_("Actor")),
            str(_("Actor kind")),
            str(_("Action")),
            str(_("Target type")),
            str(_("Target")),
            str(_("Details")),
        ]
    )
    for entry in filtered_entries(form)[:EXPORT_LIMIT]:
        writer.writerow(
            [
                entry.seq,
                entry.at.astimezone(UTC).isoformat(),
                spreadsheet_safe(entry.actor_label),
                entry.actor_kind,
                entry.action,
                entry.target_type,
                spreadsheet_safe(entry.target_id),
                spreadsheet_safe(entry.details_text),
            ]
        )
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, "audit-log.csv")
    response["Cache-Control"] = "no-store"
    return response
