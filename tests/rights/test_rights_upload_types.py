"""Uploads are judged by their content (magic bytes), not by the type the browser declares."""

from __future__ import annotations

import pytest

from mamori.audit.services import Actor
from mamori.core.filetypes import sniff
from mamori.rights.models import RequestFile, RightsRequest
from mamori.rights.services.common import RightsError
from mamori.rights.services.intake import Submission, Upload, submit_request

KINDS = (RequestFile.Kind.AGENT_PERMISSION, RequestFile.Kind.AGENT_IDENTITY)


def _submit(organisation: str, declared: str, data: bytes) -> RightsRequest:
    submission = Submission(
        organisation=organisation,
        right="access",
        jurisdiction="US-CA",
        requester_name="Ann Smith",
        requester_email="ann@example.com",
        is_agent=True,
        agent_name="Agent",
        agent_email="agent@example.com",
        uploads=[Upload(kind, "document", declared, data) for kind in KINDS],
    )
    return submit_request(submission, Actor.system("requester"))[0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data", [b"<html><script>alert(1)</script></html>", b"MZ\x90\x00 an executable", b"%PD not quite"]
)
def test_a_declared_pdf_that_is_not_one_is_refused(ipro: str, data: bytes) -> None:
    with pytest.raises(RightsError) as refused:
        _submit(ipro, "application/pdf", data)
    assert refused.value.code == "bad_document_type"
    assert not RightsRequest.objects.exists()


@pytest.mark.django_db
def test_the_type_found_is_stored_not_the_type_declared(ipro: str) -> None:
    found = _submit(ipro, "text/html", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)
    assert set(found.files.values_list("content_type", flat=True)) == {"image/png"}


def test_sniff_knows_the_accepted_types() -> None:
    assert sniff(b"%PDF-1.7") == "application/pdf"
    assert sniff(b"\xff\xd8\xff\xe0") == "image/jpeg"
    assert sniff(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert sniff(b"\x00\x00\x00\x18ftypheic") == "image/heic"
    assert sniff(b"GIF89a") is None
