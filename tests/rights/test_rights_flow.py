"""End to end: the privacy center form, the code, the console, the answer, the audit log, the sweeps."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from mamori.accounts.models import User
from mamori.audit.models import AuditEntry
from mamori.audit.services import Actor
from mamori.catalog.mapfile import load_map
from mamori.rights.clocks import local_date
from mamori.rights.models import DownloadLog, RequestFile, RequestStatus, RightsRequest, VerificationCode
from mamori.rights.rules import offered_rights, requester_jurisdictions
from mamori.rights.services import records, verification, workflow
from mamori.rights.services.common import RightsError
from mamori.rights.services.intake import Submission, submit_request
from mamori.rights.services.verification import MAX_ATTEMPTS, check_code

from .conftest import EXAMPLES, FakeEngine, download_result, last_code

PDF = b"%PDF-1.4 permission"
_ips = itertools.count(1)
# E-mails and jobs run after commit, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


def submit(client: Client, org: str, **fields: object) -> tuple[RightsRequest, str]:
    data: dict[str, object] = {
        "jurisdiction": "US-CA",
        "right": "access",
        "requester_name": "Ann Smith",
        "requester_email": "ann@example.com",
        "delivery": "electronic",
    }
    data.update(fields)
    number = next(_ips)
    response = client.post(f"/privacy/{org}/requests/new/", data, REMOTE_ADDR=f"10.0.{number // 250}.{number % 250}")
    assert response.status_code == 302, response.content.decode()[:2000]
    token = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    return RightsRequest.objects.latest("pk"), token


def actions(request: RightsRequest) -> list[str]:
    return list(
        AuditEntry.objects.filter(target_type="rights.request", target_id=str(request.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )


@pytest.mark.parametrize("org", ["i-pro", "onemall", "inpro", "picocela"])
def test_every_offered_request_type_can_be_submitted_and_verified(client: Client, db: None, org: str) -> None:
    from mamori.catalog.services import apply_map

    apply_map([EXAMPLES / org], Actor.cli("test"))
    privacy_map = load_map([EXAMPLES / org]).map
    assert client.get(f"/privacy/{org}/requests/new/").status_code == 200
    for jurisdiction in dict.fromkeys(
        code if not code.startswith(("EU-", "EEA-")) else "EU-FR" for code in requester_jurisdictions(privacy_map)
    ):
        for right in offered_rights(privacy_map, jurisdiction):
            # One address per request: codes are limited per address and hour (test_rights_limits).
            found, token = submit(
                client,
                org,
                jurisdiction=jurisdiction,
                right=right,
                requester_email=f"ann.{jurisdiction.lower()}.{right}@example.com",
                message="my phone number is wrong" if right in ("rectification", "addition") else "",
            )
            assert found.status == RequestStatus.VERIFYING and found.right == right
            response = client.post(f"/privacy/{org}/requests/status/{token}/verify/", {"code": last_code()})
            assert response.status_code == 302
            found.refresh_from_db()
            assert found.email_verified_at is not None and found.needs_staff_review  # no engine: staff review


def test_ipro_request_through_the_whole_workflow(
    client: Client, ipro: str, agent: User, engine: FakeEngine, client_as: Callable[[User], Client]
) -> None:
    engine.known = {}  # no data point matches: staff review the identity
    # Christmas Day, 10:00 in California (the requester's jurisdiction dates the receipt).
    with time_machine.travel(datetime(2026, 12, 25, 18, 0, tzinfo=UTC), tick=False):
        found, token = submit(client, ipro, phone="555-0100")
        assert [m.subject for m in mail.outbox][:2] == [
            f"We have received your privacy request {found.reference}",
            "Your verification code: " + last_code(),
        ]
        assert local_date(found.acknowledge_by, "Asia/Tokyo") == date(2027, 1, 11)  # type: ignore[arg-type]
        assert local_date(found.due_at, "Asia/Tokyo") == date(2027, 2, 8)
        status = client.get(f"/privacy/{ipro}/requests/status/{token}/")
        assert status.status_code == 200 and b"2027-02-08" in status.content
        assert client.get(f"/privacy/{ipro}/requests/status/{token}x/").status_code == 404
        client.post(f"/privacy/{ipro}/requests/status/{token}/verify/", {"code": last_code()})

    staff = client_as(agent)
    queue = staff.get("/console/requests/")
    assert queue.status_code == 200 and found.reference.encode() in queue.content
    page = staff.get(f"/console/requests/{found.pk}/")
    assert page.status_code == 200 and b"2027-01-11" in page.content and b"2027-02-08" in page.content
    staff.post(f"/console/requests/{found.pk}/assign/", {"assignee": agent.pk})
    staff.post(f"/console/requests/{found.pk}/note/", {"text": "called back, identity fine"})
    staff.post(f"/console/requests/{found.pk}/accept_identity/")
    found.refresh_from_db()
    assert found.status == RequestStatus.VERIFIED and found.acknowledged_via == "form"
    assert mail.outbox[-1].subject == f"We confirm receipt of your privacy request {found.reference}"
    # A ground from another law is refused and nothing changes.
    staff.post(f"/console/requests/{found.pk}/deny/", {"ground": "appi_harm"})
    found.refresh_from_db()
    assert found.status == RequestStatus.VERIFIED
    staff.post(f"/console/requests/{found.pk}/extend/", {"reason": "many systems to search"})
    found.refresh_from_db()
    assert found.extended_at is not None and local_date(found.due_at, "Asia/Tokyo") == date(2027, 3, 25)
    assert "more time" in mail.outbox[-1].subject
    staff.post(f"/console/requests/{found.pk}/pause/", {"reason": "waiting"})  # CPRA: the clock never stops
    found.refresh_from_db()
    assert found.paused_since is None
    staff.post(f"/console/requests/{found.pk}/start/")
    result = SimpleUploadedFile("data.json", b'{"name": "Ann"}', content_type="application/json")
    completing = {"message": "Here is your data.", "result": result, "confirmed": "yes"}
    staff.post(f"/console/requests/{found.pk}/complete/", completing)
    found.refresh_from_db()
    assert found.status == RequestStatus.IN_PROGRESS  # no completion before the work is done
    engine.status = "needs_review"  # the run stops short: staff answer with their own file
    staff.post(f"/console/requests/{found.pk}/plan/")
    staff.post(f"/console/requests/{found.pk}/execute/", {"confirmed": "yes"})
    engine.outcomes[found.pk].status = "completed"  # the remaining steps were finished
    result.seek(0)
    staff.post(f"/console/requests/{found.pk}/complete/", completing)
    found.refresh_from_db()
    assert found.status == RequestStatus.COMPLETED and found.purge_after is not None
    assert "complete" in mail.outbox[-1].subject
    stored = found.files.get(kind=RequestFile.Kind.RESULT)
    assert b"Ann" not in bytes(stored.encrypted)
    assert f"/privacy/{ipro}/requests/status/{token}/" in mail.outbox[-1].body  # the completion carries the link
    # The status link alone does not download: a fresh code from the e-mail is needed.
    assert client.get(f"/privacy/{ipro}/requests/status/{token}/download/").status_code == 405
    stale = client.post(f"/privacy/{ipro}/requests/status/{token}/download/", {"code": last_code()})
    assert stale.status_code == 302 and not DownloadLog.objects.exists()  # the verification code does not open it
    download = download_result(client, ipro, token)
    assert download.status_code == 200 and b"".join(download.streaming_content) == b'{"name": "Ann"}'
    assert DownloadLog.objects.filter(request=found, by_staff=None).count() == 1
    again = client.post(f"/privacy/{ipro}/requests/status/{token}/download/", {"code": last_code()})
    assert again.status_code == 302  # a code opens one download
    with time_machine.travel(found.result_expires_at + timedelta(seconds=1)):  # type: ignore[operator]
        assert client.post(f"/privacy/{ipro}/requests/status/{token}/download/code/").status_code == 302
        assert client.post(f"/privacy/{ipro}/requests/status/{token}/download/", {"code": "1"}).status_code == 404
    assert actions(found) == [
        "request.received",
        "request.code_sent",
        "request.email_verified",
        "request.staff_review_needed",
        "request.assigned",
        "request.note_added",
        "request.identity_reviewed",
        "request.verified",
        "request.acknowledged",
        "request.extended",
        "request.started",
        "request.plan_shown",
        "request.execution_requested",
        "request.executed",
        "request.completed",
        "request.download_code_sent",
        "request.file_downloaded",
    ]
    for entry in AuditEntry.objects.filter(target_type="rights.request"):
        assert "ann@example.com" not in str(entry.details) and "Ann Smith" not in str(entry.details)


def test_data_points_matched_by_the_engine_verify_and_the_plan_executes(
    client: Client, ipro: str, engine: FakeEngine, officer: User, client_as: Callable[[User], Client]
) -> None:
    found, token = submit(client, ipro, phone="555-0100")
    client.post(f"/privacy/{ipro}/requests/status/{token}/verify/", {"code": last_code()})
    found.refresh_from_db()
    assert found.status == RequestStatus.VERIFIED and found.matched_points == 3
    assert found.identity_method == "code_and_data_points" and found.acknowledged_at is not None
    staff = client_as(officer)
    staff.post(f"/console/requests/{found.pk}/plan/")
    found.refresh_from_db()
    assert found.plan == {"shop.customers": {"rows": 1, "action": "export"}}
    assert found.status == RequestStatus.VERIFIED  # showing the plan changes nothing
    staff.post(f"/console/requests/{found.pk}/execute/", {"confirmed": "yes"})
    found.refresh_from_db()
    assert engine.executed == [found.pk] and found.status == RequestStatus.COMPLETED
    assert found.outcome_summary == {"shop.customers": 1}
    assert not (engine.tmp_path / f"{found.pk}.zip").exists()  # the clear package is gone
    assert download_result(client, ipro, token).status_code == 200


def test_specific_pieces_need_three_points_and_a_declaration(client: Client, ipro: str, engine: FakeEngine) -> None:
    response = client.post(
        f"/privacy/{ipro}/requests/new/",
        {
            "jurisdiction": "US-CA",
            "right": "access",
            "requester_name": "Ann Smith",
            "requester_email": "ann@example.com",
            "delivery": "electronic",
            "specific_pieces": "on",
        },
    )
    assert response.status_code == 200 and RightsRequest.objects.count() == 0  # refused, nothing stored
    found, token = submit(client, ipro, specific_pieces="on", declaration_signed="on")  # only email + name match
    client.post(f"/privacy/{ipro}/requests/status/{token}/verify/", {"code": last_code()})
    found.refresh_from_db()
    assert found.status == RequestStatus.VERIFYING and found.needs_staff_review and found.matched_points == 2


def test_codes_expire_and_attempts_are_capped(client: Client, ipro: str) -> None:
    found, token = submit(client, ipro)
    for _attempt in range(MAX_ATTEMPTS):
        assert check_code(found, "000000" if last_code() != "000000" else "111111", Actor.system("requester")) is False
    with pytest.raises(RightsError):
        check_code(found, last_code(), Actor.system("requester"))  # dead after the cap
    client.post(f"/privacy/{ipro}/requests/status/{token}/resend/")
    with time_machine.travel(datetime.now(tz=UTC) + timedelta(minutes=16)), pytest.raises(RightsError):
        check_code(found, last_code(), Actor.system("requester"))
    assert VerificationCode.objects.filter(request=found).count() == 2


def test_resending_codes_is_rate_limited_per_address(client: Client, ipro: str) -> None:
    _found, token = submit(client, ipro)
    codes = [client.post(f"/privacy/{ipro}/requests/status/{token}/resend/").status_code for _ in range(4)]
    assert codes == [302, 302, 302, 429]


def test_agent_documents_are_encrypted_reviewed_and_purged(
    client: Client, ipro: str, agent: User, client_as: Callable[[User], Client]
) -> None:
    refused = client.post(
        f"/privacy/{ipro}/requests/new/",
        {
            "jurisdiction": "US-CA",
            "right": "erasure",
            "requester_name": "Ann Smith",
            "is_agent": "on",
            "agent_name": "Bob Agent",
            "agent_email": "bob@agents.example",
            "delivery": "electronic",
        },
    )
    assert refused.status_code == 200 and RightsRequest.objects.count() == 0
    found, token = submit(
        client,
        ipro,
        right="erasure",
        requester_email="",
        is_agent="on",
        agent_name="Bob Agent",
        agent_email="bob@agents.example",
        agent_permission=SimpleUploadedFile("permission.pdf", PDF, content_type="application/pdf"),
        agent_identity=SimpleUploadedFile("id.png", b"\x89PNG\r\n\x1a\n agent id", content_type="image/png"),
    )
    assert mail.outbox[-1].to == ["bob@agents.example"]
    files = list(found.files.all())
    assert len(files) == 2 and all(PDF not in bytes(f.encrypted) for f in files)
    client.post(f"/privacy/{ipro}/requests/status/{token}/verify/", {"code": last_code()})
    staff = client_as(agent)
    document = staff.get(f"/console/requests/{found.pk}/files/{files[0].pk}/")
    assert document.content == PDF and document["Cache-Control"] == "no-store"
    staff.post(f"/console/requests/{found.pk}/accept_identity/")
    staff.post(
        f"/console/requests/{found.pk}/deny/", {"ground": "cpra_exception", "message": "legal hold", "confirmed": "yes"}
    )
    found.refresh_from_db()
    assert found.status == RequestStatus.DENIED and found.denial_ground == "cpra_exception"
    assert not found.files.exists()  # purged on close
    assert "decision" in mail.outbox[-1].subject
    assert "request.documents_purged" in actions(found)


def test_staff_entry_by_post_keeps_the_channel_for_the_acknowledgement(
    inpro: str, officer: User, client_as: Callable[[User], Client]
) -> None:
    staff = client_as(officer)
    response = staff.post(
        "/console/requests/new/?org=inpro",
        {
            "org": inpro,
            "channel": "post",
            "language": "ja",
            "received_at": "2025-12-19T19:30",
            "jurisdiction": "JP",
            "right": "access",
            "requester_name": "山田太郎",
            "delivery": "paper",
            "postal_address": "埼玉県熊谷市",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    found = RightsRequest.objects.get()
    assert found.channel == "post" and found.delivery == "paper" and found.needs_staff_review
    assert found.received_on == date(2025, 12, 22)  # after 18:00 JST on a Friday (NP14)
    staff.post(f"/console/requests/{found.pk}/acknowledge/", {"via": "post"})
    found.refresh_from_db()
    assert found.acknowledged_via == "post" and not mail.outbox
    staff.post(f"/console/requests/{found.pk}/pause/", {"reason": "waiting for a copy of the ID"})
    found.refresh_from_db()
    assert found.paused_since is not None  # APPI allows it


def test_ipro_acknowledges_the_way_the_request_came_in_cp4(
    ipro: str, agent: User, client_as: Callable[[User], Client]
) -> None:
    staff = client_as(agent)
    response = staff.post(
        "/console/requests/new/?org=i-pro",
        {
            "org": ipro,
            "channel": "fax",
            "language": "en",
            "received_at": "2025-12-19T10:00",
            "jurisdiction": "US-CA",
            "right": "rectification",
            "requester_name": "Ann Smith",
            "message": "my address changed",
            "delivery": "electronic",
            "requester_email": "ann@example.com",
        },
    )
    assert response.status_code == 302
    found = RightsRequest.objects.get()
    staff.post(f"/console/requests/{found.pk}/acknowledge/", {"via": "email"})  # refused: not the same way
    found.refresh_from_db()
    assert found.acknowledged_at is None
    staff.post(f"/console/requests/{found.pk}/acknowledge/", {"via": "fax"})
    found.refresh_from_db()
    assert found.acknowledged_via == "fax"
    assert [entry for entry in actions(found) if entry == "request.acknowledged"] == ["request.acknowledged"]


def test_closure_days_set_in_the_console_move_jp_business_day_clocks(
    tmp_path: object, officer: User, client_as: Callable[[User], Client], db: None
) -> None:
    import shutil
    from pathlib import Path

    from mamori.catalog.services import apply_map

    folder = Path(str(tmp_path)) / "inpro"
    shutil.copytree(EXAMPLES / "inpro", folder)
    commitments = folder / "commitments.yaml"
    commitments.write_text(commitments.read_text().replace('respond: "14 days"', 'respond: "10 business days"'))
    apply_map([folder], Actor.cli("test"))
    staff = client_as(officer)
    assert (
        staff.post(
            "/console/requests/closures/", {"organisation": "inpro", "day": "2027-01-14", "name": "Foundation day"}
        ).status_code
        == 302
    )
    assert (
        staff.post(
            "/console/requests/closures/", {"organisation": "inpro", "day": "2027-01-14", "name": "again"}
        ).status_code
        == 200
    )  # duplicate refused
    with time_machine.travel(datetime(2026, 12, 25, 1, 0, tzinfo=UTC), tick=False):
        found, _token = submit_request(
            Submission(
                organisation="inpro",
                right="access",
                jurisdiction="JP",
                requester_name="Ann",
                requester_email="ann@example.com",
            ),
            Actor.system("requester"),
        )
    assert local_date(found.due_at, "Asia/Tokyo") == date(2027, 1, 18)  # Jan 15 without the closure


def test_sweeps_close_unverified_remind_purge_and_report(
    client: Client, ipro: str, agent: User, officer: User, engine: FakeEngine
) -> None:
    engine.known = {}  # no data point matches: staff review the identity
    agent.email, officer.email = "agent@corp.example", "officer@corp.example"
    agent.save()
    officer.save()
    with time_machine.travel(datetime(2026, 3, 2, 1, 0, tzinfo=UTC), tick=False):
        stale, _ = submit(client, ipro)
        answered, token = submit(client, ipro, right="erasure")
        client.post(f"/privacy/{ipro}/requests/status/{token}/verify/", {"code": last_code()})
        verification.review_identity(answered, Actor.for_user(officer), accept=True)
        workflow.assign(answered, agent, Actor.for_user(officer))
    with time_machine.travel(datetime(2026, 4, 14, 1, 0, tzinfo=UTC), tick=False):  # 3 days before due
        mail.outbox.clear()
        assert records.send_reminders() == 2  # the assignee, and the officers for the unassigned one
        assert sorted(m.to[0] for m in mail.outbox) == ["agent@corp.example", "officer@corp.example"]
        assert any(answered.reference in m.subject and m.to == ["agent@corp.example"] for m in mail.outbox)
        assert records.send_reminders() == 0  # once a day
    with time_machine.travel(datetime(2026, 4, 20, 1, 0, tzinfo=UTC), tick=False):
        assert records.close_unverifiable() == 1
        stale.refresh_from_db()
        assert stale.status == RequestStatus.CLOSED_UNVERIFIED and "closed" in mail.outbox[-1].subject
        workflow.show_plan(answered, Actor.for_user(agent))
        workflow.request_execution(answered, Actor.for_user(agent))  # the engine's run completes it
    metrics = records.year_metrics(ipro, 2026)
    assert (metrics.received, metrics.complied, metrics.denied, metrics.closed_unverified) == (2, 1, 0, 1)
    assert metrics.median_days_to_respond == 49.0
    with time_machine.travel(datetime(2028, 4, 19, 1, 0, tzinfo=UTC), tick=False):
        assert records.purge_expired_records() == 0  # 24 months not yet over
    with time_machine.travel(datetime(2028, 4, 21, 1, 0, tzinfo=UTC), tick=False):
        assert records.purge_expired_records() == 2
    assert not RightsRequest.objects.exists()
    assert AuditEntry.objects.filter(action="request.record_purged").count() == 2


def test_bad_input_is_refused_and_changes_nothing(client: Client, ipro: str) -> None:
    bad = [
        {"jurisdiction": "JP", "right": "opt_out_sale_sharing"},  # not offered under APPI
        {"requester_email": "not-an-address"},
        {"delivery": "paper"},  # paper needs an address
        {"jurisdiction": "XX"},
    ]
    for fields in bad:
        data = {
            "jurisdiction": "US-CA",
            "right": "access",
            "requester_name": "Ann",
            "requester_email": "a@b.example",
            "delivery": "electronic",
            **fields,
        }
        assert client.post(f"/privacy/{ipro}/requests/new/", data).status_code == 200
    assert RightsRequest.objects.count() == 0 and not mail.outbox
