"""Material-change e-mails reach the people in the company's own systems (issue 9).

Observed before: only confirmed newsletter subscribers (and registered audiences) were told. Now the
job also reads every address in the map's `email` identity columns of the shop database, through
the fulfilment SQL connector, batch by batch: customers and visitors (an inquiry or a newsletter
row without an account). Each person is told once per release, in their language
(`residence.language`: customers.preferred_language; visitors: the system's default, Japanese for a
.jp shop); unsubscribed addresses are left out; mamori stores keyed hashes only. On SQLite and
PostgreSQL, with the demo shop.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
import time_machine
from django.core import mail

from mamori.audit.models import AuditEntry
from mamori.audit.services import Actor
from mamori.catalog.in_force import map_in_force
from mamori.catalog.services import apply_map
from mamori.consent.services.subscriptions import marketing_topics, unsubscribe, unsubscribe_token
from mamori.fulfilment import audience
from mamori.fulfilment.demo_shop import create_shop
from mamori.fulfilment.engine_cache import ENGINES
from mamori.notices import notifications
from mamori.notices.models import NoticeNotification
from mamori.notices.notifications import send_release_notifications
from mamori.notices.services import publish_notices
from tests.fulfilment.conftest import POSTGRES, _server_database, load_shop

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
START = datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
NEW_COOKIE = """
  - name: _hjid
    category: analytics
    provider: Hotjar
    party: third
    duration: "1 year"
    purpose: {en: "Hotjar: session recordings", ja: "Hotjar セッションの記録"}
    domain: .hotjar.com
"""
# The demo shop: three customers (Emily writes in English), three visitors without an account.
EVERYONE = {
    "hanako.yamada@example.jp": "ja",
    "taro.suzuki@example.jp": "ja",
    "emily.clark@example.com": "en",
    "kenji.sato@example.jp": "ja",
    "yuki.ito@example.jp": "ja",
    "aya.mori@example.jp": "ja",
}


@pytest.fixture(params=["sqlite", "postgresql"])
def shop(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "shop.sqlite3"
        create_shop(path)
        urls: Iterator[str] = iter([f"sqlite:///{path}"])
    else:
        urls = _server_database(POSTGRES, "postgresql")
    for url in urls:
        if request.param != "sqlite":
            load_shop(url)
        monkeypatch.setenv("MAMORI_ONEMALL_SHOP_URL", url)
        ENGINES.clear()
        yield url
        ENGINES.clear()


def material_release(tmp_path: Path, capture) -> int:  # type: ignore[no-untyped-def]
    folder = tmp_path / "onemall-map"
    shutil.copytree(EXAMPLES / "onemall", folder, ignore=shutil.ignore_patterns("*.sql"))
    actor = Actor.cli("officer")
    publish_notices(apply_map([folder], actor), None, actor)
    (folder / "cookies.yaml").write_text((folder / "cookies.yaml").read_text() + NEW_COOKIE)
    with capture(execute=True):
        release = publish_notices(apply_map([folder], actor), None, actor)
    assert release.material
    return release.pk


def told() -> dict[str, str]:
    """Recipient -> language of the e-mails in the outbox (the Japanese subject says プライバシー)."""
    return {message.to[0]: "ja" if "プライバシー" in message.subject else "en" for message in mail.outbox}


@pytest.mark.django_db
def test_everyone_in_the_shop_is_told_once_in_their_language(
    shop: str, tmp_path: Path, django_capture_on_commit_callbacks, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Batches of two people: the keyset reads and the job's per-batch look-ups must page correctly.
    monkeypatch.setattr(audience, "BATCH", 2)
    monkeypatch.setattr(notifications, "BATCH", 2)
    with time_machine.travel(START, tick=False):
        apply_map([EXAMPLES / "onemall"], Actor.cli("officer"))
        privacy_map = map_in_force("onemall")[1]
        topic = marketing_topics(privacy_map)[0].id
        unsubscribe("onemall", unsubscribe_token("onemall", topic, "Yuki.Ito@example.jp"))
        mail.outbox.clear()

        release_id = material_release(tmp_path, django_capture_on_commit_callbacks)

    expected = {address: language for address, language in EVERYONE.items() if address != "yuki.ito@example.jp"}
    assert told() == expected  # each once (Kenji is in two tables), Yuki unsubscribed
    assert len(mail.outbox) == len(expected)
    rows = NoticeNotification.objects.filter(release_id=release_id)
    assert rows.filter(sent_at__isnull=False).count() == len(expected)
    # Only keyed hashes are stored; the audit log holds counts.
    assert all(len(hash_) == 64 and "@" not in hash_ for hash_ in rows.values_list("recipient_hash", flat=True))
    entry = AuditEntry.objects.filter(action="notices.notification_sent").latest("seq")
    assert entry.details["sent"] == len(expected) and entry.details["opted_out"] == 1
    assert entry.details["audiences_failed"] == []
    assert "@" not in str(list(AuditEntry.objects.values_list("details", flat=True)))

    # Running the job again tells nobody twice.
    assert send_release_notifications.call(release_id)["sent"] == 0
    assert len(mail.outbox) == len(expected)

    # Someone new in the shop since (a resumed or repeated job): only they are told.
    engine = sa.create_engine(shop)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO customers (id, email, first_name, last_name, preferred_language, status, created_at) "
                "VALUES (99, 'New.Customer@example.com', 'New', 'Customer', 'en', 'active', '2026-03-01 00:00:00')"
            )
        )
    engine.dispose()
    assert send_release_notifications.call(release_id)["sent"] == 1
    assert told()["New.Customer@example.com"] == "en"
    assert len(mail.outbox) == len(expected) + 1


@pytest.mark.django_db
def test_an_unreachable_system_is_recorded_and_the_rest_are_told(
    tmp_path: Path, django_capture_on_commit_callbacks, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MAMORI_ONEMALL_SHOP_URL", raising=False)
    with time_machine.travel(START, tick=False):
        release_id = material_release(tmp_path, django_capture_on_commit_callbacks)
    entry = AuditEntry.objects.filter(action="notices.notification_sent").latest("seq")
    assert entry.details["audiences_failed"] == ["company_people"]
    assert NoticeNotification.objects.filter(release_id=release_id).count() == len(mail.outbox)
