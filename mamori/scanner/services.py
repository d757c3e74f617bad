"""Scans and scheduled sites: the only writers of the scanner domain, and its jobs.

Each public function runs in one transaction and writes the audit log; the browser itself runs
outside any transaction (`run_site_scan`), and only storing its result is one. The jobs
(`scan_site`, `scan_due_sites`) take ids, are queued after commit and are idempotent.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from mamori.audit.services import Actor, record
from mamori.catalog.in_force import map_in_force
from mamori.catalog.mapfile import PrivacyMap
from mamori.catalog.models import MapVersion
from mamori.scanner.browser import ScanError, ScanOptions, regions_for
from mamori.scanner.browser import scan_site as run_browser
from mamori.scanner.compare import compare
from mamori.scanner.errors import ScannerError
from mamori.scanner.models import Scan, ScanSite
from mamori.scanner.report import report_data

logger = logging.getLogger(__name__)

MAX_PAGES = 200
MIN_EVERY_HOURS = 1


def _map_in_force(organisation: str) -> tuple[MapVersion, PrivacyMap]:
    try:
        return map_in_force(organisation, missing=ScannerError)
    except ScannerError:
        message = _("No privacy map is applied for %(organisation)s.") % {"organisation": organisation}
        raise ScannerError(message) from None


def _map_version(organisation: str) -> MapVersion:
    return _map_in_force(organisation)[0]


def _moment(iso: str) -> datetime:
    return datetime.fromisoformat(iso).astimezone(UTC)


def record_scan(organisation: str, data: dict[str, Any], actor: Actor, *, site: ScanSite | None = None) -> Scan:
    """Store a finished scan (report.report_data) in the history."""
    version = _map_version(organisation)
    counts = data["summary"]
    with transaction.atomic():
        scan = Scan.objects.create(
            organisation=organisation,
            site=site,
            map_version=version.number,
            started_at=_moment(data["started_at"]),
            finished_at=_moment(data["finished_at"]),
            pages=len(data["pages"]),
            violations=counts["violation"],
            warnings=counts["warning"],
            notes=counts["info"],
            result={k: v for k, v in data.items() if k != "screenshots"},
            screenshots=data.get("screenshots", {}),
            started_by=actor.label,
        )
        record(
            actor,
            "scanner.scan_recorded",
            target_type="scan",
            target_id=str(scan.pk),
            details={
                "organisation": organisation,
                "pages": scan.pages,
                "violations": scan.violations,
                "warnings": scan.warnings,
                "map_version": version.number,
            },
        )
    return scan


def add_site(organisation: str, start_url: str, max_pages: int, every_hours: int, actor: Actor) -> ScanSite:
    """Schedule scans of a site of an organisation with an applied map."""
    parts = urlsplit(start_url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ScannerError(_("The start page must be an http or https address."))
    if not 1 <= max_pages <= MAX_PAGES:
        raise ScannerError(_("Pages per scan must be between 1 and %(most)d.") % {"most": MAX_PAGES})
    if every_hours < MIN_EVERY_HOURS:
        raise ScannerError(_("Scans can run at most once an hour."))
    _map_version(organisation)
    with transaction.atomic():
        if ScanSite.objects.filter(organisation=organisation, start_url=start_url.strip()).exists():
            raise ScannerError(_("This site is already scheduled."))
        site = ScanSite.objects.create(
            organisation=organisation, start_url=start_url.strip(), max_pages=max_pages, every_hours=every_hours
        )
        record(
            actor,
            "scanner.site_added",
            target_type="scan_site",
            target_id=str(site.pk),
            details={"organisation": organisation, "start_url": site.start_url, "every_hours": every_hours},
        )
    return site


def due_sites(now: datetime | None = None) -> list[ScanSite]:
    """Enabled sites whose last scan is older than their interval (or that were never scanned)."""
    now = now or timezone.now()
    due = []
    for site in ScanSite.objects.filter(enabled=True):
        last = site.scans.order_by("-finished_at").values_list("finished_at", flat=True).first()
        if last is None or now - last >= timedelta(hours=site.every_hours):
            due.append(site)
    return due


def run_site_scan(site_id: int, actor: Actor, **options: Any) -> Scan:
    """Scan a scheduled site now and store the result (the browser runs outside any transaction)."""
    site = ScanSite.objects.filter(pk=site_id).first()
    if site is None:
        raise ScannerError(_("No such site."))
    _version, privacy_map = _map_in_force(site.organisation)
    settings = {"max_pages": site.max_pages, "regions": regions_for(privacy_map.jurisdiction_codes), **options}
    try:
        scan = run_browser(ScanOptions(urls=[site.start_url], **settings))
    except ScanError as exc:
        raise ScannerError(str(exc)) from exc
    data = report_data(scan, compare(privacy_map, scan), site.organisation)
    return record_scan(site.organisation, data, actor, site=site)


def request_scan(site_id: int, actor: Actor) -> ScanSite:
    """Queue a scan of a scheduled site now (after this transaction commits)."""
    with transaction.atomic():
        site = ScanSite.objects.filter(pk=site_id).first()
        if site is None:
            raise ScannerError(_("No such site."))
        last = Scan.objects.filter(site=site).order_by("-id").values_list("id", flat=True).first() or 0
        record(
            actor,
            "scanner.scan_requested",
            target_type="scan_site",
            target_id=str(site.pk),
            details={"organisation": site.organisation},
        )
        transaction.on_commit(lambda: scan_site.enqueue(site.pk, last))
    return site


def latest_scan(organisation: str) -> Scan | None:
    return Scan.objects.filter(organisation=organisation).order_by("-finished_at", "-id").first()


def observed_destinations(organisation: str) -> dict[str, object]:
    """Third-party hosts the latest scan saw after "Accept all", and the scan's date (UTC)."""
    scan = latest_scan(organisation)
    if scan is None:
        return {"destinations": (), "destinations_seen_on": None}
    hosts = {
        request["host"]
        for visit in scan.result.get("visits", [])
        if visit.get("state") == "accept"
        for request in visit.get("requests", [])
    }
    return {"destinations": tuple(sorted(hosts)), "destinations_seen_on": scan.finished_at.date().isoformat()}


# ---------------------------------------------------------------- jobs


@task()
def scan_site(site_id: int, after_scan_id: int = 0) -> int | None:
    """Scan one site unless a scan newer than `after_scan_id` already exists (a retry, a second
    worker): returns the new scan's id, or None when there was nothing to do."""
    if Scan.objects.filter(site_id=site_id, pk__gt=after_scan_id).exists():
        return None
    try:
        return run_site_scan(site_id, Actor.system("scanner")).pk
    except ScannerError as exc:
        logger.warning("scan of site %s not run: %s", site_id, exc.message)
        return None


@task()
def scan_due_sites() -> int:
    """Queue a scan of every scheduled site that is due (called by the scheduler)."""
    queued = 0
    for site in due_sites():
        last = Scan.objects.filter(site=site).order_by("-id").values_list("id", flat=True).first() or 0
        scan_site.enqueue(site.pk, last)
        queued += 1
    return queued
