"""Japan's external-transmission notice (Telecommunications Business Act Art. 27-12) on the
privacy center, from the map and the latest scan, in English and Japanese, released like the others."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from mamori.audit.services import Actor
from mamori.catalog.models import MapVersion
from mamori.notices.services import publish_notices
from mamori.scanner import services
from mamori.scanner.compare import compare
from mamori.scanner.report import report_data
from tests.scanner.conftest import ONEMALL_MAP, cookie, request, scan_of, visit

pytestmark = pytest.mark.django_db


def test_the_notice_renders_for_onemall_in_both_languages(onemall: str) -> None:
    english = Client().get(f"/privacy/{onemall}/transmission/?lang=en").content.decode()
    assert "Information sent to third parties" in english and "Article 27-12" in english
    assert "Google" in english and "_ga, _gid, _gcl_au, IDE" in english and "Facebook" in english
    japanese = Client().get(f"/privacy/{onemall}/transmission/?lang=ja").content.decode()
    assert "外部送信に関する公表事項" in japanese and "電気通信事業法第27条の12" in japanese
    assert "クッキーバナーで同意した場合にのみ送信されます" in japanese


def test_hosts_the_scan_saw_are_named_and_unexplained_ones_listed(onemall: str) -> None:
    scan = scan_of(
        visit(
            "accept",
            [cookie("_ga", days=300)],
            [
                request("https://stats.g.doubleclick.net/g/collect", "pixel"),
                request("https://cdn.unknown-tag.example/t.js"),
            ],
        )
    )
    services.record_scan(onemall, report_data(scan, compare(ONEMALL_MAP, scan), onemall), Actor.cli("test"))
    page = Client().get(f"/privacy/{onemall}/transmission/?lang=en").content.decode()
    assert "stats.g.doubleclick.net" in page  # under Google, by IDE's domain .doubleclick.net
    assert "Other destinations seen on our site" in page and "cdn.unknown-tag.example" in page


def test_a_release_keeps_the_notice_as_published(onemall: str) -> None:
    version = MapVersion.objects.in_force(onemall)
    assert version is not None
    release = publish_notices(version, date(2030, 1, 1), Actor.cli("test"))
    assert "外部送信" in release.rendered["transmission"]["ja"]
    assert "external transmission" in release.rendered["transmission"]["en"]
