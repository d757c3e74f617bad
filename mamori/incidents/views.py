"""Console pages for incidents: the register, one incident with its clocks, evaluation, people,
drafts, notices and timeline. Thin: parse, check access, call a service, redirect or re-render."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mamori.accounts.access import staff_required
from mamori.audit.services import Actor
from mamori.catalog import access as catalog_access
from mamori.core.domain_errors import domain_errors
from mamori.incidents import access, people, services
from mamori.incidents.models import AffectedPerson, Cause, Kind, ReportDraft, Status, TimelineEntry
from mamori.incidents.rules import GROUP_LABELS

EDITORS = access.INCIDENT_EDITORS
READERS = access.INCIDENT_READERS


def nearest_deadlines(user: Any, now: datetime | None = None) -> list[dict[str, Any]]:
    """Open incidents with their nearest unmet deadline (the dashboard's small table)."""
    now = now or timezone.now()
    rows = []
    maps: dict[str, Any] = {}  # one look-up of the map in force per organisation, not per incident
    for incident in access.access_incidents(user).exclude(status=Status.CLOSED)[:50]:
        if incident.organisation not in maps:
            maps[incident.organisation] = services.map_of(incident)
        findings = services.evaluation_of(incident, maps[incident.organisation])
        pending = [deadline for deadline in services.deadlines_of(incident, findings) if deadline.done_at is None]
        nearest = pending[0] if pending else None
        rows.append(
            {
                "incident": incident,
                "deadline": nearest,
                "left": time_left(nearest.left(now)) if nearest else "",
                "overdue": [d for d in pending if d.overdue(now)],
            }
        )
    return sorted(
        rows,
        key=lambda row: (
            row["deadline"].due_at if row["deadline"] else datetime.max.replace(tzinfo=timezone.get_current_timezone())
        ),
    )


def time_left(left: timedelta) -> str:
    """ "2 days 5 hours" left, or how long ago it passed."""
    hours = int(abs(left).total_seconds() // 3600)
    text = _("%(days)d d %(hours)d h") % {"days": hours // 24, "hours": hours % 24}
    return text if left.total_seconds() >= 0 else _("%(time)s ago") % {"time": text}


@staff_required(*READERS)
def incident_list(request: HttpRequest) -> HttpResponse:
    incidents = access.access_incidents(request.user)[:200]
    return render(
        request,
        "incidents/list.html",
        {
            "incidents": incidents,
            "rows": nearest_deadlines(request.user),
            "can_edit": access.can_edit(request.user),
            "nav": "incidents",
        },
    )


def _editors() -> Any:
    from mamori.accounts.models import User

    return User.objects.filter(role__in=EDITORS, is_active=True).order_by("username")


def _is_number(raw: str) -> bool:
    return raw.isascii() and raw.isdecimal() and len(raw) < 10


def _aware_at(raw: str) -> datetime | None:
    value = parse_datetime(raw.strip()) if raw and "\x00" not in raw else None
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_current_timezone())
    return value


@staff_required(*EDITORS)
def incident_new(request: HttpRequest) -> HttpResponse:
    organisations = [version.organisation for version in catalog_access.access_current_versions(request.user)]
    context: dict[str, Any] = {
        "organisations": organisations,
        "kinds": Kind.choices,
        "causes": Cause.choices,
        "nav": "incidents",
        "values": request.POST or {},
    }
    if request.method == "POST":
        aware_at = _aware_at(request.POST.get("aware_at", ""))
        occurred_at = _aware_at(request.POST.get("occurred_at", ""))
        try:
            if aware_at is None:
                raise services.IncidentError(_("Give the time the company became aware, e.g. 2026-11-02 23:30."))
            estimated = request.POST.get("people_estimated", "").strip()
            incident = services.open_incident(
                services.IncidentInput(
                    organisation=request.POST.get("organisation", ""),
                    title=request.POST.get("title", ""),
                    aware_at=aware_at,
                    occurred_at=occurred_at,
                    kind=request.POST.get("kind", ""),
                    cause=request.POST.get("cause", ""),
                    encrypted=request.POST.get("encrypted") == "on",
                    key_compromised=request.POST.get("key_compromised") == "on",
                    scope={"tables": request.POST.getlist("tables"), "categories": request.POST.getlist("categories")},
                    people_estimated=int(estimated) if _is_number(estimated) else None,
                    owner=request.user,
                ),
                Actor.for_user(request.user),
            )
        except services.IncidentError as exc:
            context["error"] = exc.message
            return render(request, "incidents/new.html", context | _tables(organisations), status=400)
        messages.success(request, _("The incident is registered; its clocks are running."))
        return redirect("console:incident", incident.pk)
    return render(request, "incidents/new.html", context | _tables(organisations))


def _tables(organisations: list[str]) -> dict[str, Any]:
    """The scope's choices from each applied map: tables, and categories held outside any table."""
    tables, categories = [], []
    for organisation in organisations:
        try:
            _version, privacy_map = services.current_map(organisation)
        except services.IncidentError:
            continue
        tables += [(organisation, ref) for ref in services.scope_choices(privacy_map)["tables"]]
        categories += [(organisation, category.id, category.name) for category in privacy_map.data_categories]
    return {"tables": tables, "categories": categories}


@staff_required(*READERS)
def incident_detail(request: HttpRequest, incident_id: int) -> HttpResponse:
    incident = access.access_incident(request.user, incident_id)
    now = timezone.now()
    findings = services.evaluation_of(incident)
    clocks = services.deadlines_of(incident, findings)
    affected = incident.affected.all()
    return render(
        request,
        "incidents/detail.html",
        {
            "incident": incident,
            "findings": findings,
            "now": now,
            "clocks": [{"deadline": d, "left": time_left(d.left(now)), "overdue": d.overdue(now)} for d in clocks],
            "counts": [(GROUP_LABELS[key], value) for key, value in (incident.counts or {}).items()],
            "affected": affected[:500],
            "affected_total": affected.count(),
            "pending": affected.filter(notice=AffectedPerson.Notice.PENDING).count(),
            "drafts": incident.drafts.all(),
            "timeline": incident.timeline.all(),
            "forms": ReportDraft.Form.choices,
            "stages": ReportDraft.Stage.choices,
            "statuses": Status.choices,
            "can_edit": access.can_edit(request.user) and incident.is_open,
            "nav": "incidents",
            "editors": _editors() if access.can_edit(request.user) else [],
        },
    )


def _back(request: HttpRequest, incident_id: int, **_ids: int) -> str:
    """Where a refused action returns to (core.domain_errors shows the service's message there)."""
    return reverse("console:incident", args=[incident_id])


def _act(request: HttpRequest, incident_id: int, action: Callable[[Actor], Any], done: str) -> HttpResponse:
    access.access_incident(request.user, incident_id, write=True)
    action(Actor.for_user(request.user))
    messages.success(request, done)
    return redirect("console:incident", incident_id)


@staff_required(*READERS)
@domain_errors(not_found=True)
def evidence_download(request: HttpRequest, incident_id: int, entry_id: int) -> HttpResponse:
    """An evidence file, decrypted for one who may read the incident (sent as a download, never shown inline)."""
    incident = access.access_incident(request.user, incident_id)
    entry = incident.timeline.filter(pk=entry_id, kind=TimelineEntry.Kind.EVIDENCE).first()
    if entry is None:
        raise Http404("no such evidence")
    response = HttpResponse(services.evidence_bytes(entry), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="evidence-{entry.pk}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@staff_required(*EDITORS)
@domain_errors(back=_back)
def incident_status(request: HttpRequest, incident_id: int) -> HttpResponse:
    status = request.POST.get("status", "")
    return _act(
        request,
        incident_id,
        lambda actor: services.change_status(incident_id, status, actor),
        _("The status is changed."),
    )


@require_POST
@staff_required(*EDITORS)
@domain_errors(back=_back)
def incident_note(request: HttpRequest, incident_id: int) -> HttpResponse:
    upload = request.FILES.get("evidence")
    if upload is not None and upload.size is not None and upload.size > services.MAX_EVIDENCE_BYTES:
        messages.error(request, _("Evidence files are limited to 5 MB."))
        return redirect("console:incident", incident_id)
    data = upload.read() if upload is not None else None
    name = upload.name or "" if upload is not None else ""
    return _act(
        request,
        incident_id,
        lambda actor: services.add_note(incident_id, request.POST.get("text", ""), actor, file_name=name, data=data),
        _("Added to the timeline."),
    )


@require_POST
@staff_required(*EDITORS)
@domain_errors(back=_back)
def incident_facts(request: HttpRequest, incident_id: int) -> HttpResponse:
    post = request.POST
    changes: dict[str, Any] = {
        name: post.get(name) == "on" for name in ("possibly_malicious", "encrypted", "key_compromised")
    }
    for name in ("actions_summary_en", "actions_summary_ja"):
        changes[name] = post.get(name, "")
    owner = post.get("owner", "")
    if owner:
        changes["owner"] = _editors().filter(pk=int(owner)).first() if _is_number(owner) else None
        if changes["owner"] is None:
            messages.error(request, _("The owner must be a privacy officer or an admin."))
            return redirect("console:incident", incident_id)
    for name in ("people_estimated", "people_confirmed"):
        raw = post.get(name, "").strip()
        if raw and not _is_number(raw):
            messages.error(request, _("A number of people must be a whole number."))
            return redirect("console:incident", incident_id)
        changes[name] = int(raw) if raw else None
    selector = {key: post.get(f"selector_{key}", "") for key in ("column", "from", "to")}
    table = post.get("selector_table", "")
    if table:
        incident = access.access_incident(request.user, incident_id, write=True)
        system, _dot, name = table.partition(".")
        changes["scope"] = {**incident.scope, "selector": {"system": system, "table": name, **selector}}
    return _act(
        request,
        incident_id,
        lambda actor: services.update_incident(incident_id, changes, actor),
        _("The facts are saved; the evaluation is recomputed."),
    )


@require_POST
@staff_required(*EDITORS)
@domain_errors(back=_back)
def incident_override(request: HttpRequest, incident_id: int) -> HttpResponse:
    law = request.POST.get("law", "")
    if request.POST.get("clear"):
        return _act(
            request,
            incident_id,
            lambda actor: services.clear_override(incident_id, law, actor),
            _("The computed outcome applies again."),
        )
    return _act(
        request,
        incident_id,
        lambda actor: services.override(
            incident_id,
            law,
            report_authority=request.POST.get("report_authority") == "on",
            notify_people=request.POST.get("notify_people") == "on",
            reason=request.POST.get("reason", ""),
            actor=actor,
        ),
        _("The override is recorded with its reason."),
    )


@require_POST
@staff_required(*EDITORS)
@domain_errors(back=_back)
def incident_find_people(request: HttpRequest, incident_id: int) -> HttpResponse:
    return _act(
        request,
        incident_id,
        lambda actor: people.find_affected(incident_id, actor),
        _("The affected people were found and counted."),
    )


@require_POST
@staff_required(*EDITORS)
@domain_errors(back=_back)
def incident_draft(request: HttpRequest, incident_id: int) -> HttpResponse:
    form, stage = request.POST.get("form", ""), request.POST.get("stage", "")
    return _act(
        request,
        incident_id,
        lambda actor: services.make_draft(incident_id, form, stage, actor),
        _("A new version of the report is drafted."),
    )


@require_POST
@staff_required(*EDITORS)
@domain_errors(back=_back)
def draft_sent(request: HttpRequest, incident_id: int, draft_id: int) -> HttpResponse:
    incident = access.access_incident(request.user, incident_id, write=True)
    draft = incident.drafts.filter(pk=draft_id).first()
    if draft is None:
        messages.error(request, _("No such report version."))
        return redirect("console:incident", incident_id)
    return _act(
        request,
        incident_id,
        lambda actor: services.mark_sent(draft.pk, request.POST.get("sent_to", ""), actor),
        _("Recorded as sent."),
    )


@staff_required(*EDITORS)
@domain_errors(back=_back)
def incident_notices(request: HttpRequest, incident_id: int) -> HttpResponse:
    """Sending notices cannot be undone: a confirmation page first, the POST with confirm=yes sends."""
    incident = access.access_incident(request.user, incident_id, write=True)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        return _act(
            request,
            incident_id,
            lambda actor: people.queue_notices(incident_id, actor),
            _("The notices are queued; they go out in batches."),
        )
    previews = {language: people.render_notice(incident, language) for language in ("en", "ja")}
    pending = incident.affected.filter(notice=AffectedPerson.Notice.PENDING).count()
    return render(
        request,
        "incidents/notices_confirm.html",
        {"incident": incident, "previews": previews, "pending": pending, "nav": "incidents"},
    )


@require_POST
@staff_required(*EDITORS)
@domain_errors(back=_back)
def person_bounced(request: HttpRequest, incident_id: int, person_id: int) -> HttpResponse:
    incident = access.access_incident(request.user, incident_id, write=True)
    person = incident.affected.filter(pk=person_id).first()
    if person is None:
        messages.error(request, _("No such person in this incident."))
        return redirect("console:incident", incident_id)
    return _act(
        request, incident_id, lambda actor: people.record_bounce(person.pk, actor), _("The bounce is recorded.")
    )


@require_POST
@staff_required(*EDITORS)
@domain_errors(back=_back)
def incident_public_notice(request: HttpRequest, incident_id: int) -> HttpResponse:
    return _act(
        request,
        incident_id,
        lambda actor: people.publish_public_notice(
            incident_id, request.POST.get("text_en", ""), request.POST.get("text_ja", ""), actor
        ),
        _("The public notice is recorded."),
    )
