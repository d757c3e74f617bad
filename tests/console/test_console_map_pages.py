"""Every console map page: who may see it, in both languages, with map text escaped."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from mamori.accounts.models import User
from mamori.audit.services import Actor
from mamori.catalog.models import MapVersion
from mamori.catalog.services import apply_map

pytestmark = pytest.mark.django_db

SECTIONS = ["organisation", "jurisdictions", "categories", "purposes", "recipients", "systems", "retention", "cookies"]


@pytest.fixture
def two_versions(map_dir: Path, edit_map) -> tuple[MapVersion, MapVersion]:
    first = apply_map([map_dir], Actor.cli("deploy"))

    def change(data: dict) -> None:
        data["purposes"].append(
            {
                "id": "newsletter",
                "name": {"en": "Newsletter", "ja": "ニュースレター"},
                "categories": ["contact.email"],
                "legal_basis": {"JP": "consent", "EU": "consent"},
            }
        )
        data["cookies"].pop()  # csrftoken
        data["cookies"][0]["duration"] = "1 day"

    edit_map("data.yaml", change)
    second = apply_map([map_dir], Actor.cli("deploy"), note="newsletter")
    return first, second


def page_urls() -> list[str]:
    urls = [reverse("console:dashboard"), reverse("console:map")]
    urls += [reverse("console:map_section", args=[s]) for s in SECTIONS]
    urls += [
        reverse("console:map_section", args=["purposes"]) + "?version=1",
        reverse("console:map_versions"),
        reverse("console:map_version", args=[1]),
        reverse("console:map_diff", args=[1, 2]),
    ]
    return urls


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, two_versions) -> None:
    login = reverse("console:login")
    for url in page_urls():
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(login), url


def test_staff_without_a_role_are_refused(client_as: Callable[[User], Client], outsider: User, two_versions) -> None:
    client = client_as(outsider)
    for url in page_urls():
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("role_fixture", ["officer", "agent", "marketing", "auditor", "admin_user"])
def test_every_staff_role_reads_the_map(
    request: pytest.FixtureRequest, client_as: Callable[[User], Client], role_fixture: str, two_versions
) -> None:
    client = client_as(request.getfixturevalue(role_fixture))
    for url in page_urls():
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"tinyshop" in response.content, url


@pytest.mark.parametrize("how", ["header", "cookie"])
def test_pages_render_in_japanese(client_as: Callable[[User], Client], officer: User, two_versions, how: str) -> None:
    client = client_as(officer)
    headers = {}
    if how == "header":
        headers["HTTP_ACCEPT_LANGUAGE"] = "ja"
    else:
        client.cookies["django_language"] = "ja"
    for url in page_urls():
        response = client.get(url, **headers)
        assert response.status_code == 200, url
        assert b'<html lang="ja">' in response.content, url
    page = client.get(reverse("console:map_section", args=["organisation"]), **headers).content.decode()
    assert "タイニーショップ株式会社" in page
    assert "個人情報窓口" in page
    english = client_as(officer).get(reverse("console:map_section", args=["organisation"])).content.decode()
    assert "Privacy desk" in english and "個人情報窓口" not in english


def test_map_pages_show_what_the_map_says(client_as: Callable[[User], Client], officer: User, two_versions) -> None:
    client = client_as(officer)

    def page(section: str, query: str = "") -> str:
        response = client.get(reverse("console:map_section", args=[section]) + query)
        assert response.status_code == 200
        return response.content.decode()

    organisation = page("organisation")
    assert "09:00\u201318:00" in organisation and "privacy@tinyshop.example" in organisation
    assert "Personal Information Protection Commission" in organisation
    jurisdictions = page("jurisdictions")
    assert "24 months" in jurisdictions and "5 business days" in jurisdictions
    assert "personal_information" in page("categories")
    purposes = page("purposes")
    assert "Legal basis (EU)" in purposes and "published_purpose" in purposes and "Newsletter" in purposes
    assert "Newsletter" not in page("purposes", "?version=1")
    recipients = page("recipients")
    assert "Mailer Inc." in recipients and "entrustment" in recipients
    systems = page("systems")
    assert "MAMORI_TINYSHOP_DB_URL" in systems and "delete_row" in systems and "(owner)" in systems
    assert "account_closed" in page("retention")
    cookies = page("cookies")
    assert "sessionid" in cookies and "1 day" in cookies and "csrftoken" not in cookies
    assert '<th scope="col">' in cookies and '<th scope="row">' in cookies


def test_versions_detail_and_diff(client_as: Callable[[User], Client], officer: User, two_versions) -> None:
    first, second = two_versions
    client = client_as(officer)

    versions = client.get(reverse("console:map_versions")).content.decode()
    assert second.short_hash in versions and first.short_hash in versions
    assert "newsletter" in versions
    assert reverse("console:map_diff", args=[1, 2]) in versions

    detail = client.get(reverse("console:map_version", args=[1])).content.decode()
    assert "organisation.yaml" in detail and "data.yaml" in detail
    assert first.content_hash in detail
    assert "csrftoken" in detail  # the source text of version 1

    diff = client.get(reverse("console:map_diff", args=[1, 2])).content.decode()
    assert 'class="diff-added"' in diff and "newsletter" in diff
    assert 'class="diff-removed"' in diff and "csrftoken" in diff
    assert 'class="diff-changed"' in diff and "session" in diff and "1 day" in diff


def test_missing_things_are_404(client_as: Callable[[User], Client], officer: User, two_versions) -> None:
    client = client_as(officer)
    assert client.get(reverse("console:map_version", args=[9])).status_code == 404
    assert client.get(reverse("console:map_diff", args=[1, 9])).status_code == 404
    assert client.get(reverse("console:map_section", args=["nonsense"])).status_code == 404
    assert client.get(reverse("console:map") + "?org=nobody").status_code == 404
    assert client.get(reverse("console:map") + "?version=x").status_code == 404


def test_several_organisations_are_chosen_between(
    client_as: Callable[[User], Client], officer: User, map_dir: Path, edit_map
) -> None:
    apply_map([map_dir], Actor.cli())
    edit_map("organisation.yaml", lambda d: d["organisation"].update(id="othershop"))
    apply_map([map_dir], Actor.cli())
    client = client_as(officer)

    chooser = client.get(reverse("console:map")).content.decode()
    assert "?org=othershop" in chooser and "?org=tinyshop" in chooser
    assert client.get(reverse("console:map_version", args=[1])).status_code == 404  # which one?
    page = client.get(reverse("console:map_section", args=["cookies"]) + "?org=othershop")
    assert page.status_code == 200 and b"othershop" in page.content
    dashboard = client.get(reverse("console:dashboard")).content.decode()
    assert "othershop" in dashboard and "tinyshop" in dashboard


def test_map_text_is_escaped(client_as: Callable[[User], Client], officer: User, map_dir: Path, edit_map) -> None:
    evil = "<script>alert(1)</script>"
    edit_map("organisation.yaml", lambda d: d["organisation"]["legal_name"].update(en=evil))
    edit_map("data.yaml", lambda d: d["purposes"][0]["name"].update(en=evil))
    apply_map([map_dir], Actor.cli())
    edit_map("data.yaml", lambda d: d["cookies"][0].update(purpose={"en": evil, "ja": evil}))
    apply_map([map_dir], Actor.cli())
    client = client_as(officer)

    urls = [*page_urls(), reverse("console:map_section", args=["cookies"])]
    for url in urls:
        body = client.get(url).content.decode()
        assert evil not in body, url
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt;"
        in client.get(reverse("console:map_section", args=["purposes"])).content.decode()
    )


def test_dashboard_shows_counts_and_links(client_as: Callable[[User], Client], officer: User, two_versions) -> None:
    page = client_as(officer).get(reverse("console:dashboard")).content.decode()
    assert "Version 2" in page
    assert reverse("console:map_diff", args=[1, 2]) in page
    assert "Purposes" in page and "Cookies" in page


def test_navigation_and_audit_status_follow_the_role(
    client_as: Callable[[User], Client], officer: User, marketing: User, two_versions
) -> None:
    officer_page = client_as(officer).get(reverse("console:dashboard")).content.decode()
    marketing_page = client_as(marketing).get(reverse("console:dashboard")).content.decode()
    for page in (officer_page, marketing_page):
        assert reverse("console:map") in page and reverse("console:map_versions") in page
        assert "officer" in page or "marketer" in page
        assert reverse("console:logout") in page and 'method="post"' in page
    assert "audit chain is intact" in officer_page
    assert "audit chain" not in marketing_page
    audit_link = f'href="{reverse("console:audit")}"'
    assert audit_link in officer_page
    assert audit_link not in marketing_page


def test_map_codes_read_as_words_in_the_viewers_language(client_as, officer, map_dir) -> None:  # type: ignore[no-untyped-def]
    """Legal bases and the like show as the notices name them, with the code kept as a tooltip."""
    from mamori.audit.services import Actor
    from mamori.catalog.services import apply_map

    apply_map([map_dir], Actor.cli("test"))
    client = client_as(officer)
    english = client.get("/console/map/purposes/").content.decode()
    japanese = client.get("/console/map/purposes/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert 'title="consent">Consent<' in english or 'title="contract">Performance of a contract<' in english
    assert "ご本人の同意" in japanese or "契約の履行" in japanese
