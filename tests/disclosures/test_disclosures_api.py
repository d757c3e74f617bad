"""The bulk API of the register: the example maps' provisions and receipts, all-or-nothing batches,
idempotent client keys, and 4xx problems for every kind of bad input."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mamori.accounts.models import User
from mamori.api.services import ApiTokenError, create_token
from mamori.audit.models import AuditEntry
from mamori.audit.services import Actor
from mamori.disclosures.models import RecordPerson, TransferRecord
from mamori.disclosures.services import dispose_expired, records_of_person

from .conftest import apply_example

PROBLEM = "application/problem+json"


def post(client: Client, secret: str, kind: str, body: Any) -> Any:
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post(
        f"/api/v1/records/{kind}", data=data, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}"
    )


@pytest.fixture
def secret(officer: User) -> str:
    return create_token(officer, "crm", ["records:write"], Actor.cli("test"))[1]


def people(count: int, consent: bool = False) -> list[dict[str, Any]]:
    return [
        {"identities": {"email": f"person{n}@example.jp"}, **({"consent_document": f"form-{n}"} if consent else {})}
        for n in range(count)
    ]


def test_picocela_sends_five_thousand_prize_winners_in_one_call(client: Client, secret: str) -> None:
    apply_example("picocela")
    body = {
        "organisation": "picocela",
        "records": [
            {
                "client_key": "prize-2026-11-29",
                "recipient": "prize-providers",
                "transferred_on": "2026-11-29",
                "made_from": "bulk",
                "consent_document": "campaign entry form v3 (consent box)",
                "people": people(5000),
            }
        ],
    }
    response = post(client, secret, "provisions", body)
    assert response.status_code == 201, response.content
    answer = response.json()["records"][0]
    assert answer["status"] == "created" and answer["people"] == 5000
    stored = TransferRecord.objects.get()
    assert stored.basis == "consent" and stored.counterparty_id == "prize-providers"
    assert stored.categories == ["contact.name", "contact.postal_address", "contact.phone"]
    assert stored.dispose_after.date().isoformat() == "2029-11-29"  # 3 years for bulk provision
    assert RecordPerson.objects.count() == 5000
    assert "person7@example.jp" not in json.dumps(list(RecordPerson.objects.values_list("identity_hash")[:20]))
    # The same call again is a retry: nothing more is stored.
    again = post(client, secret, "provisions", body)
    assert again.status_code == 200 and again.json()["records"][0]["status"] == "unchanged"
    assert TransferRecord.objects.count() == 1 and RecordPerson.objects.count() == 5000
    found = records_of_person("picocela", {"email": "Person7@Example.jp "})
    assert [record.pk for record in found] == [stored.pk]
    assert AuditEntry.objects.filter(action="records.provision_recorded").count() == 1


def test_inpro_opt_out_provision_needs_the_date_and_receipt_from_a_credit_bureau(client: Client, secret: str) -> None:
    apply_example("inpro")
    missing_date = {
        "organisation": "inpro",
        "records": [
            {"client_key": "ads-1", "recipient": "opt-out-partners", "people": [{"identities": {"user_id": "M-1"}}]}
        ],
    }
    refused = post(client, secret, "provisions", missing_date)
    assert refused.status_code == 422 and refused["Content-Type"] == PROBLEM
    assert refused.json()["errors"] == [
        {"index": 0, "field": "transferred_on", "message": "this field is required", "code": "required"}
    ]
    missing_date["records"][0]["transferred_on"] = "2026-11-02"
    assert post(client, secret, "provisions", missing_date).status_code == 201
    receipt = {
        "organisation": "inpro",
        "records": [
            {
                "client_key": "bureau-2026-11",
                "source": "credit-bureaus",
                "basis": "consent",
                "provider": {"address": "1-2-3 Nishi-Shinjuku, Tokyo", "representative": "Taro Credit, President"},
                "consent_document": "membership terms art. 12",
                "people": [{"identities": {"email": "m1@example.jp"}}],
            }
        ],
    }
    response = post(client, secret, "receipts", receipt)
    assert response.status_code == 201, response.content
    stored = TransferRecord.objects.get(direction="receipt")
    assert stored.counterparty_name == "Credit bureaus"  # from the map's source
    assert stored.how_obtained.startswith("Credit information registered")
    # An opt-out provider's PPC publication is required.
    receipt["records"][0].update(client_key="bureau-2", basis="opt_out", transferred_on="2026-11-03")
    refused = post(client, secret, "receipts", receipt)
    assert refused.status_code == 422
    assert [error["field"] for error in refused.json()["errors"]] == ["ppc_publication"]


def test_onemall_consent_evidence_from_the_ledger(client: Client, secret: str) -> None:
    apply_example("onemall")
    body = {
        "organisation": "onemall",
        "records": [
            {
                "client_key": "ga-1",
                "recipient": "google",
                "transferred_on": "2026-11-20",
                "people": [{"identities": {"email": "hanako.yamada@example.jp"}, "consent_event": str(uuid.uuid4())}],
            }
        ],
    }
    refused = post(client, secret, "provisions", body)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["code"] == "unknown_consent"
    body["records"][0]["people"][0].pop("consent_event")
    refused = post(client, secret, "provisions", body)
    assert refused.json()["errors"][0]["code"] == "consent_missing"
    body["records"][0]["people"][0]["consent_document"] = "banner consent (advertising) 2026-11-20"
    assert post(client, secret, "provisions", body).status_code == 201


@pytest.mark.parametrize(
    ("recipient", "reason"),
    [
        ("stripe", "entrustment to a processor"),
        ("authorities", "legal exception"),
    ],
)
def test_provisions_that_need_no_record_are_refused_with_the_reason(
    client: Client, secret: str, recipient: str, reason: str
) -> None:
    apply_example("onemall")
    body = {"organisation": "onemall", "records": [{"client_key": "x", "recipient": recipient, "people": people(1)}]}
    refused = post(client, secret, "provisions", body)
    assert refused.status_code == 422 and reason in refused.json()["errors"][0]["message"]
    assert TransferRecord.objects.count() == 0


def test_inpro_succession_and_joint_use_need_no_record(client: Client, secret: str) -> None:
    apply_example("inpro")
    for recipient, reason in (("successor", "business succession"), ("joint-users", "joint use")):
        body = {
            "organisation": "inpro",
            "records": [{"client_key": recipient, "recipient": recipient, "people": people(1)}],
        }
        assert reason in post(client, secret, "provisions", body).json()["errors"][0]["message"]


def test_one_bad_row_stores_nothing_and_every_problem_is_named(client: Client, secret: str) -> None:
    apply_example("picocela")
    good = {"client_key": "a", "recipient": "advertisers", "consent_document": "form", "people": people(3)}
    bad = {
        "client_key": "b",
        "recipient": "nobody",
        "people": [{"identities": {"passport": "X"}}, 5],
        "categories": ["contact.name", "made.up"],
        "surprise": 1,
    }
    response = post(client, secret, "provisions", {"organisation": "picocela", "records": [good, bad]})
    assert response.status_code == 422
    fields = [(error["index"], error["field"]) for error in response.json()["errors"]]
    assert (1, "surprise") in fields and (1, "recipient") in fields and (1, "categories[1]") in fields
    assert (1, "people[0].identities.passport") in fields and (1, "people[1]") in fields
    assert TransferRecord.objects.count() == 0 and RecordPerson.objects.count() == 0


def test_a_reused_client_key_with_other_content_is_a_conflict(client: Client, secret: str) -> None:
    apply_example("picocela")
    record = {"client_key": "k", "recipient": "advertisers", "consent_document": "form", "people": people(2)}
    assert post(client, secret, "provisions", {"organisation": "picocela", "records": [record]}).status_code == 201
    record["people"] = people(3)
    response = post(client, secret, "provisions", {"organisation": "picocela", "records": [record]})
    assert response.status_code == 409 and response.json()["code"] == "key_conflict"


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"\xff\xfe",
        b"[]",
        json.dumps({"organisation": "picocela", "records": "x"}),
        json.dumps({"organisation": "picocela", "records": [{"client_key": "a\u0000", "people": []}]}),
        json.dumps({"organisation": "picocela", "records": [{"client_key": 5, "recipient": ["x"], "people": {}}]}),
        json.dumps({"organisation": "nobody", "records": [{}]}),
        json.dumps({"organisation": "picocela", "records": []}),
    ],
)
def test_bad_input_is_a_4xx_problem(client: Client, secret: str, body: Any) -> None:
    apply_example("picocela")
    response = post(client, secret, "provisions", body)
    assert 400 <= response.status_code < 500 and response["Content-Type"] == PROBLEM
    assert TransferRecord.objects.count() == 0


def test_oversize_body_is_413(client: Client, secret: str, settings: Any) -> None:
    apply_example("picocela")
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = post(
        client,
        secret,
        "provisions",
        {
            "organisation": "picocela",
            "records": [{"client_key": "a", "recipient": "advertisers", "people": people(100, consent=True)}],
        },
    )
    assert response.status_code == 413 and response["Content-Type"] == PROBLEM


def test_the_endpoints_are_in_the_openapi_document(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/records/provisions" in paths and "/api/v1/records/receipts" in paths
    assert "requestBody" in paths["/api/v1/records/provisions"]["post"]


def test_scope_and_role_are_required(client: Client, officer: User, marketing: User) -> None:
    apply_example("picocela")
    body = {"organisation": "picocela", "records": []}
    wrong_scope = create_token(officer, "x", ["map:read"], Actor.cli("test"))[1]
    assert post(client, wrong_scope, "provisions", body).status_code == 403
    with pytest.raises(ApiTokenError):  # a token never carries a scope its owner's role lacks
        create_token(marketing, "x", ["records:write"], Actor.cli("test"))
    assert client.post("/api/v1/records/provisions", data="{}", content_type="application/json").status_code == 401


def test_the_sweep_disposes_records_whose_period_ended(client: Client, secret: str) -> None:
    apply_example("picocela")
    with time_machine.travel(datetime(2026, 1, 10, tzinfo=UTC), tick=False):
        for key, made_from in (("contract", "contract_document"), ("single", "single")):
            body = {
                "organisation": "picocela",
                "records": [
                    {
                        "client_key": key,
                        "recipient": "advertisers",
                        "made_from": made_from,
                        "consent_document": "form",
                        "people": people(2),
                    }
                ],
            }
            assert post(client, secret, "provisions", body).status_code == 201
    assert dispose_expired(datetime(2027, 1, 10, 1, tzinfo=UTC)) == 1  # 1 year: contract documents
    assert list(TransferRecord.objects.values_list("client_key", flat=True)) == ["single"]
    assert dispose_expired(datetime(2029, 1, 9, tzinfo=UTC)) == 0
    assert dispose_expired(datetime(2029, 1, 11, tzinfo=UTC)) == 1
    assert RecordPerson.objects.count() == 0
    assert AuditEntry.objects.filter(action="records.disposed").count() == 2


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    record=st.dictionaries(
        st.sampled_from(
            [
                "client_key",
                "recipient",
                "basis",
                "categories",
                "people",
                "transferred_on",
                "made_from",
                "consent_document",
            ]
        ),
        st.one_of(
            st.text(max_size=5),
            st.integers(),
            st.none(),
            st.lists(st.text(max_size=3)),
            st.dictionaries(st.text(max_size=3), st.text(max_size=3)),
        ),
    )
)
def test_no_record_shape_makes_a_500(client: Client, secret: str, record: dict[str, Any]) -> None:
    apply_example("picocela")
    response = post(client, secret, "provisions", {"organisation": "picocela", "records": [record]})
    assert response.status_code in (201, 200, 400, 422), response.content  # 400: the NUL guard


def test_mamoris_own_transmissions_are_recorded_unless_no_record_is_needed(db: None) -> None:
    from mamori.disclosures.services import record_own_transmission

    apply_example("inpro")
    stored = record_own_transmission(
        "inpro", recipient="other-users", identities={"email": "kenji@example.jp"}, client_key="stop-notice-17"
    )
    assert stored is not None and stored.channel == "automatic" and stored.people_count == 1
    assert (
        record_own_transmission(
            "inpro", recipient="other-users", identities={"email": "kenji@example.jp"}, client_key="stop-notice-17"
        )
        == stored
    )  # a retried job records once
    assert (
        record_own_transmission(
            "inpro", recipient="contractors", identities={"email": "kenji@example.jp"}, client_key="stop-notice-18"
        )
        is None
    )  # entrustment: no record
    assert [r.pk for r in records_of_person("inpro", {"email": "kenji@example.jp"})] == [stored.pk]
