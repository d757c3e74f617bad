"""Limits that hold: per address across requests, with a Retry-After that says when they lift."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from mamori.audit.services import Actor
from mamori.rights.models import RightsRequest, VerificationCode
from mamori.rights.services.verification import (
    CODES_PER_ADDRESS,
    GUESSES_PER_ADDRESS,
    MAX_ATTEMPTS,
    CodeLimitError,
    check_code,
)

from .test_rights_flow import submit

pytestmark = pytest.mark.django_db(transaction=True)
CODE_MAIL = re.compile(r"^\s+\d{6}\s*$", re.MULTILINE)


def _codes_mailed() -> int:
    return sum(1 for message in mail.outbox if CODE_MAIL.search(message.body))


def test_new_requests_for_the_same_address_buy_no_extra_codes(client: Client, ipro: str) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(8):
            submit(client, ipro)
    assert RightsRequest.objects.count() == 8  # every request is recorded
    assert _codes_mailed() == CODES_PER_ADDRESS
    assert VerificationCode.objects.count() == CODES_PER_ADDRESS
    # A resend from the newest request is refused too, and Retry-After says when the hour is over.
    latest = RightsRequest.objects.latest("pk")
    with time_machine.travel(start + timedelta(minutes=20), tick=False):
        response = client.post(f"/privacy/{ipro}/requests/status/{_token_of(latest)}/resend/")
    assert response.status_code == 429
    assert 2300 <= int(response["Retry-After"]) <= 2400  # 40 minutes, not 60 seconds
    with time_machine.travel(start + timedelta(minutes=61), tick=False):
        submit(client, ipro)
    assert _codes_mailed() == CODES_PER_ADDRESS + 1


def _token_of(request: RightsRequest) -> str:
    for message in reversed(mail.outbox):
        found = re.search(r"/requests/status/([^/\s]+)/", message.body)
        if found and message.to == [request.requester_email]:
            return found.group(1)
    raise AssertionError("no status link mailed")


def test_guesses_are_capped_per_address_across_requests(client: Client, ipro: str) -> None:
    requests = [submit(client, ipro)[0] for _ in range(3)]
    wrong = 0
    for request in requests:
        for _ in range(MAX_ATTEMPTS - 1):
            if wrong >= GUESSES_PER_ADDRESS:
                break
            assert check_code(request, "999999", Actor.system("requester")) is False
            wrong += 1
    assert wrong == GUESSES_PER_ADDRESS
    with pytest.raises(CodeLimitError) as refused:
        check_code(requests[-1], "999999", Actor.system("requester"))
    assert 3000 < refused.value.retry_after <= 3600
