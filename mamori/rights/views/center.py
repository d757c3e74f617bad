"""Public privacy-center pages: the request form, the private status page, code entry, download."""

from __future__ import annotations

import io
from collections.abc import Callable

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mamori.catalog.in_force import map_in_force_or_404
from mamori.core.ratelimited import over_limit, too_many_requests
from mamori.notices.labels import duration as duration_label
from mamori.rights.forms import CodeForm, RequestForm
from mamori.rights.jurisdictions import jurisdiction_label, sorted_by_name
from mamori.rights.models import Channel, RequestFile, RequestStatus, RightsRequest
from mamori.rights.rules import RIGHT_LABELS, RequestRule, offered_rights, requester_jurisdictions
from mamori.rights.services.common import REQUESTER, RightsError, rule_of, status_token_hash
from mamori.rights.services.intake import Submission, Upload, submit_request
from mamori.rights.services.verification import (
    CodeLimitError,
    check_code,
    check_download_code,
    downloadable,
    issue_code,
    issue_download_code,
)
from mamori.rights.services.workflow import record_download


def submission_from(form: RequestForm, organisation: str, channel: str, language: str) -> Submission:
    data = form.cleaned_data
    points = {
        "name": data["requester_name"],
        "phone": data.get("phone", ""),
        "postal_code": data.get("postal_code", ""),
        "customer_number": data.get("customer_number", ""),
    }
    uploads = [Upload(kind, upload.name, upload.content_type or "", upload.read()) for kind, upload in form.uploads()]
    return Submission(
        organisation=organisation,
        right=data["right"],
        jurisdiction=data["jurisdiction"],
        requester_name=data["requester_name"],
        requester_email=data.get("requester_email") or "",
        channel=channel,
        language=language,
        delivery=data["delivery"],
        postal_address=data.get("postal_address", ""),
        phone=data.get("phone", ""),
        data_points={key: value for key, value in points.items() if value},
        message=data.get("message", ""),
        specific_pieces=data.get("specific_pieces", False),
        declaration_signed=data.get("declaration_signed", False),
        is_agent=data.get("is_agent", False),
        agent_name=data.get("agent_name", ""),
        agent_email=data.get("agent_email") or "",
        uploads=uploads,
    )


def new_request(request: HttpRequest, organisation: str) -> HttpResponse:
    """Two steps that work without JavaScript: where do you live (skipped when the map serves one
    place), then the form worded for that place's law, with only the rights offered there."""
    _version, privacy_map = map_in_force_or_404(organisation)
    jurisdictions = requester_jurisdictions(privacy_map)
    chosen = request.POST.get("jurisdiction") or request.GET.get("jurisdiction", "")
    if len(jurisdictions) == 1:
        chosen = jurisdictions[0]
    if chosen not in jurisdictions:
        return render(
            request,
            "rights/center/where.html",
            {
                "organisation": organisation,
                "map": privacy_map,
                "places": sorted_by_name(jurisdictions),
                "right": request.GET.get("right", ""),
                "unknown": bool(chosen),
            },
        )
    rights = offered_rights(privacy_map, chosen)
    initial = {"right": request.GET.get("right", ""), "jurisdiction": chosen}
    form = RequestForm(
        request.POST or None, request.FILES or None, jurisdictions=jurisdictions, rights=rights, initial=initial
    )
    if request.method == "POST":
        if limited := over_limit(request, "rights.submit", "10/h"):
            return limited
        if form.is_valid():
            language = (translation.get_language() or "en").split("-")[0]
            try:
                _created, token = submit_request(
                    submission_from(form, organisation, Channel.FORM, "ja" if language == "ja" else "en"), REQUESTER
                )
            except RightsError as exc:
                form.add_error(RequestForm.ERROR_FIELDS.get(exc.code), exc.message)
            else:
                return redirect("center:requests_status", organisation=organisation, token=token)
    return render(
        request,
        "rights/center/new.html",
        {
            "organisation": organisation,
            "map": privacy_map,
            "form": form,
            "jurisdiction": chosen,
            "jurisdiction_name": jurisdiction_label(chosen),
            "several_places": len(jurisdictions) > 1,
            "agent_open": bool(form.data.get("is_agent")),
        },
    )


def _by_token(organisation: str, token: str) -> RightsRequest:
    found = RightsRequest.objects.filter(organisation=organisation, status_token_hash=status_token_hash(token)).first()
    if found is None:
        raise Http404("no such request")
    return found


