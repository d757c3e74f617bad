"""The register in the console: who may see it, filters, one person's records, RoPA downloads."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.test import Client
from openpyxl import load_workbook

from mamori.accounts.models import User
from mamori.audit.models import AuditEntry
from mamori.audit.services import Actor
from mamori.disclosures.models import Direction, TransferRecord
from mamori.disclosures.services import record_batch

from .conftest import apply_example

URLS = [
    "/console/records/",
    "/console/records/{pk}/",
    "/console/records/ropa/picocela/xlsx/ja/",
    "/console/records/ropa/picocela/html/en/",
]


@pytest.fixture
def stored(db: None) -> TransferRecord:
    apply_example("picocela")
    return (
        record_batch(
            "picocela",
            Direction.PROVISION,
            [
                {
                    "client_key": "prize-1",
                    "recipient": "prize-providers",
                    "transferred_on": "2026-11-29",
                    "consent_document": "entry form",
                    "people": [{"identities": {"email": "winner@example.jp"}}],
                },
                {
                    "client_key": "ads-1",
                    "recipient": "advertisers",
                    "transferred_on": "2026-11-01",
                    "consent_document": "request form",
                    "people": [{"identities": {"email": "other@example.jp"}}],
                },
            ],
            Actor.cli("test"),
        )
        .stored[0]
        .record
    )


@pytest.mark.parametrize("role", ["officer", "admin_user", "auditor"])
def test_readers_see_the_register_and_download_the_ropa(
    request: pytest.FixtureRequest, role: str, stored: TransferRecord, client_as: Callable[[User], Client]
) -> None:
    client = client_as(request.getfixturevalue(role))
    for url in URLS:
        response = client.get(url.format(pk=stored.pk))
        assert response.status_code == 200, url
    page = client.get("/console/records/").content.decode()
    assert "Prize providers" in page and "winner@example.jp" not in page
    book = load_workbook(io.BytesIO(client.get(URLS[2]).content))
    assert "個人データ管理台帳" in book.sheetnames


@pytest.mark.parametrize("role", ["agent", "marketing", "outsider"])
def test_other_roles_are_refused(
    request: pytest.FixtureRequest, role: str, stored: TransferRecord, client_as: Callable[[User], Client]
) -> None:
    client = client_as(request.getfixturevalue(role))
    for url in URLS:
        assert client.get(url.format(pk=stored.pk)).status_code == 403, url
    assert (
        client.post(
            "/console/records/", {"organisation": "picocela", "kind": "email", "value": "winner@example.jp"}
        ).status_code
        == 403
    )
    assert b"/console/records/" not in client.get("/console/").content


def test_anonymous_is_sent_to_sign_in(client: Client, stored: TransferRecord) -> None:
    response = client.get("/console/records/")
    assert response.status_code == 302 and "/console/login/" in response["Location"]


def test_filters_and_one_persons_records(
    officer: User, stored: TransferRecord, client_as: Callable[[User], Client]
) -> None:
    client = client_as(officer)
    page = client.get("/console/records/?counterparty=advert").content.decode()
    assert "Advertisers" in page and "Prize providers" not in page
    page = client.get("/console/records/?date_from=2026-11-15").content.decode()
    assert "Prize providers" in page and "Advertisers on this website" not in page
    found = client.post(
        "/console/records/", {"organisation": "picocela", "kind": "email", "value": "Winner@example.jp"}
    ).content.decode()
    assert "Prize providers" in found and "Advertisers on this website" not in found
    entry = AuditEntry.objects.filter(action="records.person_looked_up").get()
    assert "winner" not in str(entry.details).lower()
    refused = client.post("/console/records/", {"organisation": "picocela", "kind": "passport", "value": "X"})
    assert refused.status_code == 200 and "not an identity kind" in refused.content.decode()


def test_unknown_record_and_export_are_404(
    officer: User, stored: TransferRecord, client_as: Callable[[User], Client]
) -> None:
    client = client_as(officer)
    assert client.get("/console/records/999999/").status_code == 404
    assert client.get("/console/records/ropa/nobody/xlsx/en/").status_code == 404
    assert client.get("/console/records/ropa/picocela/pdf/en/").status_code == 404
    assert client.get("/console/records/ropa/picocela/html/en/?version=7").status_code == 404
    assert b"picocela v1" in client.get("/console/records/ropa/picocela/html/en/?version=1").content
