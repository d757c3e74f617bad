"""Privacy-center notice pages, the changelog, the embeddable endpoints, the console and the CLI."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client

from mamori.accounts.models import User
from mamori.audit.services import Actor
from mamori.catalog.services import apply_map
from mamori.notices.cli import main as render_main
from mamori.notices.models import NoticeRelease
from mamori.notices.services import publish_notices

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.django_db
@pytest.mark.parametrize("example", ["i-pro", "inpro", "onemall", "picocela"])
def test_center_pages_render_every_notice_in_both_languages(client: Client, example: str) -> None:
    version = apply_map([EXAMPLES / example], Actor.cli("t"))
    org = version.organisation
    # Before anything is published the center shows the current map's notices, marked as such.
    assert "not been published yet" in client.get(f"/privacy/{org}/policy/").content.decode()
    publish_notices(version, None, Actor.cli("t"))
    for page in ("policy", "cookies", "cpra", "appi"):
        for language in ("en", "ja"):
            response = client.get(f"/privacy/{org}/{page}/?lang={language}")
            if page == "cpra" and example != "i-pro":
                assert response.status_code == 404
                continue
            assert response.status_code == 200, (page, language)
            html = response.content.decode()
            assert f'lang="{language}"' in html
            if page in ("policy", "cookies"):
                assert '<th scope="col">' in html
    point = version.document["collection_points"][0]["id"]
    assert client.get(f"/privacy/{org}/collection/{point}/").status_code == 200
    assert client.get(f"/privacy/{org}/collection/no-such-point/").status_code == 404
    embed = client.get(f"/privacy/{org}/policy/?embed=1&lang=ja")
    assert embed.content.decode().startswith('<article class="notice notice-privacy" lang="ja">')
    assert client.get(f"/privacy/{org}/policy/?version=9").status_code == 404
    assert client.get(f"/privacy/{org}/policy/?version=x").status_code == 404


@pytest.mark.django_db
def test_changelog_lists_releases_and_shows_a_readable_diff(client: Client, map_copy: Callable[[str], Path]) -> None:
    folder = map_copy("picocela")
    actor = Actor.cli("t")
    publish_notices(apply_map([folder], actor), None, actor)
    retention = folder / "retention.yaml"
    text = retention.read_text()
    assert 'period: "' in text
    (folder / "more.yaml").write_text(
        "purposes:\n  - id: profiling\n    name: {en: Customer profiling, ja: 顧客分析}\n"
        "    categories: []\n    legal_basis: {JP: published_purpose}\n"
    )
    publish_notices(apply_map([folder], actor), None, actor)
    page = client.get("/privacy/picocela/changes/").content.decode()
    assert "Material" in page and "a new purpose of use" in page and "First publication" in page
    diff = client.get("/privacy/picocela/changes/?version=2").content.decode()
    assert "diff-added" in diff and "+| Customer profiling" in diff.replace("&#x27;", "'")
    diff_ja = client.get("/privacy/picocela/changes/?version=2&lang=ja").content.decode()
    assert "顧客分析" in diff_ja and "新たな利用目的" in diff_ja
    assert client.get("/privacy/picocela/changes/?version=7").status_code == 404
    old = client.get("/privacy/picocela/policy/?version=1").content.decode()
    assert "Customer profiling" not in old


@pytest.mark.django_db
def test_site_notice_json_for_unknown_organisation_is_404(client: Client) -> None:
    assert client.get("/privacy/nobody/notices/site-notice.json").status_code == 404


# ---------------------------------------------------------------- console


@pytest.mark.django_db
def test_console_shows_pending_classification_and_officer_publishes(
    client_as: Callable[[User], Client], officer: User, map_copy: Callable[[str], Path]
) -> None:
    folder = map_copy("onemall")
    version = apply_map([folder], Actor.cli("t"))
    client = client_as(officer)
    assert "onemall" in client.get("/console/notices/").content.decode()
    detail = client.get("/console/notices/onemall/").content.decode()
    assert "First publication" in detail and "Publish notices" in detail
    response = client.post("/console/notices/onemall/publish/", {"map_version": version.number, "effective_from": ""})
    assert response.status_code == 302
    release = NoticeRelease.objects.get()
    assert release.published_by_label == "officer" and release.number == 1
    (folder / "cookies.yaml").write_text(
        (folder / "cookies.yaml").read_text().replace('duration: "2 years"', 'duration: "3 years"')
    )
    apply_map([folder], Actor.cli("t"))
    detail = client.get("/console/notices/onemall/").content.decode()
    assert "Material change" in detail and "a cookie lasts longer" in detail and "_ga" in detail


@pytest.mark.django_db
def test_console_publish_bad_input_changes_nothing(client_as: Callable[[User], Client], admin_user: User) -> None:
    version = apply_map([EXAMPLES / "picocela"], Actor.cli("t"))
    client = client_as(admin_user)
    for data in (
        {"map_version": version.number, "effective_from": "tomorrow"},
        {"map_version": version.number, "effective_from": "2000-01-01"},
    ):
        response = client.post("/console/notices/picocela/publish/", data, follow=True)
        assert response.status_code == 200
        assert 'class="error"' in response.content.decode()
    assert client.post("/console/notices/picocela/publish/", {"map_version": 99}).status_code == 404
    assert NoticeRelease.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["agent", "marketing", "auditor", "outsider"])
def test_console_publish_refused_for_other_roles(
    client_as: Callable[[User], Client], request: pytest.FixtureRequest, role: str
) -> None:
    version = apply_map([EXAMPLES / "picocela"], Actor.cli("t"))
    client = client_as(request.getfixturevalue(role))
    response = client.post("/console/notices/picocela/publish/", {"map_version": version.number})
    assert response.status_code == 403
    assert NoticeRelease.objects.count() == 0
    if role == "outsider":
        assert client.get("/console/notices/").status_code == 403
    else:
        assert "Publish notices" not in client.get("/console/notices/picocela/").content.decode()


@pytest.mark.django_db
def test_console_notices_need_sign_in(client: Client) -> None:
    assert client.get("/console/notices/").status_code == 302
    assert client.post("/console/notices/picocela/publish/", {"map_version": 1}).status_code == 302
    assert client.get("/console/notices/picocela/publish/").status_code == 405


# ---------------------------------------------------------------- CLI (no database)


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    status = render_main(list(argv), stdout=out)
    return status, out.getvalue()


def test_cli_renders_markdown_and_html() -> None:
    status, markdown = run("render", str(EXAMPLES / "i-pro"), "--kind", "cookies", "--lang", "en", "--format", "md")
    assert status == 0 and markdown.startswith("# Cookie Policy")
    assert "| PHPSESSID_SECURE | Preserves users states across page requests | i-PRO |" in markdown
    status, html = run("render", str(EXAMPLES / "inpro"), "--kind", "appi", "--lang", "ja", "--format", "html")
    assert status == 0 and '<html lang="ja">' in html and "<title>個人情報保護法に基づく公表事項</title>" in html
    status, fragment = run(
        "render",
        str(EXAMPLES / "onemall"),
        "--kind",
        "collection",
        "--point",
        "inquiry",
        "--format",
        "html",
        "--fragment",
    )
    assert status == 0 and fragment.startswith('<article class="notice notice-collection" lang="en">')
    status, dated = run("render", str(EXAMPLES / "picocela"), "--effective-from", "2025-04-01")
    assert status == 0 and "Effective from: April 1, 2025" in dated


def test_cli_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert run("render", str(EXAMPLES / "inpro"), "--kind", "cpra")[0] == 1
    assert "US-CA" in capsys.readouterr().err
    assert run("render", str(EXAMPLES / "onemall"), "--kind", "collection", "--point", "nope")[0] == 1
    assert run("render", str(tmp_path / "missing"))[0] == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("mamori: 1\n")
    assert run("render", str(bad))[0] == 2
    with pytest.raises(SystemExit):
        run("render", str(EXAMPLES / "inpro"), "--kind", "nonsense")


@pytest.mark.django_db
def test_management_command_renders(capsys: pytest.CaptureFixture[str]) -> None:
    from django.core.management import call_command

    call_command("notices", "render", str(EXAMPLES / "picocela"), "--lang", "ja")
    assert "プライバシーポリシー" in capsys.readouterr().out
