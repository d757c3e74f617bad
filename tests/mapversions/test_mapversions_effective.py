"""A map version takes effect on its effective date, not when it is applied (issue 9).

Observed before: applying a version whose notice took effect in 30 days changed the live banner (a
new cookie appeared in it on day 1) and the request clocks at once. Now the banner, the request
clocks, the rights offered and the notices shown all follow `catalog.in_force` at the instant asked,
and switch together at the start of the effective date in the organisation's zone.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from mamori.accounts.models import User
from mamori.api.services import create_token
from mamori.audit.services import Actor
from mamori.catalog.errors import CatalogError
from mamori.catalog.in_force import parsed_map, upcoming_version, version_in_force
from mamori.catalog.services import apply_map
from mamori.consent.siteconfig import site_config
from mamori.notices.errors import NoticesError
from mamori.notices.services import publish_notices
from mamori.rights.rules import offered_rights
from mamori.rights.services.common import RightsError
from mamori.rights.services.intake import Submission, submit_request

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TOKYO, LA = ZoneInfo("Asia/Tokyo"), ZoneInfo("America/Los_Angeles")
START = datetime(2026, 3, 2, 10, 0, tzinfo=TOKYO)
EFFECTIVE = date(2026, 4, 1)  # 30 days after START: the notice onemall promises for a material change
BOUNDARY_JST = datetime(2026, 4, 1, 0, 0, tzinfo=TOKYO)  # 2026-03-31 15:00 UTC
ONE_SECOND = timedelta(seconds=1)

NEW_COOKIE = """
  - name: onemall_ab
    category: analytics
    provider: onemall
    party: first
    duration: "30 days"
    purpose: {en: "Which version of a page you saw", ja: "表示したページのバージョン"}
    domain: www.onemall.jp
