"""Stop-provision, opt-out and Art. 19 notices reach the recipients the map names, tracked until
confirmed: signed webhook, else e-mail (read from the outbox), else a task for staff."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core import mail

from mamori.audit.services import Actor
from mamori.catalog.services import apply_map
from mamori.fulfilment.models import RecipientNotice
from mamori.fulfilment.recipient_notices import NoticeError, confirm_notice, notify_recipients, recipient_notified

from .club import MAP
from .fulfilment_webhook_server import SECRET

RECIPIENTS = """
recipients:
  - id: partner-shop
    name: Partner Shop
    kind: third_party
    country: JP
    purposes: [membership]
    categories: [contact.email]
    notify: {webhook_env: MAMORI_PARTNER_WEBHOOK_URL}
  - id: ad-network
    name: Ad Network
    kind: third_party
    country: JP
    purposes: [membership]
    categories: [contact.email]
    notify: {email: privacy@ads.example}
  - id: printer
    name: Printing Co.
    kind: processor
    country: JP
    purposes: [membership]
    categories: [contact.name]
"""
STAFF = Actor.cli("test")


@pytest.fixture
def club_with_recipients(
    db: None, tmp_path: Path, storage_adapter: tuple[Any, str], monkeypatch: pytest.MonkeyPatch
) -> Any:
    adapter, url = storage_adapter
    folder = tmp_path / "map"
    folder.mkdir()
    (folder / "map.yaml").write_text((MAP / "map.yaml").read_text(encoding="utf-8") + RECIPIENTS, encoding="utf-8")
    apply_map([folder], STAFF)
    monkeypatch.setenv("MAMORI_PARTNER_WEBHOOK_URL", url)
    monkeypatch.setenv("MAMORI_PARTNER_WEBHOOK_SECRET", SECRET)
    return adapter


def test_cease_provision_reaches_third_parties_by_webhook_or_email(
    club_with_recipients: Any, django_capture_on_commit_callbacks: Any
) -> None:
    heard: list[RecipientNotice] = []

    def receiver(sender: Any, notice: RecipientNotice, identities: dict[str, str], **_: Any) -> None:
        heard.append(notice)

    recipient_notified.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            notices = notify_recipients("club", "cease_third_party_provision", {"email": "hanako@example.jp"}, STAFF)
    finally:
        recipient_notified.disconnect(receiver)
    by_recipient = {notice.recipient: notice for notice in notices}
    assert set(by_recipient) == {"partner-shop", "ad-network"}  # the processor is not a third party
    assert by_recipient["partner-shop"].channel == "webhook" and by_recipient["partner-shop"].status == "sent"
    (call,) = [call for call in club_with_recipients.calls if call["action"] == "notice"]
    assert call["signed"]
    assert by_recipient["ad-network"].channel == "email"
    (message,) = mail.outbox
    assert message.to == ["privacy@ads.example"] and "hanako@example.jp" in message.body
    assert "個人データ" in message.subject
    assert {notice.pk for notice in heard} == {notice.pk for notice in notices}
    # Tracked until confirmed; identities are never stored with the notice.
    assert "hanako" not in str(RecipientNotice.objects.values_list("evidence", flat=True)[::1])
    confirmed = confirm_notice(by_recipient["ad-network"].pk, STAFF, "replied on 2026-11-30")
    assert confirmed.status == "confirmed" and confirmed.confirmed_at is not None


def test_art_19_tells_every_recipient_and_a_recipient_without_a_channel_becomes_a_staff_task(
    club_with_recipients: Any,
) -> None:
    notices = notify_recipients("club", "erasure", {"email": "hanako@example.jp"}, STAFF)
    channels = {notice.recipient: (notice.channel, notice.status) for notice in notices}
    assert channels["printer"] == ("task", "pending")
    assert len(notices) == 3


def test_an_unknown_notice_kind_is_refused(club_with_recipients: Any) -> None:
    with pytest.raises(NoticeError):
        notify_recipients("club", "delete_everything", {"email": "x@example.jp"}, STAFF)
    assert not RecipientNotice.objects.exists()


def test_a_cease_provision_request_is_done_when_every_recipient_confirmed(club_with_recipients: Any) -> None:
    from mamori.rights.handover import FulfilmentTask, handler_for

    task = FulfilmentTask(
        request_id=7,
        organisation="club",
        right="cease_third_party_provision",
        identities={"email": "hanako@example.jp"},
        language="ja",
    )
    handler = handler_for("cease_third_party_provision")
    assert handler is not None and handler.plan(task) == {"recipients": ["partner-shop", "ad-network"]}
    first = handler.execute(task)
    assert first.status == "needs_review" and "partner-shop" in first.message
    again = handler.execute(task)  # resumed: nothing is sent twice
    assert RecipientNotice.objects.count() == 2 and len(mail.outbox) == 1
    assert again.status == "needs_review"
    for notice in RecipientNotice.objects.all():
        confirm_notice(notice.pk, STAFF, "confirmed by phone")
    assert handler.execute(task).status == "completed"
