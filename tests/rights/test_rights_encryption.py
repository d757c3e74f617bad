"""The requester's contact details are encrypted at rest, found by keyed hash, and still shown to staff."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection
from django.test import Client

from mamori.accounts.models import User
from mamori.audit.models import AuditEntry
from mamori.audit.services import Actor
from mamori.core import crypto
from mamori.rights.models import RequestFile, RightsRequest
from mamori.rights.models.requests import with_email
from mamori.rights.services.intake import Submission, Upload, submit_request

CONTACT_COLUMNS = ("requester_name", "requester_email", "postal_address", "phone", "agent_name", "agent_email")
CLEAR = {
    "requester_name": "Ann Smith",
    "requester_email": "Ann.Smith@Example.com",
    "postal_address": "1 Main St, Tokyo",
    "phone": "+81-3-5555-0100",
}


def _submit(organisation: str, **overrides: object) -> RightsRequest:
    values: dict[str, object] = {**CLEAR, **overrides}
    if values.get("is_agent"):
        values["uploads"] = [
            Upload(kind, f"{kind}.pdf", "application/pdf", b"%PDF-1.4")
            for kind in (RequestFile.Kind.AGENT_PERMISSION, RequestFile.Kind.AGENT_IDENTITY)
        ]
    submission = Submission(organisation=organisation, right="access", jurisdiction="US-CA", **values)  # type: ignore[arg-type]
    found, _token = submit_request(submission, Actor.system("requester"))
    return found


def _raw_row(pk: int) -> dict[str, str]:
    columns = ", ".join((*CONTACT_COLUMNS, "requester_email_hash", "agent_email_hash"))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM rights_rightsrequest WHERE id = %s", [pk])  # noqa: S608 (constants)
        row = cursor.fetchone()
    return dict(zip((*CONTACT_COLUMNS, "requester_email_hash", "agent_email_hash"), row, strict=True))


@pytest.mark.django_db
def test_columns_hold_tokens_and_the_model_round_trips(ipro: str) -> None:
    found = _submit(ipro)
    raw = _raw_row(found.pk)
    for name, clear in CLEAR.items():
        assert clear not in raw[name] and clear.lower() not in raw[name].lower()
        assert crypto.decrypt(raw[name].encode("ascii")).decode() == clear
    assert raw["agent_name"] == "" and raw["agent_email"] == ""  # blank stays blank
    reloaded = RightsRequest.objects.get(pk=found.pk)
    assert {name: getattr(reloaded, name) for name in CLEAR} == CLEAR
    # Japanese text survives the round trip too.
    reloaded.requester_name = "山田太郎"
    reloaded.save()
    assert RightsRequest.objects.get(pk=found.pk).requester_name == "山田太郎"
    assert "山田" not in _raw_row(found.pk)["requester_name"]


@pytest.mark.django_db
def test_addresses_are_found_by_keyed_hash_and_encrypted_columns_refuse_lookups(ipro: str) -> None:
    found = _submit(ipro)
    agent_request = _submit(
        ipro, requester_email="", is_agent=True, agent_name="Bob Agent", agent_email="bob@agents.example"
    )
    other = _submit(ipro, requester_email="someone@else.example")
    raw = _raw_row(found.pk)
    assert raw["requester_email_hash"] == crypto.keyed_email_hash("ann.smith@example.com")
    assert "example" not in raw["requester_email_hash"] and len(raw["requester_email_hash"]) == 64
    everything = RightsRequest.objects.all()
    assert list(with_email(everything, "  ANN.SMITH@example.COM ")) == [found]
    assert list(with_email(everything, "bob@agents.example")) == [agent_request]
    assert list(with_email(everything, "")) == []
    assert other not in with_email(everything, "ann.smith@example.com")
    with pytest.raises(FieldError, match="encrypted"):
        RightsRequest.objects.filter(requester_email="ann.smith@example.com").count()
    # The hash follows a changed address.
    found.requester_email = "new@example.com"
    found.save(update_fields=["requester_email"])
    assert list(with_email(everything, "new@example.com")) == [found]


@pytest.mark.django_db
def test_staff_see_the_details_and_search_by_address_without_it_in_urls(
    client_as: Callable[[User], Client], agent: User, marketing: User, ipro: str
) -> None:
    first = _submit(ipro)
    second = _submit(ipro, requester_email="ann.smith@example.com")
    stranger = _submit(ipro, requester_email="someone@else.example", requester_name="Carl")
    staff = client_as(agent)
    response = staff.post("/console/requests/?status=all", {"email": " ANN.smith@example.com"})
    assert response.status_code == 302
    assert "example" not in response["Location"] and "email_hash=" in response["Location"]
    page = staff.get(response["Location"]).content.decode()
    assert first.reference in page and second.reference in page and stranger.reference not in page
    nothing = staff.get(staff.post("/console/requests/", {"email": "nobody@nowhere.example"})["Location"])
    assert first.reference not in nothing.content.decode()
    detail = staff.get(f"/console/requests/{first.pk}/").content.decode()
    for clear in CLEAR.values():
        assert clear in detail
    assert second.reference in detail and stranger.reference not in detail  # the other request at this address
    # Wrong role: no search, no details.
    refused = client_as(marketing)
    assert refused.post("/console/requests/", {"email": "ann.smith@example.com"}).status_code == 403
    assert refused.get(f"/console/requests/{first.pk}/").status_code == 403


@pytest.mark.django_db
def test_emails_still_greet_the_requester_and_the_audit_log_never_holds_the_details(
    ipro: str, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        found = _submit(ipro)
    receipts = [message for message in mail.outbox if message.to == [CLEAR["requester_email"]]]
    assert receipts and any("Ann Smith" in message.body for message in receipts)
    entries = " ".join(str(entry.details) for entry in AuditEntry.objects.all())
    assert found.reference in entries
    for clear in CLEAR.values():
        assert clear not in entries and clear.lower() not in entries.lower()


@pytest.mark.django_db(transaction=True)
def test_the_data_migration_encrypts_existing_rows_and_is_reversible(ipro: str) -> None:
    found = _submit(ipro, is_agent=True, agent_name="Bob Agent", agent_email="Bob@Agents.example")
    try:
        call_command("migrate", "rights", "0001_initial", verbosity=0)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT requester_name, requester_email, postal_address, phone, agent_name, agent_email "
                "FROM rights_rightsrequest WHERE id = %s",
                [found.pk],
            )
            assert cursor.fetchone() == (*CLEAR.values(), "Bob Agent", "Bob@Agents.example")
    finally:
        call_command("migrate", "rights", verbosity=0)
    raw = _raw_row(found.pk)
    for name, clear in {**CLEAR, "agent_name": "Bob Agent", "agent_email": "Bob@Agents.example"}.items():
        assert clear not in raw[name]
    assert raw["requester_email_hash"] == crypto.keyed_email_hash(CLEAR["requester_email"])
    assert raw["agent_email_hash"] == crypto.keyed_email_hash("bob@agents.example")
    reloaded = RightsRequest.objects.get(pk=found.pk)
    assert (reloaded.requester_name, reloaded.agent_email) == ("Ann Smith", "Bob@Agents.example")
