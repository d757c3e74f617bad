"""Scans and scheduled sites: the only writers of the scanner domain.

Each public function runs in one transaction and writes the audit log; the browser itself runs
outside any transaction (`run_site_scan`), and only storing its result is one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mamori.audit.services import Actor, record
from mamori.catalog.mapfile import PrivacyMap
from mamori.catalog.models import MapVersion
from mamori.scanner.errors import ScannerError
from mamori.scanner.models import Scan, ScanSite

MAX_PAGES = 200
MIN_EVERY_HOURS = 1


def _map_version(organisation: str) -> MapVersion:
    version = MapVersion.objects.current(organisation)
    if version is None:
        raise ScannerError(_("No privacy map is applied for %(organisation)s.") % {"organisation": organisation})
    return version


def _moment(iso: str) -> datetime:
    return datetime.fromisoformat(iso).astimezone(UTC)


def record_scan(organisation: str, data: dict[str, Any], actor: Actor, *, site: ScanSite | None = None) -> Scan:
    """Store a finished scan (report.report_data) in the history."""
    version = _map_version(organisation)
    counts = data["summary"]
    with transaction.atomic():
        scan = Scan.objects.create(
            organisation=organisation, site=site, map_version=version.number,
            started_at=_moment(data["started_at"]), finished_at=_moment(data["finished_at"]),
            pages=len(data["pages"]), violations=counts["violation"], warnings=counts["warning"],
            notes=counts["info"], result={k: v for k, v in data.items() if k != "screenshots"},
            screenshots=data.get("screenshots", {}), started_by=actor.label,
        )  # fmt: skip
        record(
            actor, "scanner.scan_recorded", target_type="scan", target_id=str(scan.pk),
            details={"organisation": organisation, "pages": scan.pages, "violations": scan.violations,
                     "warnings": scan.warnings, "map_version": version.number},
        )  # fmt: skip
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
            actor, "scanner.site_added", target_type="scan_site", target_id=str(site.pk),
            details={"organisation": organisation, "start_url": site.start_url, "every_hours": every_hours},
        )  # fmt: skip
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
    from mamori.scanner.browser import ScanError, ScanOptions, scan_site
    from mamori.scanner.cli import regions_for
    from mamori.scanner.compare import compare
    from mamori.scanner.report import report_data

    site = ScanSite.objects.filter(pk=site_id).first()
    if site is None:
        raise ScannerError(_("No such site."))
    privacy_map = PrivacyMap.from_document(_map_version(site.organisation).document)
    settings = {"max_pages": site.max_pages, "regions": regions_for(privacy_map.jurisdiction_codes), **options}
    try:
        scan = scan_site(ScanOptions(urls=[site.start_url], **settings))
    except ScanError as exc:
        raise ScannerError(str(exc)) from exc
    data = report_data(scan, compare(privacy_map, scan), site.organisation)
    return record_scan(site.organisation, data, actor, site=site)


def request_scan(site_id: int, actor: Actor) -> ScanSite:
    """Queue a scan of a scheduled site now (after this transaction commits)."""
    from mamori.scanner.jobs import scan_site

    with transaction.atomic():
        site = ScanSite.objects.filter(pk=site_id).first()
        if site is None:
            raise ScannerError(_("No such site."))
        last = Scan.objects.filter(site=site).order_by("-id").values_list("id", flat=True).first() or 0
        record(actor, "scanner.scan_requested", target_type="scan_site", target_id=str(site.pk),
               details={"organisation": site.organisation})
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
        request["host"] for visit in scan.result.get("visits", []) if visit.get("state") == "accept"
        for request in visit.get("requests", [])
    }  # fmt: skip
    return {"destinations": tuple(sorted(hosts)), "destinations_seen_on": scan.finished_at.date().isoformat()}