"""


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def onemall_copy(tmp_path: Path) -> Path:
    target = tmp_path / "onemall"
    shutil.copytree(EXAMPLES / "onemall", target, ignore=shutil.ignore_patterns("*.sql"))
    return target


def edit_for_version_2(folder: Path) -> None:
    """A new first-party analytics cookie (material), a faster JP answer and one more JP right."""
    cookies = folder / "cookies.yaml"
    cookies.write_text(cookies.read_text() + NEW_COOKIE)
    commitments = folder / "commitments.yaml"
    text = commitments.read_text()
    text = text.replace('respond: "14 days"', 'respond: "10 days"')
    text = text.replace("rights: [usage_report, access,", "rights: [usage_report, objection, access,")
    commitments.write_text(text)


def in_zone(folder: Path, zone: str) -> None:
    organisation = folder / "organisation.yaml"
    organisation.write_text(organisation.read_text().replace("time_zone: Asia/Tokyo", f"time_zone: {zone}"))


def banner() -> tuple[int, list[str]]:
    config = site_config("onemall")
    analytics = next(category for category in config["categories"] if category["id"] == "analytics")
    return config["map_version"], analytics["cookies"]


def request_now(right: str = "access") -> tuple[int, date, date]:
    found, _token = submit_request(
        Submission(
            organisation="onemall",
            right=right,
            jurisdiction="JP",
            requester_name="Hanako",
            requester_email="hanako@example.jp",
        ),
        Actor.system("requester"),
    )
    due = found.due_at.astimezone(TOKYO).date()
    return found.map_version, found.received_on, due


def jp_rights() -> list[str]:
    version = version_in_force("onemall")
    assert version is not None
    return offered_rights(parsed_map(version), "JP")


@pytest.mark.django_db
def test_a_published_material_change_waits_for_its_date(onemall_copy: Path, client: Client) -> None:
    """The observation of the issue: apply, publish with 30 days' notice; the banner, clocks, rights
    and notices stay on version 1 until 2026-04-01 00:00 in Tokyo, then all switch."""
    actor = Actor.cli("officer")
    with time_machine.travel(START, tick=False):
        publish_notices(apply_map([onemall_copy], actor), None, actor)
        edit_for_version_2(onemall_copy)
        release = publish_notices(apply_map([onemall_copy], actor), None, actor)
        assert (release.material, release.effective_from) == (True, EFFECTIVE)
        assert version_in_force("onemall").number == 1  # type: ignore[union-attr]
        upcoming = upcoming_version("onemall")
        assert upcoming is not None and upcoming.effective_at == BOUNDARY_JST
        assert banner()[0] == 1 and "onemall_ab" not in banner()[1]

    with time_machine.travel(BOUNDARY_JST - ONE_SECOND, tick=False):
        version, cookies = banner()
        assert version == 1 and "onemall_ab" not in cookies
        assert request_now() == (1, date(2026, 3, 31), date(2026, 4, 14))  # 14 days under version 1
        assert "objection" not in jp_rights()
        with pytest.raises(RightsError) as refused:
            request_now("objection")
        assert refused.value.code == "right_not_offered"
        page = client.get("/privacy/onemall/cookies/?lang=en").content.decode()
        assert "onemall_ab" not in page
        assert "2026-04-01" in page or "April 1, 2026" in page or "1 April 2026" in page  # the new one is announced

    with time_machine.travel(BOUNDARY_JST, tick=False):
        # No cache clearing: the banner's cached pointer must not outlive the boundary.
        version, cookies = banner()
        assert version == 2 and "onemall_ab" in cookies
        assert request_now() == (2, date(2026, 4, 1), date(2026, 4, 11))  # 10 days under version 2
        assert "objection" in jp_rights()
        assert request_now("objection")[0] == 2
        page = client.get("/privacy/onemall/cookies/?lang=en").content.decode()
        assert "onemall_ab" in page
        assert upcoming_version("onemall") is None

    with time_machine.travel(BOUNDARY_JST + timedelta(days=3), tick=False):  # and after it
        assert banner()[0] == 2
        assert request_now()[0] == 2
        assert "onemall_ab" in client.get("/privacy/onemall/cookies/?lang=en").content.decode()


@pytest.mark.django_db
def test_a_request_keeps_the_version_in_force_when_it_was_received(onemall_copy: Path, officer: User) -> None:
    actor = Actor.cli("officer")
    with time_machine.travel(START, tick=False):
        apply_map([onemall_copy], actor)
        edit_for_version_2(onemall_copy)
        apply_map([onemall_copy], actor, effective=EFFECTIVE)
    with time_machine.travel(BOUNDARY_JST + timedelta(hours=2), tick=False):
        # A letter that arrived the evening before, entered by staff the next morning.
        found, _token = submit_request(
            Submission(
                organisation="onemall",
                right="access",
                jurisdiction="JP",
                channel="post",
                requester_name="Hanako",
                requester_email="hanako@example.jp",
                received_at=BOUNDARY_JST - timedelta(hours=3),
            ),
            Actor.for_user(officer),
            staff=officer,
        )
        assert found.map_version == 1
        assert found.due_at.astimezone(TOKYO).date() == date(2026, 4, 14)


@pytest.mark.django_db
def test_apply_effective_from_the_command_line_in_a_zone_behind_utc(onemall_copy: Path, capsys) -> None:
    """An organisation in Los Angeles: 2026-04-01 starts there at 07:00 UTC, 16:00 in Tokyo. A Tokyo
    reading of the date would switch 16 hours early."""
    in_zone(onemall_copy, "America/Los_Angeles")
    start = datetime(2026, 3, 2, 10, 0, tzinfo=LA)
    with time_machine.travel(start, tick=False):
        call_command("map", "apply", str(onemall_copy))
        edit_for_version_2(onemall_copy)
        call_command("map", "apply", str(onemall_copy), "--effective", "2026-04-01")
        out = capsys.readouterr().out
        assert "applied onemall version 2" in out and "until then version 1 stays in force" in out
        call_command("map", "versions", "onemall")
        listing = capsys.readouterr().out
        assert re.search(r"^> onemall\s+2 .*takes effect 2026-04-01T07:00:00\+00:00", listing, re.MULTILINE)
        assert re.search(r"^\* onemall\s+1 ", listing, re.MULTILINE)

    boundary = datetime(2026, 4, 1, 0, 0, tzinfo=LA)
    assert boundary.astimezone(UTC) == datetime(2026, 3, 31, 7, 0, tzinfo=UTC) + timedelta(days=1)
    with time_machine.travel(boundary.astimezone(TOKYO) - timedelta(hours=6), tick=False):  # Apr 1 in Tokyo
        assert banner()[0] == 1
        assert version_in_force("onemall").number == 1  # type: ignore[union-attr]
    with time_machine.travel(boundary - ONE_SECOND, tick=False):
        assert banner()[0] == 1
    with time_machine.travel(boundary, tick=False):
        version, cookies = banner()
        assert version == 2 and "onemall_ab" in cookies


@pytest.mark.django_db
def test_effective_dates_are_checked(onemall_copy: Path) -> None:
    actor = Actor.cli("officer")
    with time_machine.travel(START, tick=False):
        apply_map([onemall_copy], actor)
        edit_for_version_2(onemall_copy)
        with pytest.raises(CatalogError) as past:
            apply_map([onemall_copy], actor, effective=date(2026, 3, 1))
        assert past.value.code == "effective_past"
        assert version_in_force("onemall").number == 1  # type: ignore[union-attr]
        assert upcoming_version("onemall") is None  # nothing stored
        second = apply_map([onemall_copy], actor, effective=EFFECTIVE)
        # Its notices cannot say it applies sooner than the map does.
        with pytest.raises(NoticesError) as early:
            publish_notices(second, date(2026, 3, 2), actor)
        assert early.value.code in {"before_version_effective", "too_little_notice"}
        # A third version waits for the second by default; an earlier explicit date is refused.
        (onemall_copy / "notices.yaml").write_text((onemall_copy / "notices.yaml").read_text() + "\n# v3\n")
        with pytest.raises(CatalogError) as before:
            apply_map([onemall_copy], actor, effective=date(2026, 3, 20))
        assert before.value.code == "effective_before_previous"
        third = apply_map([onemall_copy], actor)
        assert third.effective_at == BOUNDARY_JST


@pytest.mark.django_db
def test_the_console_shows_the_version_in_force_and_the_upcoming_one(
    onemall_copy: Path, officer: User, client_as: Callable[[User], Client]
) -> None:
    actor = Actor.cli("officer")
    with time_machine.travel(START, tick=False):
        apply_map([onemall_copy], actor)
        edit_for_version_2(onemall_copy)
        apply_map([onemall_copy], actor, effective=EFFECTIVE)
        page = client_as(officer).get("/console/map/cookies/?org=onemall").content.decode()
        assert "onemall_ab" not in page  # the version in force is shown
        assert "Version 2 takes effect on" in page
        assert 'href="/console/map/diff/1/2/?org=onemall"' in page
        versions = client_as(officer).get("/console/map/versions/?org=onemall").content.decode()
        assert "when applied" in versions

        # The API says the same: the document in force, and what is coming.
        _token, secret = create_token(officer, "ci", ["map:read"], actor)
        auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
        current = Client().get("/api/v1/map/onemall", **auth).json()
        assert current["version"]["number"] == 1 and current["version"]["in_force"] is True
        assert current["upcoming"]["number"] == 2
        assert datetime.fromisoformat(current["upcoming"]["effective_at"]) == BOUNDARY_JST
        assert all(cookie["name"] != "onemall_ab" for cookie in current["document"]["cookies"])
        listed = Client().get("/api/v1/map/onemall/versions", **auth).json()
        assert [(v["number"], v["in_force"]) for v in listed] == [(2, False), (1, True)]
