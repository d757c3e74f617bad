"""Who may read scans in the console: those who answer for the site's promises."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from mamori.accounts.models import Role
from mamori.scanner.models import Scan

SCAN_READERS: tuple[str, ...] = (Role.PRIVACY_OFFICER, Role.ADMIN, Role.AUDITOR)
# Scheduling a site, or scanning now, starts a browser against it: not for read-only auditors.
SCAN_MANAGERS: tuple[str, ...] = (Role.PRIVACY_OFFICER, Role.ADMIN)


def access_scan(user: Any, scan_id: int) -> Scan:
    """The scan for a reader (the view's staff_required has checked the role); 404 otherwise."""
    if getattr(user, "role", "") not in SCAN_READERS:
        raise Http404("no such scan")
    try:
        return Scan.objects.get(pk=scan_id)
    except Scan.DoesNotExist:
        raise Http404("no such scan") from None
