"""Background jobs of the scanner: ids in, idempotent, safe to run again."""

from __future__ import annotations

import logging

from django_tasks import task

from mamori.audit.services import Actor
from mamori.scanner.errors import ScannerError
from mamori.scanner.models import Scan
from mamori.scanner.services import due_sites, run_site_scan

logger = logging.getLogger(__name__)


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
