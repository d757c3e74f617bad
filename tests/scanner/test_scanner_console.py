"""Scan history in the console: officers, admins and auditors read; others are refused; only
officers and admins schedule. Stored results carry no cookie values."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from mamori.audit.models import AuditEntry
from mamori.audit.services import Actor
from mamori.scanner import services
from mamori.scanner.compare import compare
from mamori.scanner.models import Scan, ScanSite
from mamori.scanner.report import report_data
from tests.scanner.conftest import ONEMALL_MAP, cookie, request, scan_of, visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored(onemall: str) -> Scan:
    scan = scan_of(
        visit("none", [cookie("_ga", days=300)], [request("https://px.ads.example/p.gif", "pixel")]),
        visit("accept", [cookie("_ga", days=300), cookie("mystery", days=3)]),
    )
    return services.record_scan(onemall, report_data(scan, compare(ONEMALL_MAP, scan), onemall), Actor.cli("test"))


def test_a_stored_scan_counts_its_findings_and_keeps_no_values(stored: Scan) -> None:
    assert (stored.violations, stored.warnings, stored.pages, stored.map_version) == (2, 1, 1, 1)
    assert "value" not in str(stored.result)
    assert AuditEntry.objects.filter(action="scanner.scan_recorded", target_id=str(stored.pk)).exists()


@pytest.mark.parametrize("who", ["officer", "admin_user", "auditor"])
def test_readers_see_history_and_reports(who: str, stored: Scan, client_as: Any, request: Any) -> None:
    client = client_as(request.getfixturevalue(who))
    page = client.get(reverse("scanner_console:scans"))
    assert page.status_code == 200 and f"#{stored.pk}" in page.content.decode()
    report = client.get(reverse("scanner_console:report", args=[stored.pk]) + "?lang=ja")
    assert report.status_code == 200 and "クッキー・タグスキャン" in report.content.decode()
    as_json = client.get(reverse("scanner_console:report", args=[stored.pk]) + "?format=json").json()
    assert as_json["summary"] == {"violation": 2, "warning": 1, "info": 0}


@pytest.mark.parametrize("who", ["agent", "marketing", "outsider"])
def test_other_roles_are_refused_everywhere(who: str, stored: Scan, client_as: Any, request: Any) -> None:
    client = client_as(request.getfixturevalue(who))
    site = ScanSite.objects.create(organisation=stored.organisation, start_url="http://127.0.0.1:9/")
    assert client.get(reverse("scanner_console:scans")).status_code == 403
    assert client.get(reverse("scanner_console:report", args=[stored.pk])).status_code == 403
    assert client.post(reverse("scanner_console:add_site"), {}).status_code == 403
    assert client.post(reverse("scanner_console:scan_now", args=[site.pk])).status_code == 403


def test_auditors_read_but_do_not_schedule(auditor: Any, onemall: str, client_as: Any) -> None:
    client = client_as(auditor)
    data = {"organisation": onemall, "start_url": "http://127.0.0.1:9/", "max_pages": 3, "every_hours": 24}
    assert client.post(reverse("scanner_console:add_site"), data).status_code == 403
    assert not ScanSite.objects.exists()


def test_officer_schedules_a_site_and_bad_input_changes_nothing(officer: Any, onemall: str, client_as: Any) -> None:
    client = client_as(officer)
    bad = client.post(
        reverse("scanner_console:add_site"),
        {"organisation": onemall, "start_url": "ftp://x/", "max_pages": 3, "every_hours": 24},
    )
    assert bad.status_code == 400 and not ScanSite.objects.exists()
    form = {"organisation": onemall, "start_url": "http://127.0.0.1:9/", "max_pages": 3, "every_hours": 24}
    good = client.post(reverse("scanner_console:add_site"), form)
    assert good.status_code == 302
    site = ScanSite.objects.get()
    assert services.due_sites() == [site]
    again = client.post(reverse("scanner_console:add_site"), form)
    assert again.status_code == 400 and "already scheduled" in again.content.decode()


def test_the_scan_job_is_idempotent(stored: Scan) -> None:
    site = ScanSite.objects.create(organisation=stored.organisation, start_url="http://127.0.0.1:9/")
    Scan.objects.filter(pk=stored.pk).update(site=site)
    # A scan newer than the one the job was queued after exists: nothing to do, no browser started.
    assert services.scan_site.call(site.pk, stored.pk - 1) is None
    assert Scan.objects.count() == 1
