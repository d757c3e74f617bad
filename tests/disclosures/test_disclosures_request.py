"""A "disclosure of third-party provision records" request on the privacy center is answered from
the register through the normal workflow, in the requester's language, electronically or on paper."""

from __future__ import annotations

import io
import itertools
import json
import zipfile
from collections.abc import Callable

import pytest
from django.test import Client

from mamori.accounts.models import User
from mamori.audit.services import Actor
from mamori.disclosures.models import Direction
from mamori.disclosures.services import record_batch
from mamori.rights.models import RequestStatus, RightsRequest
from tests.rights.conftest import last_code

from .conftest import apply_example

pytestmark = pytest.mark.django_db(transaction=True)
_ips = itertools.count(1)


def seed_register() -> None:
    actor = Actor.cli("test")
    record_batch(
        "inpro",
        Direction.PROVISION,
        [
            {
                "client_key": "guides-1",
                "recipient": "overseas-partners",
                "transferred_on": "2026-10-01",
                "consent_document": "booking form consent",
                "people": [
                    {"identities": {"email": "kenji@example.jp"}},
                    {"identities": {"email": "other@example.jp"}},
                ],
            },
            {
                "client_key": "ads-1",
                "recipient": "opt-out-partners",
                "transferred_on": "2026-10-05",
                "people": [{"identities": {"email": "other@example.jp"}}],
            },
        ],
        actor,
    )
    record_batch(
        "inpro",
        Direction.RECEIPT,
        [
            {
                "client_key": "bureau-1",
                "source": "credit-bureaus",
                "basis": "consent",
                "transferred_on": "2026-09-01",
                "provider": {"address": "1-2-3 Nishi-Shinjuku, Tokyo", "representative": "Taro Credit"},
                "consent_document": "membership terms",
                "people": [{"identities": {"email": "KENJI@example.jp"}}],
            },
        ],
        actor,
    )


def disclosure_zip(
    client: Client, staff: Client, org: str, name: str, email: str, language: str, delivery: str
) -> tuple[RightsRequest, zipfile.ZipFile]:
    """A provision-records request through the privacy center and the console, to its downloaded answer."""
    form = client.get(f"/privacy/{org}/requests/new/?jurisdiction=JP", HTTP_ACCEPT_LANGUAGE=language)
    assert b'value="provision_records"' in form.content
    number = next(_ips)
    response = client.post(
        f"/privacy/{org}/requests/new/",
        {
            "jurisdiction": "JP",
            "right": "provision_records",
            "requester_name": name,
            "requester_email": email,
            "delivery": delivery,
            "postal_address": "埼玉県熊谷市1-1" if delivery == "paper" else "",
        },
        HTTP_ACCEPT_LANGUAGE=language,
        REMOTE_ADDR=f"10.9.0.{number}",
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    token = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    found = RightsRequest.objects.latest("pk")
    assert found.language == language and found.right == "provision_records"
    client.post(f"/privacy/{org}/requests/status/{token}/verify/", {"code": last_code()})
    staff.post(f"/console/requests/{found.pk}/accept_identity/")
    staff.post(f"/console/requests/{found.pk}/plan/")  # showing the plan starts nothing (issue 9)
    staff.post(f"/console/requests/{found.pk}/execute/", {"confirmed": "yes"})  # the second, confirmed step
    found.refresh_from_db()
    assert found.status == RequestStatus.COMPLETED
    client.post(f"/privacy/{org}/requests/status/{token}/download/code/")  # a fresh code opens the download
    download = client.post(f"/privacy/{org}/requests/status/{token}/download/", {"code": last_code()})
    assert download.status_code == 200
    return found, zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))


@pytest.mark.parametrize(
    ("language", "delivery", "expected"),
    [
        ("en", "electronic", ["Interpreters and tour guides in foreign countries", "Credit bureaus", "Name"]),
        ("ja", "paper", ["外国にある通訳者・観光ガイド", "信用情報機関", "氏名", "第三者提供記録"]),
    ],
)
def test_a_provision_records_request_yields_the_persons_records(
    client: Client,
    officer: User,
    client_as: Callable[[User], Client],
    language: str,
    delivery: str,
    expected: list[str],
) -> None:
    apply_example("inpro")
    seed_register()
    found, archive = disclosure_zip(
        client, client_as(officer), "inpro", "Kenji Sato", "kenji@example.jp", language, delivery
    )
    assert found.plan == {"register": {"records": 2, "action": "disclose"}}
    assert found.outcome_summary == {"register": 2}
    html = archive.read("provision-records.html").decode()
    for text in expected:
        assert text in html
    assert "Advertising partners" not in html and "広告提携先" not in html  # another person's record
    rows = json.loads(archive.read("provision-records.json"))["records"]
    assert sorted(row["kind"] for row in rows) == ["provision", "receipt"]
    assert "other@example.jp" not in html


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["Google", "Google LLC", "Shared by the social network when you choose to log in", "E-mail address"]),
        (
            "ja",
            ["Google", "Google LLC", "お客様がソーシャルログインを選択した際に", "メールアドレス", "第三者提供記録"],
        ),
    ],
)
def test_the_demo_answers_hanakos_request_from_its_register(
    client: Client, officer: User, client_as: Callable[[User], Client], language: str, expected: list[str]
) -> None:
    from mamori.disclosures.demo import ensure_demo_records

    apply_example("onemall")
    assert ensure_demo_records("onemall") == 2 and ensure_demo_records("onemall") == 0
    _, archive = disclosure_zip(
        client, client_as(officer), "onemall", "Hanako Yamada", "hanako.yamada@example.jp", language, "electronic"
    )
    html = archive.read("provision-records.html").decode()
    for text in expected:
        assert text in html, text
    assert "demo-customer-1" not in html
