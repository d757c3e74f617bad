"""Console pages under /console/records/: the register (pseudonymous: counts, never identities),
one person's records found by an identity typed in (hashed, never stored), and the record of
processing downloads. Privacy officers, admins and auditors only."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from mamori.accounts.access import staff_required
from mamori.audit.services import Actor
from mamori.catalog.in_force import parsed_map, version_in_force
from mamori.catalog.mapfile import PrivacyMap
from mamori.catalog.models import MapVersion
from mamori.disclosures import access, ropa, ropa_files
from mamori.disclosures.handler import describe
from mamori.disclosures.models import Direction, RecordBasis, TransferRecord
from mamori.disclosures.services import DisclosureError, look_up_person

PAGE_SIZE = 50


class RegisterFilter(forms.Form):
    organisation = forms.CharField(label=_("Organisation"), required=False, max_length=100)
    direction = forms.ChoiceField(label=_("Direction"), required=False, choices=[("", _("Any")), *Direction.choices])
    basis = forms.ChoiceField(label=_("Basis"), required=False, choices=[("", _("Any")), *RecordBasis.choices])
    counterparty = forms.CharField(label=_("Recipient or provider"), required=False, max_length=100)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class PersonLookup(forms.Form):
    organisation = forms.CharField(label=_("Organisation"), max_length=100)
    kind = forms.CharField(label=_("Identity kind"), max_length=50, initial="email")
    value = forms.CharField(label=_("Identifier"), max_length=320)


def _filtered(records: QuerySet[TransferRecord], form: RegisterFilter) -> QuerySet[TransferRecord]:
    if not form.is_valid():
        return records
    data = form.cleaned_data
    if data.get("organisation"):
        records = records.filter(organisation=data["organisation"].strip())
    if data.get("direction"):
        records = records.filter(direction=data["direction"])
    if data.get("basis"):
        records = records.filter(basis=data["basis"])
    if data.get("counterparty"):
        records = records.filter(counterparty_name__icontains=data["counterparty"].strip())
    if data.get("date_from"):
        records = records.filter(transferred_on__gte=data["date_from"])
    if data.get("date_to"):
        records = records.filter(transferred_on__lte=data["date_to"])
    return records


@require_http_methods(["GET", "POST"])
@staff_required(*access.REGISTER_READERS)
def register(request: HttpRequest) -> HttpResponse:
    records = access.access_records(request.user)
    form = RegisterFilter(request.GET or None)
    lookup = PersonLookup(request.POST or None)
    person_error = ""
    if request.method == "POST" and lookup.is_valid():
        data = lookup.cleaned_data
        try:
            found = look_up_person(
                data["organisation"].strip(), {data["kind"].strip(): data["value"]}, Actor.for_user(request.user)
            )
        except DisclosureError as exc:
            person_error, found = exc.message, []
        page = Paginator(found, PAGE_SIZE).get_page(1)
    else:
        page = Paginator(_filtered(records, form), PAGE_SIZE).get_page(request.GET.get("page"))
    _name_in_language(page.object_list, translation.get_language() or "en")
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "lookup": lookup,
        "page": page,
        "query": query.urlencode(),
        "nav": "records",
        "person_search": request.method == "POST",
        "person_error": person_error,
        "organisations": MapVersion.objects.organisations(),
    }
    return render(request, "disclosures/register.html", context)


def _name_in_language(records: Iterable[TransferRecord], language: str) -> None:
    """Name each record's counterparty and items as the map in force does, in the page's language."""
    maps: dict[str, PrivacyMap | None] = {}
    for record in records:
        if record.organisation not in maps:
            version = version_in_force(record.organisation)
            maps[record.organisation] = parsed_map(version) if version else None
        privacy_map = maps[record.organisation]
        shown = describe(record, privacy_map, language) if privacy_map else {}
        record.shown_name = shown.get("counterparty", record.counterparty_name)  # type: ignore[attr-defined]
        record.shown_items = shown.get("items", record.categories)  # type: ignore[attr-defined]
        record.shown_how_obtained = shown.get("how_obtained", record.how_obtained)  # type: ignore[attr-defined]


@staff_required(*access.REGISTER_READERS)
def record_detail(request: HttpRequest, record_id: int) -> HttpResponse:
    record = access.access_record(request.user, record_id)
    _name_in_language([record], translation.get_language() or "en")
    return render(request, "disclosures/record.html", {"record": record, "nav": "records"})


@staff_required(*access.REGISTER_READERS)
def ropa_download(request: HttpRequest, organisation: str, fmt: str, language: str) -> HttpResponse:
    access.access_records(request.user)
    wanted = request.GET.get("version", "")
    versions = MapVersion.objects.for_organisation(organisation)  # ?version=N: the record as it stood then
    version = (
        versions.filter(number=int(wanted)).first()
        if wanted.isdigit() and len(wanted) < 9
        else versions.order_by("-number").first()
    )
    if version is None or fmt not in ("xlsx", "html") or language not in ("en", "ja"):
        raise Http404("no such export")
    document = ropa.build(version, language)
    if fmt == "xlsx":
        response = HttpResponse(
            ropa_files.to_xlsx(document),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{ropa_files.filename(document, "xlsx")}"'
        return response
    return HttpResponse(ropa_files.to_html(document), content_type="text/html; charset=utf-8")
