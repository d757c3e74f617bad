# ruff: noqa: RUF001  (Japanese and typographic characters in expected notice text)
"""Publishing notices end to end: a material change asks for consent again, e-mails the audience
(once per person), shows the site notice, and each step is in the audit log."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import Client

from mamori.audit.models import AuditEntry
from mamori.audit.services import Actor
from mamori.catalog.services import apply_map
from mamori.notices.audiences import register_audience, unregister_audience
from mamori.notices.errors import NoticesError
from mamori.notices.models import NoticeNotification, NoticeRelease
from mamori.notices.notifications import claim_notification, send_release_notifications
from mamori.notices.services import active_site_notice, consent_version, publish_notices

TOKYO = ZoneInfo("Asia/Tokyo")
START = datetime(2025, 3, 3, 10, 0, tzinfo=TOKYO)

NEW_COOKIE = """
  - name: _hjid
    category: analytics
    provider: Hotjar
    party: third
    duration: "1 year"
    purpose: {en: "Hotjar: session recordings", ja: "Hotjar：セッションの記録"}
    domain: .hotjar.com
"""


def people(organisation: str) -> list[tuple[str, str]]:
    return (
        [("alice@example.com", "en"), ("hanako@example.jp", "ja"), ("ALICE@example.com", "en")]
        if organisation == "onemall"
        else []
    )


@pytest.fixture
def audience() -> Iterator[None]:
    register_audience(people)
    yield
    unregister_audience(people)


def actions() -> list[str]:
    return list(
        AuditEntry.objects.filter(action__startswith="notices.").order_by("seq").values_list("action", flat=True)
    )


@pytest.mark.django_db
def test_material_change_end_to_end(
    map_copy: Callable[[str], Path], audience: None, client: Client, django_capture_on_commit_callbacks
) -> None:
    folder = map_copy("onemall")
    actor = Actor.cli("officer")
    with time_machine.travel(START, tick=False):
        first = publish_notices(apply_map([folder], actor), None, actor)
        assert (first.number, first.material, first.effective_from) == (1, False, date(2025, 3, 3))
        assert first.classification["first"] is True
        assert consent_version("onemall") == 1
        assert active_site_notice("onemall") is None
        assert set(first.rendered) == {"privacy", "cookies", "appi", "collection", "transmission"}
        assert "INAGORA" in first.rendered["privacy"]["ja"]

        (folder / "cookies.yaml").write_text((folder / "cookies.yaml").read_text() + NEW_COOKIE)
        version = apply_map([folder], actor)
        with django_capture_on_commit_callbacks(execute=True):
            release = publish_notices(version, None, actor)

    # Material, with its reason; announced 30 days ahead as the map promises (OM12).
    assert release.material and "new_non_essential_cookie" in release.reasons
    assert release.effective_from == date(2025, 4, 2)
    assert actions() == [
        "notices.published",
        "notices.published",
        "notices.reconsent_requested",
        "notices.site_notice_shown",
        "notices.notification_queued",
        "notices.notification_sent",
    ]
    # E-mail: each person once, in their language, with no address in the audit log.
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.com", "hanako@example.jp"]
    japanese = next(m for m in mail.outbox if m.to == ["hanako@example.jp"])
    assert (
        "プライバシー" in japanese.subject
        and "2025年4月2日" in japanese.body
        and "必須でない新たなクッキー" in japanese.body
    )
    english = next(m for m in mail.outbox if m.to == ["alice@example.com"])
    assert "April 2, 2025" in english.body and "a new non-essential cookie" in english.body
    assert "/privacy/onemall/changes/?version=2" in english.body
    assert NoticeNotification.objects.filter(release=release, sent_at__isnull=False).count() == 2
    assert "@" not in str(list(AuditEntry.objects.values_list("details", flat=True)))
    # The job is idempotent: running it again tells nobody twice.
    assert send_release_notifications.call(release.pk) == {"sent": 0, "skipped": 2, "failed": 0}
    assert len(mail.outbox) == 2

    with time_machine.travel(START + timedelta(days=1), tick=False):
        # Announced, not yet in force: consent stays valid, the site notice says what is coming.
        assert consent_version("onemall") == 1
        assert active_site_notice("onemall") == release
        payload = client.get("/privacy/onemall/notices/site-notice.json").json()
        assert payload["active"] and payload["release"] == 2 and payload["effective_from"] == "2025-04-02"
        assert "April 2, 2025" in payload["message"]["en"] and "2025年4月2日" in payload["message"]["ja"]
        page = client.get("/privacy/onemall/policy/")
        assert 'class="site-notice"' in page.content.decode()
        assert "A new version takes effect" in page.content.decode()  # the page still shows release 1
        assert "_hjid" not in client.get("/privacy/onemall/cookies/").content.decode()
        assert "_hjid" in client.get("/privacy/onemall/cookies/?version=2").content.decode()

    with time_machine.travel(datetime(2025, 4, 2, 0, 5, tzinfo=TOKYO), tick=False):
        assert consent_version("onemall") == 2  # the banner asks everyone again
        assert "_hjid" in client.get("/privacy/onemall/cookies/").content.decode()
    with time_machine.travel(datetime(2025, 5, 3, 9, 0, tzinfo=TOKYO), tick=False):
        assert active_site_notice("onemall") is None  # 30 days after it took effect
        assert client.get("/privacy/onemall/notices/site-notice.json").json() == {"active": False}


@pytest.mark.django_db
def test_editorial_change_tells_nobody(
    map_copy: Callable[[str], Path], audience: None, django_capture_on_commit_callbacks
) -> None:
    folder = map_copy("onemall")
    actor = Actor.cli("officer")
    publish_notices(apply_map([folder], actor), None, actor)
    notices = folder / "notices.yaml"
    notices.write_text(
        notices.read_text().replace("absolute security cannot be guaranteed", "no system is perfectly safe")
    )
    with django_capture_on_commit_callbacks(execute=True):
        release = publish_notices(apply_map([folder], actor), None, actor)
    assert not release.material and release.reasons == []
    assert [c["reasons"] for c in release.changes] == [["wording"]]
    assert mail.outbox == []
    assert consent_version("onemall") == 1
    assert active_site_notice("onemall") is None
    assert actions() == ["notices.published", "notices.published"]


@pytest.mark.django_db
def test_publishing_refusals_change_nothing(map_copy: Callable[[str], Path]) -> None:
    folder = map_copy("onemall")
    actor = Actor.cli("officer")
    with time_machine.travel(START, tick=False):
        v1 = apply_map([folder], actor)
        with pytest.raises(NoticesError) as past:
            publish_notices(v1, date(2025, 3, 2), actor)
        assert past.value.code == "effective_past"
        publish_notices(v1, date(2025, 3, 10), actor)  # a future date is fine
        with pytest.raises(NoticesError) as again:
            publish_notices(v1, None, actor)
        assert again.value.code == "already_published"
        (folder / "cookies.yaml").write_text((folder / "cookies.yaml").read_text() + NEW_COOKIE)
        v2 = apply_map([folder], actor)
        with pytest.raises(NoticesError) as early:
            publish_notices(v2, date(2025, 3, 20), actor)  # material: 30 days' notice promised
        assert early.value.code == "too_little_notice"
        assert "2025-04-02" in early.value.message
    assert NoticeRelease.objects.count() == 1
    assert actions() == ["notices.published"]


@pytest.mark.django_db
def test_older_version_cannot_be_published_after_a_newer_one(map_copy: Callable[[str], Path]) -> None:
    folder = map_copy("inpro")
    actor = Actor.cli("officer")
    v1 = apply_map([folder], actor)
    notices = folder / "notices.yaml"
    notices.write_text(notices.read_text() + "\n")
    (folder / "extra.yaml").write_text("data_subjects:\n  - id: visitor2\n    name: {en: Visitors, ja: 訪問者}\n")
    v2 = apply_map([folder], actor)
    publish_notices(v2, None, actor)
    with pytest.raises(NoticesError) as older:
        publish_notices(v1, None, actor)
    assert older.value.code == "older_version"


@pytest.mark.django_db
def test_consent_version_without_releases_is_one() -> None:
    assert consent_version("nobody") == 1


@pytest.mark.django_db
def test_a_notification_is_claimed_by_one_worker_only(map_copy: Callable[[str], Path], audience: None) -> None:
    folder = map_copy("onemall")
    actor = Actor.cli("officer")
    with time_machine.travel(START, tick=False):
        publish_notices(apply_map([folder], actor), None, actor)
        (folder / "cookies.yaml").write_text((folder / "cookies.yaml").read_text() + NEW_COOKIE)
        release = publish_notices(apply_map([folder], actor), None, actor)  # the job is not run (no commit)
        # Two workers race for the same person: the compare-and-set gives the row to exactly one.
        first = claim_notification(release, "alice@example.com", "en")
        second = claim_notification(release, "ALICE@example.com ", "en")
        assert first is not None and second is None
        # The job skips the person another worker holds, and tells everyone else.
        assert send_release_notifications.call(release.pk) == {"sent": 1, "skipped": 1, "failed": 0}
        assert [m.to[0] for m in mail.outbox] == ["hanako@example.jp"]
    # A claim whose worker died is taken over once it is old enough.
    with time_machine.travel(START + timedelta(hours=1), tick=False):
        assert claim_notification(release, "alice@example.com", "en") is not None
