"""Recipient notices in the console and the API: listed, filtered, one notice with its history,
confirmed on a second step with a note, sent again when a webhook failed. Wrong roles and scopes
are refused; bad input changes nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from mamori.accounts.models import User
from mamori.api.services import create_token
from mamori.audit.services import Actor
from mamori.fulfilment.models import RecipientNotice
from mamori.fulfilment.recipient_notices import notify_recipients
from mamori.rights.models import RightsRequest
from mamori.rights.services.intake import Submission, submit_request

from .test_fulfilment_recipient_notices import STAFF, club_with_recipients

__all__ = ["club_with_recipients"]  # the fixture, shared with the service's tests


@pytest.fixture
def open_request(club_with_recipients: Any) -> RightsRequest:
    submission = Submission(
        organisation="club",
        right="cease_third_party_provision",
        jurisdiction="JP",
        requester_name="Hanako",
        requester_email="hanako@example.jp",
    )
    return submit_request(submission, Actor.system("requester"))[0]


@pytest.fixture
def notices(open_request: RightsRequest) -> dict[str, RecipientNotice]:
    sent = notify_recipients("club", "erasure", {"email": "hanako@example.jp"}, STAFF, request_id=open_request.pk)
    return {notice.recipient: notice for notice in sent}


def test_staff_list_filter_and_open_notices_with_a_link_to_the_request(
    notices: dict[str, RecipientNotice], open_request: RightsRequest, agent: User, client_as: Callable[[User], Client]
) -> None:
    client = client_as(agent)
    listing = client.get("/console/fulfilment/notices/").content.decode()
    for recipient in ("partner-shop", "ad-network", "printer"):
        assert recipient in listing
    assert f"/console/requests/{open_request.pk}/" in listing
    pending = client.get("/console/fulfilment/notices/?status=pending").content.decode()
    assert "printer" in pending and "ad-network" not in pending
    by_name = client.get("/console/fulfilment/notices/?recipient=ad-").content.decode()
    assert "ad-network" in by_name and "printer" not in by_name
    assert "printer" not in client.get("/console/fulfilment/notices/?request=999999").content.decode()
    bad = client.get("/console/fulfilment/notices/?request=abc")
    assert bad.status_code == 400 and "printer" not in bad.content.decode()
    page = client.get(f"/console/fulfilment/notices/{notices['printer'].pk}/").content.decode()
    assert "task for staff" in page and "notice sent" in page  # state and history
    assert "hanako" not in page + listing  # identities are never shown (nor stored)


def test_the_request_page_lists_its_notices(
    notices: dict[str, RecipientNotice], open_request: RightsRequest, officer: User, client_as: Callable[[User], Client]
) -> None:
    page = client_as(officer).get(f"/console/requests/{open_request.pk}/").content.decode()
    assert "Recipient notices" in page
    for notice in notices.values():
        assert f"/console/fulfilment/notices/{notice.pk}/" in page


def test_confirming_takes_a_second_step_and_a_note(
    notices: dict[str, RecipientNotice], officer: User, client_as: Callable[[User], Client]
) -> None:
    client = client_as(officer)
    task = notices["printer"]
    url = f"/console/fulfilment/notices/{task.pk}/confirm/"
    # A post that did not come from the confirmation page changes nothing and leads there.
    skipped = client.post(url, {"note": "called them"})
    assert skipped.status_code == 302 and skipped["Location"] == url
    second_step = client.get(url).content.decode()
    assert "cannot be undone" in second_step and 'name="confirmed"' in second_step
    empty = client.post(url, {"confirmed": "yes", "note": "   "})
    assert empty.status_code == 400
    task.refresh_from_db()
    assert task.status == "pending"
    done = client.post(url, {"confirmed": "yes", "note": "Printing Co. confirmed by phone"})
    assert done.status_code == 302
    task.refresh_from_db()
    assert task.status == "confirmed" and task.evidence["confirmation"] == "Printing Co. confirmed by phone"
    page = client.get(f"/console/fulfilment/notices/{task.pk}/").content.decode()
    assert "confirmation recorded" in page and "Printing Co. confirmed by phone" in page
    again = client.post(url, {"confirmed": "yes", "note": "twice"}, follow=True)
    assert "already confirmed" in again.content.decode()
    task.refresh_from_db()
    assert task.evidence["confirmation"] == "Printing Co. confirmed by phone"


def test_a_failed_webhook_is_sent_again_to_the_recipient(
    notices: dict[str, RecipientNotice], club_with_recipients: Any, officer: User, client_as: Callable[[User], Client]
) -> None:
    client = client_as(officer)
    webhook = notices["partner-shop"]
    calls = len(club_with_recipients.calls)
    club_with_recipients.fail_next = 3  # every attempt of the next send answers 503
    client.post(f"/console/fulfilment/notices/{webhook.pk}/resend/")
    webhook.refresh_from_db()
    assert webhook.channel == "task" and webhook.evidence["failures"]  # refused: now a staff task
    page = client.get(f"/console/fulfilment/notices/{webhook.pk}/").content.decode()
    assert "Send again" in page and "Earlier attempts" in page
    client.post(f"/console/fulfilment/notices/{webhook.pk}/resend/")
    webhook.refresh_from_db()
    assert webhook.channel == "webhook" and webhook.status == "sent"
    assert [call["action"] for call in club_with_recipients.calls[calls:]].count("notice") >= 2
    assert len(webhook.evidence["earlier"]) == 2
    # An e-mail notice is sent again as a reminder.
    email = notices["ad-network"]
    client.post(f"/console/fulfilment/notices/{email.pk}/resend/")
    assert len(mail.outbox) == 2 and "hanako@example.jp" in mail.outbox[-1].body


def test_nothing_is_sent_again_once_the_request_is_closed(
    notices: dict[str, RecipientNotice], open_request: RightsRequest, officer: User, client_as: Callable[[User], Client]
) -> None:
    RightsRequest.objects.filter(pk=open_request.pk).update(status="completed")
    email = notices["ad-network"]
    answer = client_as(officer).post(f"/console/fulfilment/notices/{email.pk}/resend/", follow=True)
    assert "identities to send are gone" in answer.content.decode()
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("who", ["marketing", "auditor", "admin_user", "outsider"])
def test_other_roles_are_refused_the_notice_pages(
    notices: dict[str, RecipientNotice], who: str, request: pytest.FixtureRequest, client_as: Callable[[User], Client]
) -> None:
    client = client_as(request.getfixturevalue(who))
    task = notices["printer"]
    assert client.get("/console/fulfilment/notices/").status_code == 403
    assert client.get(f"/console/fulfilment/notices/{task.pk}/").status_code == 403
    assert client.get(f"/console/fulfilment/notices/{task.pk}/confirm/").status_code == 403
    confirm = client.post(f"/console/fulfilment/notices/{task.pk}/confirm/", {"confirmed": "yes", "note": "x"})
    assert confirm.status_code == 403
    assert client.post(f"/console/fulfilment/notices/{task.pk}/resend/").status_code == 403
    task.refresh_from_db()
    assert task.status == "pending"


def _bearer(user: User, *scopes: str) -> dict[str, str]:
    _, secret = create_token(user, "notices", list(scopes), Actor.for_user(user))
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_the_api_lists_gets_and_confirms_notices(
    notices: dict[str, RecipientNotice], open_request: RightsRequest, officer: User, client: Client
) -> None:
    reader = _bearer(officer, "recipient-notices:read")
    listed = client.get("/api/v1/recipient-notices?status=pending", **reader).json()
    assert [item["recipient"] for item in listed] == ["printer"]
    by_request = client.get(f"/api/v1/recipient-notices?request_id={open_request.pk}", **reader).json()
    assert len(by_request) == 3
    task = notices["printer"]
    one = client.get(f"/api/v1/recipient-notices/{task.pk}", **reader).json()
    assert one["channel"] == "task" and "hanako" not in json.dumps(one)
    # Reading is not writing.
    refused = client.post(f"/api/v1/recipient-notices/{task.pk}/confirm", {"note": "x"}, "application/json", **reader)
    assert refused.status_code == 403
    writer = _bearer(officer, "recipient-notices:write")
    url = f"/api/v1/recipient-notices/{task.pk}/confirm"
    for bad in ({}, {"note": ""}, {"note": 3}, {"note": "x" * 501}):
        answer = client.post(url, bad, "application/json", **writer)
        assert answer.status_code == 422 and answer["Content-Type"] == "application/problem+json"
    task.refresh_from_db()
    assert task.status == "pending"
    done = client.post(url, {"note": "ticket 42"}, "application/json", **writer)
    assert done.status_code == 200 and done.json()["status"] == "confirmed"
    twice = client.post(url, {"note": "again"}, "application/json", **writer)
    assert twice.status_code == 409 and twice["Content-Type"] == "application/problem+json"
    missing = client.get("/api/v1/recipient-notices/999999", **reader)
    assert missing.status_code == 404 and missing["Content-Type"] == "application/problem+json"
    assert client.get("/api/v1/recipient-notices?status=lost", **reader).status_code == 422


def test_an_api_token_of_another_role_cannot_read_notices(
    notices: dict[str, RecipientNotice], officer: User, client: Client
) -> None:
    # The officer's token keeps working only while the owner may see notices (scopes follow roles).
    token = _bearer(officer, "recipient-notices:read")
    User.objects.filter(pk=officer.pk).update(role="marketing")
    assert client.get("/api/v1/recipient-notices", **token).status_code == 403
