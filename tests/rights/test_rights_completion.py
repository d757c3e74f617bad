"""No completion without the work: the real engine on a small shop, every surface, confirmations.

Observed before: an erasure request marked "Identity verified" then "Complete" (plan never shown or
run) became Completed and the requester was told so, while her rows were still in the shop.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from mamori.accounts.models import User
from mamori.api.services import create_token
from mamori.audit.models import AuditEntry
from mamori.audit.services import Actor
from mamori.catalog.services import apply_map
from mamori.fulfilment.models import ManualTask
from mamori.fulfilment.services.manual_tasks import complete_manual_task
from mamori.rights.models import Channel, RequestStatus, RightsRequest
from mamori.rights.services import verification, workflow
from mamori.rights.services.common import RightsError
from mamori.rights.services.intake import Submission, submit_request

from .conftest import FakeEngine

pytestmark = pytest.mark.django_db(transaction=True)  # jobs and e-mails run after commit


def _shop(path: Path) -> str:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT)")
        connection.executemany("INSERT INTO customers VALUES (?, ?)", [(1, "ann@example.com"), (2, "bob@example.com")])
    return f"sqlite:///{path}"


def _rows(path: Path) -> list[str]:
    with sqlite3.connect(path) as connection:
        return [row[0] for row in connection.execute("SELECT email FROM customers ORDER BY id")]


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "tinyshop.sqlite3"
    monkeypatch.setenv("MAMORI_TINYSHOP_DB_URL", _shop(path))
    return path


def _tinyshop(map_dir: Path) -> str:
    return apply_map([map_dir], Actor.cli("test")).organisation


def _verified(org: str, right: str = "erasure", jurisdiction: str = "JP") -> RightsRequest:
    found, _token = submit_request(
        Submission(
            organisation=org,
            right=right,
            jurisdiction=jurisdiction,
            requester_name="Ann",
            requester_email="ann@example.com",
            channel=Channel.PHONE,
        ),
        Actor.system("requester"),
    )
    verification.review_identity(found, Actor.system("staff"), accept=True)
    found.refresh_from_db()
    assert found.status == RequestStatus.VERIFIED
    return found


def _code(call: Callable[[], Any]) -> str:
    with pytest.raises(RightsError) as caught:
        call()
    return caught.value.code


def test_erasure_cannot_be_completed_before_the_rows_are_gone(
    shop: Path, map_dir: Path, officer: User, client_as: Callable[[User], Client]
) -> None:
    found = _verified(_tinyshop(map_dir))
    staff = client_as(officer)
    mail.outbox.clear()
    # The service refuses, whatever the surface: console (even confirmed), API, direct call.
    assert _code(lambda: workflow.complete(found, Actor.system("cli"), message="done")) == "work_not_done"
    page = staff.post(f"/console/requests/{found.pk}/complete/", {"message": "done", "confirmed": "yes"}, follow=True)
    assert "execute it before completing" in page.content.decode()
    _token, secret = create_token(officer, "ops", ["requests:write"], Actor.cli("test"))
    api = Client().post(
        f"/api/v1/requests/{found.pk}/complete",
        {"message": "done"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert 400 <= api.status_code < 500 and api["Content-Type"].startswith("application/problem+json")
    found.refresh_from_db()
    assert found.status == RequestStatus.VERIFIED and not mail.outbox
    assert _rows(shop) == ["ann@example.com", "bob@example.com"]

    # Showing the plan only shows it.
    staff.post(f"/console/requests/{found.pk}/plan/")
    found.refresh_from_db()
    assert found.status == RequestStatus.VERIFIED and found.plan and found.plan["run"]
    # Executing is irreversible: without the second step nothing happens.
    response = staff.post(f"/console/requests/{found.pk}/execute/")
    assert response.status_code == 302 and response["Location"].endswith(f"/{found.pk}/execute/confirm/")
    assert _rows(shop) == ["ann@example.com", "bob@example.com"]
    confirm = staff.get(response["Location"]).content.decode()
    assert found.reference in confirm and "cannot be brought back" in confirm and "btn-danger" in confirm
    staff.post(f"/console/requests/{found.pk}/execute/", {"confirmed": "yes"})
    found.refresh_from_db()
    assert _rows(shop) == ["bob@example.com"]
    assert found.status == RequestStatus.COMPLETED and found.outcome_status == "completed"
    assert "complete" in mail.outbox[-1].subject


def _with_paper_files(edit_map: Callable[..., None]) -> None:
    def add(data: dict[str, Any]) -> None:
        data["systems"].append(
            {
                "id": "paper-files",
                "name": {"en": "Paper files", "ja": "紙の書類"},
                "connector": "manual",
                "instructions": {"en": "Shred the customer's forms.", "ja": "書類を裁断してください。"},
            }
        )

    edit_map("data.yaml", add)


def test_a_partial_run_can_be_finished_or_denied_but_not_completed(
    shop: Path, map_dir: Path, edit_map: Callable[..., None], officer: User, client_as: Callable[[User], Client]
) -> None:
    _with_paper_files(edit_map)
    org = _tinyshop(map_dir)
    found = _verified(org)
    actor = Actor.for_user(officer)
    workflow.show_plan(found, actor)
    workflow.request_execution(found, actor)
    found.refresh_from_db()
    assert _rows(shop) == ["bob@example.com"] and found.status == RequestStatus.IN_PROGRESS
    assert found.outcome_status == "needs_review"  # the paper files wait for staff
    page = client_as(officer).get(f"/console/requests/{found.pk}/").content.decode()
    assert "Partly done" in page
    assert _code(lambda: workflow.complete(found, actor, message="")) == "work_partial"
    task = ManualTask.objects.get(run__request_id=found.pk)
    complete_manual_task(task.pk, officer, note="Shredded the two forms on 3 March")
    found.refresh_from_db()  # the run ended completed: it is handed back and completes the request
    assert found.status == RequestStatus.COMPLETED and found.outcome_status == "completed"

    other = _verified(org, right="access")
    workflow.show_plan(other, actor)
    workflow.request_execution(other, actor)
    assert _code(lambda: workflow.complete(other, actor, message="")) == "work_partial"
    workflow.deny(other, "appi_business_interference", actor)  # denying with a ground stays possible
    other.refresh_from_db()
    assert other.status == RequestStatus.DENIED


def test_a_failed_run_shows_as_failed_not_in_progress(
    ipro: str, engine: FakeEngine, officer: User, client_as: Callable[[User], Client]
) -> None:
    engine.status = "failed"
    found = _verified(ipro, right="access", jurisdiction="US-CA")
    staff = client_as(officer)
    staff.post(f"/console/requests/{found.pk}/plan/")
    staff.post(f"/console/requests/{found.pk}/execute/", {"confirmed": "yes"})
    found.refresh_from_db()
    assert found.outcome_status == "failed" and found.status == RequestStatus.IN_PROGRESS
    assert "Failed: the work was not done." in staff.get(f"/console/requests/{found.pk}/").content.decode()
    assert _code(lambda: workflow.complete(found, Actor.for_user(officer), message="")) == "work_partial"


def test_irreversible_actions_ask_for_a_second_step(
    ipro: str, engine: FakeEngine, officer: User, client_as: Callable[[User], Client]
) -> None:
    found = _verified(ipro, right="access", jurisdiction="US-CA")
    staff = client_as(officer)
    detail = staff.get(f"/console/requests/{found.pk}/").content.decode()
    assert f"/console/requests/{found.pk}/deny/confirm/" in detail
    # Complete is offered once the work is done (an access request: after its run), not before.
    assert f"/console/requests/{found.pk}/complete/confirm/" not in detail
    for action in ("complete", "deny"):
        response = staff.post(f"/console/requests/{found.pk}/{action}/", {"ground": "cpra_exception"})
        assert response["Location"].endswith(f"/{action}/confirm/")
        found.refresh_from_db()
        assert found.status == RequestStatus.VERIFIED
        page = staff.get(response["Location"]).content.decode()
        assert found.reference in page and "cannot be reopened" in page and "btn-danger" in page
    staff.post(f"/console/requests/{found.pk}/deny/", {"ground": "cpra_exception", "confirmed": "yes"})
    found.refresh_from_db()
    assert found.status == RequestStatus.DENIED
    assert AuditEntry.objects.filter(action="request.denied", target_id=str(found.pk)).count() == 1


def test_rights_without_work_complete_as_before(ipro: str, officer: User) -> None:
    found = _verified(ipro, right="opt_out_sale_sharing", jurisdiction="US-CA")
    workflow.complete(found, Actor.for_user(officer), message="Opted out.")
    found.refresh_from_db()
    assert found.status == RequestStatus.COMPLETED


def test_access_includes_what_mamori_holds_and_erasure_forgets_it(shop: Path, map_dir: Path, officer: User) -> None:
    import io
    import json
    import uuid
    import zipfile
    from datetime import UTC, datetime

    from django.utils import timezone

    from mamori.consent.models import ConsentEvent, Subscription
    from mamori.core import crypto
    from mamori.core.crypto import consent_email_hash as email_hash
    from mamori.core.crypto import consent_identifier_hash as keyed_hash
    from mamori.rights.models import RequestFile

    org = _tinyshop(map_dir)
    Subscription.objects.create(
        organisation=org,
        topic="news",
        email_hash=email_hash("ann@example.com"),
        email_encrypted=crypto.encrypt(b"ann@example.com"),
        status="confirmed",
        confirmed_at=timezone.now(),
    )
    ConsentEvent.objects.create(
        event_id=uuid.uuid4(),
        site="shop",
        organisation=org,
        map_version=1,
        notice_version=1,
        banner_text_hash="0" * 64,
        language="en",
        choices={"analytics": True},
        granted=",analytics,",
        method="click",
        device_hash="1" * 64,
        subject_hash=keyed_hash("subject", f"{org}:ann@example.com"),
        chosen_at=datetime(1970, 1, 1, tzinfo=UTC),  # a v4 id carries no time: the epoch
        seal="2" * 64,
    )
    actor = Actor.for_user(officer)
    access = _verified(org, right="access")
    workflow.show_plan(access, actor)
    workflow.request_execution(access, actor)
    access.refresh_from_db()
    assert access.status == RequestStatus.COMPLETED
    package = access.files.get(kind=RequestFile.Kind.RESULT)
    with zipfile.ZipFile(io.BytesIO(crypto.decrypt(bytes(package.encrypted)))) as archive:
        held = json.loads(archive.read("mamori-records.json"))
    assert [s["status"] for s in held["subscriptions"]] == ["confirmed"]
    assert held["consent_records"][0]["choices"] == {"analytics": True}
    assert "ann@example.com" not in json.dumps(held)  # what was kept, not how it is looked up

    erasure = _verified(org)
    workflow.show_plan(erasure, actor)
    erasure.refresh_from_db()
    assert erasure.plan["mamori_records"] == {
        "subscriptions": 1,
        "requests": 1,
        "consent_records": 1,
        "sale_opt_outs": 0,
    }
    workflow.request_execution(erasure, actor)
    erasure.refresh_from_db()
    assert erasure.status == RequestStatus.COMPLETED
    subscription = Subscription.objects.get()
    assert subscription.email_encrypted is None and subscription.status == "withdrawn"
    access.refresh_from_db()
    assert access.requester_email == "" and access.requester_name == ""  # the record stays, de-identified
    assert ConsentEvent.objects.count() == 1  # proof of consent, keyed hashes only


def test_appi_disclosure_leaves_out_history_information_gdpr_access_does_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, map_dir: Path, edit_map: Callable[..., None], officer: User
) -> None:
    import io
    import json
    import zipfile

    from mamori.core import crypto
    from mamori.rights.models import RequestFile

    path = tmp_path / "shop-with-ip.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT, last_ip TEXT)")
        connection.execute("INSERT INTO customers VALUES (1, 'ann@example.com', '192.0.2.7')")
    monkeypatch.setenv("MAMORI_TINYSHOP_DB_URL", f"sqlite:///{path}")

    def add_ip(data: dict[str, Any]) -> None:
        data["data_categories"].append(
            {
                "id": "network.ip_address",
                "name": {"en": "IP address", "ja": "IPアドレス"},
                "appi_class": "history_characteristic",
            }
        )
        data["purposes"][0]["categories"].append("network.ip_address")
        data["retention"][0]["categories"].append("network.ip_address")
        data["systems"][0]["tables"][0]["fields"].append(
            {"name": "last_ip", "category": "network.ip_address", "erase": "null"}
        )

    edit_map("data.yaml", add_ip)
    org = _tinyshop(map_dir)
    actor = Actor.for_user(officer)

    def package_row(jurisdiction: str) -> dict[str, Any]:
        found = _verified(org, right="access", jurisdiction=jurisdiction)
        workflow.show_plan(found, actor)
        workflow.request_execution(found, actor)
        stored = found.files.get(kind=RequestFile.Kind.RESULT)
        with zipfile.ZipFile(io.BytesIO(crypto.decrypt(bytes(stored.encrypted)))) as archive:
            return dict(json.loads(archive.read("data/shop-db/customers.json"))["rows"][0])

    assert "last_ip" not in package_row("JP")  # NP1: history and characteristic information left out
    assert package_row("EU-FR")["last_ip"] == "192.0.2.7"


def test_staff_record_a_minor_and_the_engine_erases_them(
    shop: Path, map_dir: Path, agent: User, client_as: Callable[[User], Client]
) -> None:
    """OM11, CP9: no requester verification; reason and actor audited; no sale or sharing meanwhile."""
    from mamori.consent.models import SaleOptOut
    from mamori.core.crypto import consent_email_hash as email_hash

    org = _tinyshop(map_dir)
    staff = client_as(agent)
    mail.outbox.clear()
    form = staff.get(f"/console/requests/minor/?org={org}").content.decode()
    assert 'class="danger"' in form and "without asking them to verify" in form
    refused = staff.post(
        "/console/requests/minor/",
        {
            "org": org,
            "jurisdiction": "JP",
            "requester_name": "Ann",
            "requester_email": "ann@example.com",
            "reason": "guess",
        },
    )
    assert refused.status_code == 200 and not RightsRequest.objects.exists()
    response = staff.post(
        "/console/requests/minor/",
        {
            "org": org,
            "jurisdiction": "JP",
            "requester_name": "Ann",
            "requester_email": "ann@example.com",
            "reason": "parent_or_guardian",
            "note": "Her mother called on 3 March",
        },
    )
    found = RightsRequest.objects.get()
    assert response["Location"].endswith(f"/console/requests/{found.pk}/")
    assert found.status == RequestStatus.VERIFIED and found.identity_method == "minor_recorded" and found.plan
    assert not mail.outbox  # nothing asked of the child
    assert SaleOptOut.objects.filter(organisation=org, email_hash=email_hash("ann@example.com")).exists()
    entry = AuditEntry.objects.get(action="request.minor_recorded")
    assert entry.details["reason"] == "parent_or_guardian" and entry.actor_id == str(agent.pk)
    assert "mother" not in str(entry.details)
    staff.post(f"/console/requests/{found.pk}/execute/", {"confirmed": "yes"})
    found.refresh_from_db()
    assert found.status == RequestStatus.COMPLETED and _rows(shop) == ["bob@example.com"]
