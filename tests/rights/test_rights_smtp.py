"""The requester's e-mails go through a real SMTP server (aiosmtpd), in the requester's language."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from email.header import decode_header, make_header
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.test import Client, override_settings

from mamori.rights.models import RightsRequest

pytestmark = pytest.mark.django_db(transaction=True)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    with socket.socket() as probe:  # a free port: aiosmtpd checks its own port after starting
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def _subject(message: email.message.Message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def _body(message: email.message.Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(message.get_content_charset() or "utf-8")


def test_japanese_requester_gets_receipt_and_code_over_smtp(
    smtp: tuple[Inbox, int], client: Client, inpro: str
) -> None:
    inbox, port = smtp
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        EMAIL_USE_TLS=False,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
    ):
        response = client.post(
            f"/privacy/{inpro}/requests/new/",
            {
                "jurisdiction": "JP",
                "right": "access",
                "requester_name": "山田太郎",
                "requester_email": "taro@example.jp",
                "delivery": "electronic",
            },
            HTTP_ACCEPT_LANGUAGE="ja",
        )
    assert response.status_code == 302
    found = RightsRequest.objects.get()
    assert found.language == "ja"
    assert [message["To"] for message in inbox.messages] == ["taro@example.jp", "taro@example.jp"]
    subjects = [_subject(message) for message in inbox.messages]
    assert subjects[0] == f"個人情報に関するご請求（{found.reference}）を受け付けました"  # noqa: RUF001
    assert subjects[1].startswith("確認コード：")  # noqa: RUF001
    assert "山田太郎 様" in _body(inbox.messages[0]) and "/requests/status/" in _body(inbox.messages[0])