def status(request: HttpRequest, organisation: str, token: str) -> HttpResponse:
    if limited := over_limit(request, "rights.status", "120/h"):
        return limited
    _version, privacy_map = map_in_force_or_404(organisation)
    found = _by_token(organisation, token)
    has_result = found.files.filter(kind=RequestFile.Kind.RESULT).exists()
    return render(
        request,
        "rights/center/status.html",
        {
            "organisation": organisation,
            "map": privacy_map,
            "req": found,
            "token": token,
            "right_label": RIGHT_LABELS.get(found.right, found.right),
            "code_form": CodeForm(),
            "waiting_for_code": found.status == RequestStatus.VERIFYING
            and found.email_verified_at is None
            and bool(found.requester_email or found.agent_email),
            "downloadable": has_result and downloadable(found),
            "time_zone": privacy_map.organisation.time_zone,
            "target": target_text(rule_of(found)),
        },
    )


def target_text(rule: RequestRule) -> str:
    """APPI's "without delay", said as the number the company committed to (or mamori's default)."""
    found = rule.without_delay_target
    if found is None:
        return ""
    target, committed = found
    within = duration_label(target, get_language() or "en")
    if committed:
        return _(
            "The law asks for an answer without delay; the company commits to answering within %(within)s "
            "(its privacy map), refusals included."
        ) % {"within": within}
    return _(
        "The law asks for an answer without delay; the company has published no target, so we aim at "
        "%(within)s, refusals included."
    ) % {"within": within}


@require_POST
def verify(request: HttpRequest, organisation: str, token: str) -> HttpResponse:
    if limited := over_limit(request, "rights.verify", "30/h"):
        return limited
    found = _by_token(organisation, token)
    form = CodeForm(request.POST)

    if form.is_valid():
        try:
            ok = check_code(found, form.cleaned_data["code"], REQUESTER)
        except CodeLimitError as exc:
            return too_many_requests(request, exc, retry_after=exc.retry_after)
        except RightsError as exc:
            messages.error(request, exc.message)
        else:
            if ok:
                messages.success(request, _("Thank you: your e-mail address is confirmed."))
            else:
                messages.error(request, _("That code is not right. Check the e-mail and try again."))
    return redirect("center:requests_status", organisation=organisation, token=token)


def _send_code(
    request: HttpRequest, organisation: str, token: str, issue: Callable[..., None], sent: str, anchor: str = ""
) -> HttpResponse:
    """E-mail a code with ``issue`` (verification or download), limited per client and per address."""
    found = _by_token(organisation, token)
    # Counted per address through its keyed hash: the cache never holds the address itself.
    address_hash = found.agent_email_hash or found.requester_email_hash
    if limited := over_limit(request, "rights.resend.ip", "10/h"):
        return limited
    if limited := over_limit(request, "rights.resend.address", "3/h", key=address_hash):
        return limited
    try:
        issue(found, REQUESTER, token=token)
    except CodeLimitError as exc:
        return too_many_requests(request, exc, retry_after=exc.retry_after)
    except RightsError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, sent)
    return redirect(reverse("center:requests_status", args=[organisation, token]) + anchor)


@require_POST
def resend(request: HttpRequest, organisation: str, token: str) -> HttpResponse:
    return _send_code(request, organisation, token, issue_code, _("We have sent you a new code."))


@require_POST
def download_code(request: HttpRequest, organisation: str, token: str) -> HttpResponse:
    """E-mail a fresh code that opens the download."""
    sent = _("We have sent a code to your e-mail address. Enter it below to download.")
    return _send_code(request, organisation, token, issue_download_code, sent, "#download")


@require_POST
def download(request: HttpRequest, organisation: str, token: str) -> HttpResponseBase:
    """The result, for the status link together with a fresh code from the e-mail."""
    if limited := over_limit(request, "rights.download", "30/h"):
        return limited
    found = _by_token(organisation, token)
    result = found.files.filter(kind=RequestFile.Kind.RESULT).first()
    if result is None or not downloadable(found):
        raise Http404("the download has expired")
    form = CodeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the code from the e-mail."))
        return redirect(reverse("center:requests_status", args=[organisation, token]) + "#download")
    try:
        ok = check_download_code(found, form.cleaned_data["code"], REQUESTER)
    except CodeLimitError as exc:
        return too_many_requests(request, exc, retry_after=exc.retry_after)
    except RightsError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("center:requests_status", args=[organisation, token]) + "#download")
    if not ok:
        messages.error(request, _("That code is not right. Check the e-mail and try again."))
        return redirect(reverse("center:requests_status", args=[organisation, token]) + "#download")
    data = record_download(found, result, REQUESTER)
    return FileResponse(
        io.BytesIO(data), as_attachment=True, filename=result.filename, content_type=result.content_type
    )
