"""The console's audit log page: newest first, filterable, with the chain's health on top."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mamori.accounts.access import AUDIT_READERS, staff_required
from mamori.audit.models import AuditEntry
from mamori.audit.verify import verify_chain

PAGE_SIZE = 50


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=_("Action starts with"), required=False, max_length=100)
    actor = forms.CharField(label=_("Actor"), required=False, max_length=150)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

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


@staff_required(*AUDIT_READERS)
def audit_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    page = Paginator(filtered_entries(form), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "chain": verify_chain(),
        "query": query.urlencode(),
        "nav": "audit",
    }
    return render(request, "console/audit_list.html", context)
