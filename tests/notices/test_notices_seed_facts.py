# ruff: noqa: RUF001  (Japanese and typographic characters in expected notice text)
"""Every fact a seed states appears in the notices generated from its example map.

Each list is taken from the seed text (seeds/00x_*.txt): cookie rows, contacts, hours, deadlines,
DNT/GPC stance, recipients. The notices are rendered exactly as `mamori notices render` does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mamori.catalog.mapfile import load_map
from mamori.notices.builders import Options, available_kinds, build_notice
from mamori.notices.document import to_html, to_markdown

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def rendered(example: str, kind: str, language: str = "en") -> str:
    result = load_map([EXAMPLES / example])
    assert result.ok and result.map is not None
    return to_markdown(build_notice(result.map, kind, Options(language=language)))


def cookie_row(text: str, *cells: str) -> bool:
    """A Markdown table row holding all these cells, in this order."""
    for line in text.splitlines():
        if line.startswith("| ") and all(f"| {cell} |" in line or f" {cell} |" in line for cell in cells):
            positions = [line.index(cell) for cell in cells]
            if positions == sorted(positions):
                return True
    return False


# ---------------------------------------------------------------- i-PRO (seeds 000, 001)


def test_ipro_cookie_policy_row() -> (
    None
):  # 000: "PHPSESSID_SECURE | Preserves users states ... | i-PRO | End of browser session"
    cookies = rendered("i-pro", "cookies")
    assert cookie_row(
        cookies,
        "PHPSESSID_SECURE",
        "Preserves users states across page requests",
        "i-PRO",
        "Essential cookies",
        "First party",
        "End of browser session",
    )
    assert "| Name | Purpose | Placed by | Category | First or third party | Duration |" in cookies
    ja = rendered("i-pro", "cookies", "ja")
    assert "PHPSESSID_SECURE" in ja and "ブラウザのセッション終了まで" in ja


@pytest.mark.parametrize(
    "fact",
    [
        "i-PRO Co., Ltd.",
        "2-15-1 Konan, Minato-ku, Tokyo",
        "Laarderhoogtweg 25, 1101 EB, Amsterdam",  # EU representative
        "1010 Cambourne Business Park",  # UK representative
        "ico.org.uk",  # UK supervisory authority
        "edpb.europa.eu",
        "i-PRO Affiliates",
        "Email service providers (cloud services)",
        "Analytics service providers",
        "Customer support service providers",
        "Law enforcement and other government agencies",
        "Other parties in connection with corporate transactions",
        "We do not allow third parties to use your personal information for their own marketing.",  # IP3
        "Global Privacy Control (GPC)",
        "Last modified: February 19, 2024",
        "First published: April 1, 2021",
        "within 10 business days",
        "within 45 days",
        "90 days in total",
        "for 24 months",
    ],
)
def test_ipro_privacy_policy_facts(fact: str) -> None:
    assert fact in rendered("i-pro", "privacy")


@pytest.mark.parametrize(
    "fact",
    [
        "We confirm receipt within 10 business days.",  # CP4
        "We confirm receipt the same way the request reached us.",
        "We respond within 45 days of receipt.",  # CP5
        "within 90 days of receipt in total",
        "If we cannot verify your identity within 45 days",  # CP6
        "We keep records of requests for 24 months.",  # CP7
        "We do not sell personal information.",  # CP9
        "We do not share personal information for cross-context behavioural advertising.",
        "under 16 years of age",
        "written permission",  # CP8: authorized agents
        "identity verification document",
        "name and e-mail address",  # CP3: verification
        "discriminate",  # non-discrimination
        "Categories collected in the preceding 12 months",
        "Identifiers",
        "Commercial information",
        "Internet or other electronic network activity",
    ],
)
def test_ipro_cpra_facts(fact: str) -> None:
    assert fact in rendered("i-pro", "cpra")


# ---------------------------------------------------------------- INPRO (seed 002)


@pytest.mark.parametrize(
    "fact",
    [
        "INPRO Co., Ltd.",
        "(+81) 50-5375-8684",  # "Phone: (+81) 50-5375-8684 (from 9 a.m. to 6 p.m. on weekdays)"
        "09:00–18:00",
        "Requests that reach us outside these hours are treated as received on the next business day.",
        "Japanese national holidays and December 29 – January 3 are closed",
        "Joint use",
        "Information Park",  # joint users
        "Provision to third parties by opt-out",
        "Name, e-mail address, postal code, gender, occupation, age",  # opt-out items
        "History and characteristic information",  # personal information kept apart (NP1)
        "within 14 days",
        "Personal Information Protection Commission",
    ],
)
def test_inpro_privacy_policy_facts(fact: str) -> None:
    assert fact in rendered("inpro", "privacy")


def test_inpro_appi_matters_hold_contact_hours_joint_use_and_opt_out() -> None:
    appi = rendered("inpro", "appi")
    for fact in (
        "(+81) 50-5375-8684",
        "09:00–18:00",
        "Joint use",
        "Items provided:",
        "How to stop it:",
        "Security control measures",
    ):
        assert fact in appi
    ja = rendered("inpro", "appi", "ja")
    for fact in (
        "埼玉県熊谷市銀座4-5-20",
        "共同利用",
        "オプトアウトによる第三者提供",
        "翌営業日",
        "個人情報保護委員会",
    ):
        assert fact in ja


# ---------------------------------------------------------------- onemall / INAGORA (seed 003)


@pytest.mark.parametrize(
    "fact",
    [
        "INAGORA Co., Ltd.",
        "1-1-7 Sakuragicho, Naka-ku, Yokohama, Kanagawa, Japan",
        "Representative: CEO WENG YONGBIAO",
        "Personal Data Inquiries Department",
        'does not respond to "Do Not Track" (DNT) signals',  # OM9
        "not intended for anyone under 18",  # OM11
        "ISO27001",
        "Stripe",
        "PayPal",
        "Alibaba Cloud",
        "notify you promptly and provide a summary of the actions taken",  # OM8
        "at least 30 days before they take effect",  # OM12
        "e-mail and a notice on our website",
        "Personal Information Protection Commission (PPC)",
        "Saved Personal Data Disclosure Request Form",  # OM7
        "Last modified: December 1, 2022",
    ],
)
def test_onemall_privacy_policy_facts(fact: str) -> None:
    assert fact in rendered("onemall", "privacy")


def test_onemall_cookie_rows() -> None:
    cookies = rendered("onemall", "cookies")
    assert cookie_row(
        cookies, "_ga", "Google Analytics: distinguishes users", "Google", "Analytics cookies", "First party", "2 years"
    )
    assert cookie_row(cookies, "IDE", "Google", "Remarketing cookies", "Third party", "13 months")
    assert cookie_row(
        cookies, "onemall_session", "onemall", "Session and security cookies", "First party", "End of browser session"
    )
    assert cookie_row(cookies, "fr", "Facebook", "Remarketing cookies", "Third party", "90 days")


def test_onemall_collection_notices() -> None:  # OM13
    inquiry = rendered("onemall", "collection")
    assert "Membership registration" in inquiry and "Inquiries" in inquiry
    assert "without it, we may be unable to respond to the inquiry" in inquiry
    assert "deleted after the inquiry is resolved" in inquiry


# ---------------------------------------------------------------- PicoCELA (seed 004)


@pytest.mark.parametrize(
    "fact",
    [
        "PicoCELA",
        "03-6661-2780",
        "SSL",
        "Third-party ad distributors (Google)",
        "Contractors (under a confidentiality agreement)",
    ],
)
def test_picocela_privacy_policy_facts(fact: str) -> None:
    assert fact in rendered("picocela", "privacy")


def test_picocela_appi_matters() -> None:
    appi = rendered("picocela", "appi", "ja")
    assert "03-6661-2780" in appi and "個人情報に関するお問い合わせ窓口" in appi


# ---------------------------------------------------------------- every text of every map is published


@pytest.mark.parametrize("example", ["i-pro", "inpro", "onemall", "picocela"])
@pytest.mark.parametrize("language", ["en", "ja"])
def test_every_notice_text_of_the_map_is_published(example: str, language: str) -> None:
    result = load_map([EXAMPLES / example])
    assert result.map is not None
    everything = "".join(
        to_markdown(build_notice(result.map, kind, Options(language=language))) for kind in available_kinds(result.map)
    )
    for key, text in result.map.notices.texts.items():
        assert text.get(language).strip() in everything, key
    for cookie in result.map.cookies:
        assert cookie.name in everything and cookie.purpose.get(language) in everything
    for recipient in result.map.recipients:
        assert recipient.name.get(language).replace("|", "\\|") in everything


@pytest.mark.parametrize("example", ["i-pro", "inpro", "onemall", "picocela"])
def test_html_is_accessible(example: str) -> None:
    result = load_map([EXAMPLES / example])
    assert result.map is not None
    html = to_html(build_notice(result.map, "privacy", Options(language="ja")))
    assert html.startswith('<article class="notice notice-privacy" lang="ja">')
    assert "<h1>" in html and "<h2" in html
    assert '<th scope="col">' in html and '<th scope="row">' in html
