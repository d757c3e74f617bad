"""The access package's index.html as the person reads it: their data in tables labelled from the map
in their language, no raw table or column names as headings, empty tables left out, instants in their
time zone, retention said the way the privacy policy says it."""

from __future__ import annotations

import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from mamori.fulfilment.connectors.sql import SqlConnector
from mamori.fulfilment.package import PackageWriter
from mamori.fulfilment.package_summary import readable

from .conftest import onemall_map

HANAKO = {"email": "hanako.yamada@example.jp"}


def package_index(sqlite_shop: str, tmp_path: Path, language: str, time_zone: str | None = None) -> str:
    privacy_map = onemall_map()
    shop = SqlConnector(privacy_map.system("shop-db"), privacy_map, sqlite_shop)
    path = tmp_path / f"package-{language}.zip"
    with PackageWriter(path, privacy_map, language, time_zone=time_zone) as package:
        shop.export(shop.locate([HANAKO]), 0, package)
        package.write_table("shop-db", "empty_table", ["email"], [], {"email": "contact.email"})
    shop.close()
    with zipfile.ZipFile(path) as archive:
        return archive.read("index.html").decode("utf-8")


def headings(html: str) -> list[str]:
    return re.findall(r'<th scope="col">([^<]*)', html)


def test_the_data_itself_labelled_from_the_map_in_japanese(sqlite_shop: str, tmp_path: Path) -> None:
    html = package_index(sqlite_shop, tmp_path, "ja")
    assert '<html lang="ja">' in html
    assert "hanako.yamada@example.jp" in html  # the value itself, not only a count
    assert "メールアドレス" in headings(html)  # the category's name as the column heading
    assert "email" not in headings(html) and "customer_id" not in headings(html)
    assert "empty_table" not in html  # a table without rows is left out
    assert not re.search(r"(?<!\d)0日", html)
    assert "7年" in html  # orders: kept 7 years under the tax law, said so


def test_english_and_retention_lines(sqlite_shop: str, tmp_path: Path) -> None:
    html = package_index(sqlite_shop, tmp_path, "en")
    assert "Email address" in headings(html) or "E-mail address" in headings(html)
    assert not re.search(r"(?<!\d)0 days", html)
    assert re.search(r"Orders and payments \(tax records\): kept 7 years under Japanese tax law", html)
    assert re.search(r"Inquiries: deleted after the inquiry is resolved", html)


def test_instants_in_the_persons_zone() -> None:
    instant = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)
    assert readable(instant, ZoneInfo("Asia/Tokyo")) == "2026-11-30 08:30"
    assert readable("2026-11-29T23:30:00Z", ZoneInfo("Asia/Tokyo")) == "2026-11-30 08:30"
    assert readable(instant, ZoneInfo("America/Los_Angeles")) == "2026-11-29 15:30"
    assert readable(None, ZoneInfo("UTC")) == "—"
