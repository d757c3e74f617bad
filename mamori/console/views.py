"""Console pages behind sign-in: dashboard, privacy map browser, versions and diffs.

Views stay thin: they parse the request, fetch through the catalog's access helpers (which check
roles and answer 404) and render. Sign-in and second factor live in auth_views.py.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mamori.accounts.access import AUDIT_READERS, MAP_READERS, staff_required
from mamori.audit.verify import ChainStatus, verify_chain
from mamori.catalog import access
from mamori.catalog.diff import diff_documents
from mamori.catalog.models import MapVersion
from mamori.catalog.services import section_counts
from mamori.fulfilment.access import FULFILMENT_STAFF
from mamori.fulfilment.models import ManualTask
from mamori.retention.access import RETENTION_READERS, access_runs
from mamori.retention.models import DisposalStatus
from mamori.rights.access import REQUEST_READERS, access_requests
from mamori.rights.queue import workload

# The privacy map browser's tabs: URL slug -> title.
MAP_SECTIONS: dict[str, Any] = {
    "organisation": _("Organisation & contacts"),
    "jurisdictions": _("Jurisdictions & commitments"),
    "categories": _("Data categories"),
    "purposes": _("Purposes"),
    "recipients": _("Recipients"),
    "systems": _("Systems"),
    "retention": _("Retention"),
    "cookies": _("Cookies"),
}


def _audit_chain_status(user: Any) -> ChainStatus | None:
    """The chain check reads the whole log, so it runs only for those who may read the log."""
    return verify_chain() if user.has_role(*AUDIT_READERS) else None


def _int_param(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name, "")
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404("bad number")
    return int(raw)


@staff_required()
def dashboard(request: HttpRequest) -> HttpResponse:
    """The day's work first (each number links to the list it counts), then the maps in force."""
    user: Any = request.user  # behind staff_required: a signed-in staff member
    rows = [
        {"version": version, "counts": section_counts(version.document)}
        for version in access.access_current_versions(user)
    ]
    return render(
        request,
        "console/dashboard.html",
        {
            "rows": rows,
            "workload": workload(access_requests(user), timezone.now()) if user.has_role(*REQUEST_READERS) else None,
            "manual_tasks": (
                ManualTask.objects.filter(status=ManualTask.Status.OPEN).count()
                if user.has_role(*FULFILMENT_STAFF)
                else None
            ),
            "retention_waiting": (
                access_runs(user).filter(status=DisposalStatus.AWAITING_APPROVAL).count()
                if user.has_role(*RETENTION_READERS)
                else None
            ),
            "audit_status": _audit_chain_status(user),
            "nav": "dashboard",
            "incident_rows": _incident_rows(user),
        },
    )


def _incident_rows(user: Any) -> list[dict[str, Any]] | None:
    """Open incidents and their nearest deadline, for those who may see incidents."""
    from mamori.incidents.access import INCIDENT_READERS
    from mamori.incidents.views import nearest_deadlines

    return nearest_deadlines(user) if user.has_role(*INCIDENT_READERS) else None


@staff_required(*MAP_READERS)
def map_section(request: HttpRequest, section: str = "organisation") -> HttpResponse:
    if section not in MAP_SECTIONS:
        raise Http404("no such section")
    organisation = access.resolve_organisation(request.user, request.GET.get("org"))
    if organisation is None:
        return render(
            request,
            "console/map/choose.html",
            {"versions": access.access_current_versions(request.user), "section": section, "nav": "map"},
        )
    number = _int_param(request, "version")
    current = access.access_current_version(request.user, organisation)
    version = access.access_version(request.user, organisation, number) if number else current
    return render(
        request,
        f"console/map/{section}.html",
        {
            "version": version,
            "current": current,
            "doc": version.document,
            "section": section,
            "sections": MAP_SECTIONS,
            "section_title": MAP_SECTIONS[section],
            "nav": "map",
        },
    )


@staff_required(*MAP_READERS)
def version_list(request: HttpRequest) -> HttpResponse:
    organisation = request.GET.get("org") or None
    if organisation:
        access.resolve_organisation(request.user, organisation)
    versions = access.access_versions(request.user, organisation)
    return render(
        request, "console/map/versions.html", {"versions": versions, "organisation": organisation, "nav": "versions"}
    )


def _organisation_or_404(request: HttpRequest) -> str:
    organisation = access.resolve_organisation(request.user, request.GET.get("org"))
    if organisation is None:
        raise Http404("choose an organisation")
    return organisation


@staff_required(*MAP_READERS)
def version_detail(request: HttpRequest, number: int) -> HttpResponse:
    organisation = _organisation_or_404(request)
    version = access.access_version(request.user, organisation, number)
    previous: MapVersion | None = version.previous()
    return render(
        request,
        "console/map/version_detail.html",
        {
            "version": version,
            "previous": previous,
            "sources": sorted(version.source_files.items()),
            "counts": section_counts(version.document),
            "nav": "versions",
        },
    )


@staff_required(*MAP_READERS)
def version_diff(request: HttpRequest, a: int, b: int) -> HttpResponse:
    organisation = _organisation_or_404(request)
    old = access.access_version(request.user, organisation, a)
    new = access.access_version(request.user, organisation, b)
    return render(
        request,
        "console/map/diff.html",
        {
            "old": old,
            "new": new,
            "diff": diff_documents(old.document, new.document),
            "organisation": organisation,
            "nav": "versions",
        },
    )
