"""Console pages of the rights domain: the queue, a request, staff entry, closures, metrics.

Thin views: parse, check access (rights.access), call a service, redirect with a message.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from mamori.accounts.access import AUDIT_READERS, staff_required
from mamori.accounts.models import User
from mamori.audit.services import Actor
from mamori.catalog.in_force import NoMapApplied, map_in_force
from mamori.catalog.models import MapVersion
from mamori.core.domain_errors import domain_errors
from mamori.core.filetypes import sniff
from mamori.rights import access, casefile, labels
from mamori.rights.clocks import requester_time_zone
from mamori.rights.forms import (
    ClosureForm,
    CompleteForm,
    DenyForm,
    MinorForm,
    NoteForm,
    ReasonForm,
    StaffRequestForm,
    jurisdiction_label,
)
from mamori.rights.handover import handler_for
from mamori.rights.models import ClosureDay, RequestFile, RightsRequest
from mamori.rights.models.requests import email_hash_or_blank, with_email
from mamori.rights.queue import EXPORT_LIMIT, PAGE_SIZE, QueueFilter, Zones, csv_rows, queue_rows
from mamori.rights.rules import RIGHT_LABELS, offered_rights, requester_jurisdictions
from mamori.rights.services import closures as closure_services
from mamori.rights.services import minors, records, verification, workflow
from mamori.rights.services.common import RightsError, rule_of
from mamori.rights.services.intake import submit_request
from mamori.rights.views.center import submission_from, target_text


def _user(request: HttpRequest) -> User:
    """Behind staff_required the user is always a signed-in staff member."""
    return cast(User, request.user)


def _time_zone(organisation: str) -> str:
    try:
        return map_in_force(organisation)[1].organisation.time_zone
    except NoMapApplied:
        return "UTC"


def _queue_filter(request: HttpRequest) -> tuple[QueueFilter, Any]:
    """The filter form and the requests it selects (both the page and the CSV export use it)."""
    requests = access.access_requests(request.user)
    form = QueueFilter(
        request.GET or None,
        organisations=MapVersion.objects.organisations(),
        jurisdictions=RightsRequest.objects.order_by("jurisdiction").values_list("jurisdiction", flat=True).distinct(),
    )
    selected = form.apply(requests, request.user, timezone.now())
    if request.GET.get("email_hash"):
        email_hash = request.GET["email_hash"]
        selected = selected.filter(Q(requester_email_hash=email_hash) | Q(agent_email_hash=email_hash))
    return form, selected.order_by("due_at", "pk")


@staff_required(*access.REQUEST_READERS)
def queue(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        # The address is posted, never put in a URL (access logs, browser history): the queue
        # is then filtered by its keyed hash.
        query = request.GET.copy()
        query["email_hash"] = email_hash_or_blank(request.POST.get("email", "")) or "none"
        return redirect(f"{reverse('console:requests')}?{query.urlencode()}")
    form, selected = _queue_filter(request)
    page = Paginator(selected, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "rights/console/queue.html",
        {
            "form": form,
            "page": page,
            "rows": queue_rows(page.object_list, timezone.now()),
            "query": query.urlencode(),
            "nav": "requests",
            "can_work": _user(request).has_role(*access.REQUEST_WORKERS),
        },
    )


@staff_required(*access.REQUEST_READERS)
def queue_export(request: HttpRequest) -> HttpResponse:
    """The filtered queue as CSV: the columns the queue shows its reader, every page of it (audited)."""
    form, selected = _queue_filter(request)
    rows = queue_rows(selected[:EXPORT_LIMIT], timezone.now())
    filters = {name: str(value) for name, value in (form.cleaned_data if form.is_valid() else {}).items() if value}
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(csv_rows(rows))
    records.record_queue_export(Actor.for_user(request.user), len(rows), filters)
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")  # BOM: Excel
    response["Content-Disposition"] = content_disposition_header(True, "requests.csv")
    response["Cache-Control"] = "no-store"
    return response


@staff_required(*access.REQUEST_READERS)
def detail(request: HttpRequest, request_id: int) -> HttpResponse:
    found = access.access_request(request.user, request_id)
    rule = rule_of(found)
    zone = _time_zone(found.organisation)
    now = timezone.now()
    can_work = _user(request).has_role(*access.REQUEST_WORKERS)
    has_handler = handler_for(found.right) is not None
    work = workflow.work_outcome(found)
    pauses = list(found.pauses.all())
    return render(
        request,
        "rights/console/detail.html",
        {
            "req": found,
            "row": queue_rows([found], now, Zones({found.organisation: zone}))[0],
            "rule": rule,
            "time_zone": zone,
            "nav": "requests",
            "requester_zone": requester_time_zone(found.jurisdiction),
            "target": target_text(rule),
            "right_label": RIGHT_LABELS.get(found.right, found.right),
            "jurisdiction_label": jurisdiction_label(found.jurisdiction),
            "denial_ground": rule.refusal_grounds.get(found.denial_ground, found.denial_ground),
            "identity_method": labels.identity_method(found.identity_method),
            "language_name": labels.LANGUAGES.get(found.language, found.language),
            "files": found.files.all(),
            "notes": found.notes.select_related("author"),
            "timeline": casefile.timeline(
                found, pauses, now, zone=zone, requester_zone=requester_time_zone(found.jurisdiction)
            ),
            "actions": casefile.actions(found, rule, can_work=can_work, has_handler=has_handler, work=work),
            "work": work,
            "work_label": labels.outcome(work.status) if work else labels.outcome(found.outcome_status),
            "work_badge": labels.OUTCOME_BADGES.get(work.status if work else found.outcome_status, "badge-muted"),
            "run_id": (work.summary or {}).get("run") if work else (found.outcome_summary or {}).get("run"),
            # Earlier or parallel requests from the same address (duplicates, repeated access requests).
            "same_address": with_email(access.access_requests(request.user), found.agent_email or found.requester_email)
            .exclude(pk=found.pk)
            .order_by("-received_at")[:20],
            "can_work": can_work,
            "can_read_audit": _user(request).has_role(*AUDIT_READERS),
            "workers": User.objects.filter(role__in=access.REQUEST_WORKERS, is_active=True),
            "note_form": NoteForm(),
            "reason_form": ReasonForm(),
            "now": now,
        },
    )


# Actions that cannot be undone: each is confirmed on a page of its own that names the request and
# what will happen (server-side, so it works without JavaScript); a post without the confirmation
# changes nothing and leads to that page.
IRREVERSIBLE = {
    "execute": (
        gettext_lazy("Execute the plan"),
        gettext_lazy(
            "The fulfilment engine carries out the plan in the company's systems now. Data it erases "
            "or changes cannot be brought back."
        ),
    ),
    "complete": (
        gettext_lazy("Complete the request"),
        gettext_lazy(
            "The request is closed as answered and the requester is told it is complete. It cannot be reopened."
        ),
    ),
    "deny": (
        gettext_lazy("Deny the request"),
        gettext_lazy(
            "The request is closed as refused on the ground you choose, and the requester is told. "
            "It cannot be reopened."
        ),
    ),
    "reject_identity": (
        gettext_lazy("Close as unverified"),
        gettext_lazy(
            "The request is closed without being processed because the identity could not "
            "be verified, and the requester is told. It cannot be reopened."
        ),
    ),
}


@staff_required(*access.REQUEST_WORKERS)
def confirm(request: HttpRequest, request_id: int, action: str) -> HttpResponse:
    found = access.access_request(request.user, request_id, write=True)
    if action not in IRREVERSIBLE:
        raise Http404("no such action")
    title, consequence = IRREVERSIBLE[action]
    form: Any = None
    if action == "complete":
        form = CompleteForm()
    elif action == "deny":
        form = DenyForm(grounds=rule_of(found).refusal_grounds)
    return render(
        request,
        "rights/console/confirm.html",
        {
            "req": found,
            "action": action,
            "title": title,
            "consequence": consequence,
            "form": form,
            "right_label": RIGHT_LABELS.get(found.right, found.right),
            "nav": "requests",
            "multipart": action == "complete",
        },
    )


def _act(request: HttpRequest, request_id: int, action: Callable[..., Any]) -> HttpResponse:
    found = access.access_request(request.user, request_id, write=True)
    action(found, Actor.for_user(request.user))  # a refusal is shown by @domain_errors on `act`
    messages.success(request, _("Done."))
    return redirect("console:requests_detail", request_id=found.pk)


def _form_or_error(form: Any) -> dict[str, Any]:
    if not form.is_valid():
        raise RightsError(_("Please fill in the form correctly."))
    return dict(form.cleaned_data)


def _back_to_request(request: HttpRequest, request_id: int, action: str) -> str:
    return reverse("console:requests_detail", kwargs={"request_id": request_id})


@require_POST
@staff_required(*access.REQUEST_WORKERS)
@domain_errors(back=_back_to_request)
def act(request: HttpRequest, request_id: int, action: str) -> HttpResponse:
    post, files = request.POST, request.FILES

    def assign(found: Any, actor: Actor) -> None:
        raw = post.get("assignee", "")
        assignee = User.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
        if raw and assignee is None:
            raise RightsError(_("No such staff member."))
        workflow.assign(found, assignee, actor)

    def note(found: Any, actor: Actor) -> None:
        workflow.add_note(found, _form_or_error(NoteForm(post))["text"], actor, request.user)

    def complete(found: Any, actor: Actor) -> None:
        data = _form_or_error(CompleteForm(post, files))
        upload = data.get("result")
        content = upload.read() if upload else b""
        # Stored (and later served) with the type its content shows, never the browser's claim.
        result = (upload.name, sniff(content) or "application/octet-stream", content) if upload else None
        workflow.complete(found, actor, message=data.get("message", ""), result=result)

    def deny(found: Any, actor: Actor) -> None:
        data = _form_or_error(DenyForm(post, grounds=rule_of(found).refusal_grounds))
        workflow.deny(found, data["ground"], actor, message=data.get("message", ""))

    actions: dict[str, Callable[[Any, Actor], Any]] = {
        "assign": assign,
        "note": note,
        "acknowledge": lambda found, actor: workflow.acknowledge(found, actor, via=post.get("via", found.channel)),
        "extend": lambda found, actor: workflow.extend(found, _form_or_error(ReasonForm(post))["reason"], actor),
        "pause": lambda found, actor: workflow.pause(found, _form_or_error(ReasonForm(post))["reason"], actor),
        "resume": workflow.resume,
        "accept_identity": lambda found, actor: verification.review_identity(found, actor, accept=True),
        "reject_identity": lambda found, actor: verification.review_identity(
            found, actor, accept=False, reason="rejected_by_staff"
        ),
        "plan": workflow.show_plan,
        "start": workflow.start,
        "execute": workflow.request_execution,
        "complete": complete,
        "deny": deny,
    }
    if action not in actions:
        raise Http404("no such action")
    if action in IRREVERSIBLE and post.get("confirmed") != "yes":
        messages.warning(request, _("Nothing was done yet: confirm on this page."))
        return redirect("console:requests_confirm", request_id=request_id, action=action)
    return _act(request, request_id, actions[action])


@staff_required(*access.REQUEST_WORKERS)
def file_download(request: HttpRequest, request_id: int, file_id: int) -> HttpResponse:
    found = access.access_request(request.user, request_id, write=True)
    stored = RequestFile.objects.filter(request=found, pk=file_id).first()
    if stored is None:
        raise Http404("no such file")
    data = workflow.record_download(found, stored, Actor.for_user(request.user), staff=request.user)
    response = HttpResponse(data, content_type=stored.content_type)
    response["Content-Disposition"] = content_disposition_header(True, stored.filename)
    response["Cache-Control"] = "no-store"
    return response


@staff_required(*access.REQUEST_WORKERS)
def new(request: HttpRequest) -> HttpResponse:
    organisation = request.GET.get("org") or request.POST.get("org") or ""
    organisations = MapVersion.objects.organisations()
    if organisation not in organisations:
        if len(organisations) == 1:
            organisation = organisations[0]
        else:
            return render(
                request, "rights/console/choose_org.html", {"organisations": organisations, "nav": "requests"}
            )
    _version, privacy_map = map_in_force(organisation)
    jurisdictions = requester_jurisdictions(privacy_map)
    rights = [
        right for right in RIGHT_LABELS if any(right in offered_rights(privacy_map, code) for code in jurisdictions)
    ]
    form = StaffRequestForm(request.POST or None, request.FILES or None, jurisdictions=jurisdictions, rights=rights)
    if request.method == "POST" and form.is_valid():
        zone = ZoneInfo(privacy_map.organisation.time_zone)
        received: datetime = form.cleaned_data["received_at"]
        received = received.replace(tzinfo=zone) if timezone.is_naive(received) else received
        submission = submission_from(form, organisation, form.cleaned_data["channel"], form.cleaned_data["language"])
        submission.received_at = received
        try:
            created, _token = submit_request(submission, Actor.for_user(request.user), staff=request.user)
        except RightsError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The request was recorded."))
            return redirect("console:requests_detail", request_id=created.pk)
    return render(request, "rights/console/new.html", {"form": form, "organisation": organisation, "nav": "requests"})


@staff_required(*access.REQUEST_WORKERS)
def minor(request: HttpRequest) -> HttpResponse:
    """Record a person under the minimum age: their data is erased through the normal engine."""
    organisations = MapVersion.objects.organisations()
    organisation = request.GET.get("org") or request.POST.get("org") or ""
    if organisation not in organisations:
        if len(organisations) != 1:
            return render(
                request, "rights/console/choose_org.html", {"organisations": organisations, "nav": "requests"}
            )
        organisation = organisations[0]
    _version, privacy_map = map_in_force(organisation)
    jurisdictions = [
        code for code in requester_jurisdictions(privacy_map) if "erasure" in offered_rights(privacy_map, code)
    ]
    form = MinorForm(request.POST or None, jurisdictions=jurisdictions, reasons=minors.MINOR_REASONS)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = minors.record_minor(
                organisation,
                jurisdiction=data["jurisdiction"],
                name=data["requester_name"],
                email=data.get("requester_email") or "",
                data_points={"customer_number": data["customer_number"]},
                reason=data["reason"],
                note=data.get("note", ""),
                actor=Actor.for_user(request.user),
                staff=request.user,
            )
            if handler_for("erasure") is not None:
                workflow.show_plan(created, Actor.for_user(request.user))
        except RightsError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Recorded. Review the erasure plan and execute it."))
            return redirect("console:requests_detail", request_id=created.pk)
    return render(
        request,
        "rights/console/minor.html",
        {
            "form": form,
            "organisation": organisation,
            "nav": "requests",
            "minimum_age": minors.minimum_age(organisation),
        },
    )


@staff_required(*access.CLOSURE_MANAGERS, *access.REQUEST_READERS)
def closures(request: HttpRequest) -> HttpResponse:
    organisations = MapVersion.objects.organisations()
    can_manage = _user(request).has_role(*access.CLOSURE_MANAGERS)
    form = ClosureForm(request.POST or None, organisations=organisations)
    if request.method == "POST":
        if not can_manage:
            return HttpResponse(status=403)
        if form.is_valid():
            try:
                closure_services.add_closure(
                    form.cleaned_data["organisation"],
                    form.cleaned_data["day"],
                    form.cleaned_data["name"],
                    Actor.for_user(request.user),
                    user=request.user,
                )
            except RightsError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("The closure day was added."))
                return redirect("console:requests_closures")
    return render(
        request,
        "rights/console/closures.html",
        {"closures": ClosureDay.objects.all(), "form": form, "can_manage": can_manage, "nav": "requests"},
    )


@require_POST
@staff_required(*access.CLOSURE_MANAGERS)
@domain_errors(not_found=True)
def closure_delete(request: HttpRequest, closure_id: int) -> HttpResponse:
    closure_services.remove_closure(closure_id, Actor.for_user(request.user))
    messages.success(request, _("The closure day was removed."))
    return redirect("console:requests_closures")


@staff_required(*access.REQUEST_READERS)
def metrics(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("year", "")
    year = int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else timezone.now().year
    rows = [records.year_metrics(org, year) for org in MapVersion.objects.organisations()]
    return render(request, "rights/console/metrics.html", {"rows": rows, "year": year, "nav": "requests"})
