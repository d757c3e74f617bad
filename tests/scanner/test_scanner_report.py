"""The HTML and JSON reports: both languages, evidence, suggestions, failed pages, and nothing a
scanned page controls reaches the report unescaped."""

from __future__ import annotations

from mamori.scanner.compare import compare
from mamori.scanner.report import report_data, to_html, to_json
from tests.scanner.conftest import FAULTY_MAP, cookie, scan_of, visit


def data() -> dict:
    hostile = cookie("<script>alert(1)</script>", days=2)
    scan = scan_of(
        visit("none", [cookie("shop_session"), cookie("fa_analytics", days=0.5)]),
        visit("accept", [cookie("shop_session"), cookie("fa_analytics", days=0.5), cookie("fa_pref", days=3), hostile]),
        {**visit("reject"), "error": "TimeoutError: page.goto: Timeout 30000ms exceeded"},
        {**visit("accept"), "page": "https://www.example.jp/b", "error": "banner_not_found"},
    )
    scan["screenshots"] = {"none": "AAAA"}
    return report_data(scan, compare(FAULTY_MAP, scan), "faultyshop")


def test_the_html_report_in_both_languages() -> None:
    english, japanese = to_html(data(), "en"), to_html(data(), "ja")
    assert "1 violations, 1 warnings, 0 notes" in english
    assert "Cookie &#x27;fa_analytics&#x27; is set before consent" in english
    assert "違反1件、警告1件、注記0件" in japanese and "クッキー「fa_analytics」が同意前" in japanese
    assert "Suggested map entry" in english and "マップへの追記案" in japanese
    assert "Pages that could not be scanned" in english and "Timeout 30000ms" in english
    assert "banner did not appear" in english and "バナーが表示されなかった" in japanese
    assert "data:image/jpeg;base64,AAAA" in english


def test_nothing_from_the_page_is_unescaped() -> None:
    page = to_html(data(), "en")
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_json_leaves_out_the_screenshots() -> None:
    out = to_json(data())
    assert "screenshots" not in out and out["summary"] == {"violation": 1, "warning": 1, "info": 0}
    assert [f["kind"] for f in out["findings"]] == ["cookie_before_consent", "undeclared_cookie"]
