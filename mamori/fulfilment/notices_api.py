"""/api/v1/recipient-notices: the notices telling recipients of stop-provision, opt-out and
GDPR Art. 19 requests (scopes recipient-notices:read / recipient-notices:write).

A ticketing system or a partner portal lists the notices awaiting confirmation and records a
confirmation with the note saying how the recipient confirmed. Notices never hold identities.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import StrictStr

from mamori.api.auth import scoped, token_actor, token_of
from mamori.fulfilment.access import access_notice, access_notices
from mamori.fulfilment.models import RecipientNotice
from mamori.fulfilment.recipient_notices import NOTE_LIMIT, confirm_notice

router = Router(tags=["recipient notices"])


class NoticeOut(Schema):
    id: int
    organisation: str
    request_id: int | None
    recipient: str
    kind: str
    channel: str
    status: str
    evidence: dict[str, Any]
    created_at: datetime
    confirmed_at: datetime | None


class NoticeFilter(Schema):
    status: RecipientNotice.Status | None = None
    recipient: str | None = Field(None, min_length=1, max_length=100)
    request_id: int | None = Field(None, ge=1)
    organisation: str | None = Field(None, min_length=1, max_length=100)
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=10**9)


class ConfirmIn(Schema):
    note: StrictStr = Field(min_length=1, max_length=NOTE_LIMIT, description="How the recipient confirmed")


def _out(notice: RecipientNotice) -> dict[str, Any]:
    return {
        "id": notice.pk,
        "organisation": notice.organisation,
        "request_id": notice.request_id,
        "recipient": notice.recipient,
        "kind": notice.kind,
        "channel": notice.channel,
        "status": notice.status,
        "evidence": notice.evidence,
        "created_at": notice.created_at,
        "confirmed_at": notice.confirmed_at,
    }


@router.get(
    "", auth=scoped("recipient-notices:read"), response=list[NoticeOut], summary="Recipient notices, oldest first"
)
def list_recipient_notices(request: HttpRequest, filters: Query[NoticeFilter]) -> list[dict[str, Any]]:
    notices = access_notices(token_of(request).owner).order_by("pk")
    if filters.status:
        notices = notices.filter(status=filters.status)
    if filters.recipient:
        notices = notices.filter(recipient=filters.recipient)
    if filters.request_id:
        notices = notices.filter(request_id=filters.request_id)
    if filters.organisation:
        notices = notices.filter(organisation=filters.organisation)
    return [_out(notice) for notice in notices[filters.offset : filters.offset + filters.limit]]


@router.get("/{notice_id}", auth=scoped("recipient-notices:read"), response=NoticeOut, summary="One recipient notice")
def get_recipient_notice(request: HttpRequest, notice_id: int) -> dict[str, Any]:
    return _out(access_notice(token_of(request).owner, notice_id))


@router.post(
    "/{notice_id}/confirm",
    auth=scoped("recipient-notices:write"),
    response=NoticeOut,
    summary="Record that the recipient confirmed (cannot be undone)",
)
def confirm_recipient_notice(request: HttpRequest, notice_id: int, body: ConfirmIn) -> dict[str, Any]:
    notice = access_notice(token_of(request).owner, notice_id)
    return _out(confirm_notice(notice.pk, token_actor(request), body.note))
