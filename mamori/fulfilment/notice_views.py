"""Console pages for recipient notices (stop provision, opt-out, GDPR Art. 19): the list, one
notice with its history, confirming (on a second step: it cannot be undone) and sending again."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from mamori.accounts.access import staff_required
from mamori.audit.models import AuditEntry
from mamori.audit.services import Actor
from mamori.core.domain_errors import domain_errors
from mamori.fulfilment import access
from mamori.fulfilment.models import RecipientNotice
from mamori.fulfilment.recipient_notices import NOTE_LIMIT, NoticeError, can_resend, confirm_notice, resend_notice

PAGE_SIZE = 50


class NoticeFilter(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("State"),
        required=False,
        choices=[("", gettext_lazy("Any")), *RecipientNotice.Status.choices],
    )
    recipient = forms.CharField(label=gettext_lazy("Recipient"), required=False, max_length=100)
    request = forms.IntegerField(label=gettext_lazy("Request number"), required=False, min_value=1)


class ConfirmForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("How the recipient confirmed (the evidence)"),
        max_length=NOTE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )


def _filtered(notices: QuerySet[RecipientNotice], form: NoticeFilter) -> QuerySet[RecipientNotice]:
    if not form.is_valid():
        return notices.none()
    data = form.cleaned_data
    if data.get("status"):
        notices = notices.filter(status=data["status"])
    if data.get("recipient"):
        notices = notices.filter(recipient__icontains=data["recipient"].strip())
    if data.get("request"):
        notices = notices.filter(request_id=data["request"])
    return notices


@staff_required(*access.FULFILMENT_STAFF)
def notice_list(request: HttpRequest) -> HttpResponse:
    form = NoticeFilter(request.GET)
    notices = _filtered(access.access_notices(request.user), form).order_by("-created_at", "-pk")
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode(), "nav": "fulfilment"}
    return render(request, "fulfilment/notices.html", context, status=200 if form.is_valid() else 400)


@staff_required(*access.FULFILMENT_STAFF)
def notice_detail(request: HttpRequest, notice_id: int) -> HttpResponse:
    notice = access.access_notice(request.user, notice_id)
    history = AuditEntry.objects.filter(target_type="recipient_notice", target_id=str(notice.pk)).order_by("seq")
    context = {
        "notice": notice,
        "history": history,
        "can_resend": can_resend(notice),
        "earlier": notice.evidence.get("earlier", []),
        "nav": "fulfilment",
    }
    return render(request, "fulfilment/notice.html", context)


@require_http_methods(["GET", "POST"])
@staff_required(*access.FULFILMENT_STAFF)
@domain_errors(back="console:fulfilment_notice")
def notice_confirm(request: HttpRequest, notice_id: int) -> HttpResponse:
    """GET: the second step, saying what confirming means. POST (from that page only): confirm."""
    notice = access.access_notice(request.user, notice_id)
    if notice.status == RecipientNotice.Status.CONFIRMED:
        raise NoticeError(gettext_lazy("this notice is already confirmed"), code="notice_conflict")
    if request.method == "POST" and request.POST.get("confirmed") != "yes":
        return redirect("console:fulfilment_notice_confirm", notice.pk)  # only the confirmation page confirms
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            confirm_notice(notice.pk, Actor.for_user(request.user), form.cleaned_data["note"])
            messages.success(request, _("The notice is recorded as confirmed."))
            return redirect("console:fulfilment_notice", notice.pk)
        return render(request, "fulfilment/notice_confirm.html", {"notice": notice, "form": form}, status=400)
    return render(request, "fulfilment/notice_confirm.html", {"notice": notice, "form": form, "nav": "fulfilment"})


@require_POST
@staff_required(*access.FULFILMENT_STAFF)
@domain_errors(back="console:fulfilment_notice")
def notice_resend(request: HttpRequest, notice_id: int) -> HttpResponse:
    notice = access.access_notice(request.user, notice_id)
    sent = resend_notice(notice.pk, Actor.for_user(request.user))
    if sent.channel == RecipientNotice.Channel.TASK:
        messages.error(request, _("Sending failed again: the notice is now a task for staff."))
    else:
        messages.success(request, _("The notice was sent again."))
    return redirect("console:fulfilment_notice", notice.pk)
