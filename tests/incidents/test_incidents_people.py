"""Affected people found in the demo shop, counted per jurisdiction; notices from the outbox."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from mamori.audit.models import AuditEntry
from mamori.incidents.models import AffectedPerson, Incident, ReportDraft
from mamori.incidents.people import find_affected, queue_notices, record_bounce, send_notice_batch, send_reminders
from mamori.incidents.services import (
    IncidentError,
    deadlines_of,
    evaluation_of,
    make_draft,
    mark_sent,
    override,
    update_incident,
)

from .conftest import ACTOR


def test_inquiries_leak_finds_owners_and_visitors_per_jurisdiction(leak: Incident) -> None:
    counts = find_affected(leak.pk, ACTOR)
    # Hanako (customer, JP address), Emily (customer, California address), and three visitors (the map's
    # default JP): Kenji, and the two whose resolved inquiries the demo keeps for the retention tour.
    assert counts == {"JP": 4, "EEA_UK": 0, "US-CA": 1, "other": 0}
    leak.refresh_from_db()
    assert leak.people() == 5
    people = list(leak.affected.order_by("jurisdiction", "language"))
    assert [(p.jurisdiction, p.language) for p in people] == [("JP", "ja")] * 4 + [("US-CA", "en")]
    assert all(len(p.subject_hash) == 64 and "@" not in p.subject_hash for p in people)
    entry = AuditEntry.objects.filter(action="incident.people_found").get()
    assert "example" not in str(entry.details)
    # Finding them again adds nobody twice.
    find_affected(leak.pk, ACTOR)
    assert leak.affected.count() == 5


def test_window_on_a_column_narrows_the_people(leak: Incident) -> None:
    update_incident(
        leak.pk,
        {
            "scope": {
                "tables": ["shop-db.inquiries"],
                "selector": {
                    "system": "shop-db",
                    "table": "inquiries",
                    "column": "created_at",
                    "from": "2024-09-01 00:00:00",
                    "to": "2024-12-31 23:59:59",
                },
            }
        },
        ACTOR,
    )
    assert find_affected(leak.pk, ACTOR) == {"JP": 1, "EEA_UK": 0, "US-CA": 1, "other": 0}


def test_demo_leak_is_reportable_under_appi_as_malicious(leak: Incident) -> None:
    find_affected(leak.pk, ACTOR)
    leak.refresh_from_db()
    found = {f.law: f for f in evaluation_of(leak)}
    assert found["APPI"].report_authority and "appi_malicious" in found["APPI"].as_dict()["reasons"]
    assert found["GDPR"].report_authority  # onemall serves the EEA: unless unlikely to result in a risk
    assert not found["US-CA"].notify_people  # no listed data element in inquiries
    assert [d.key for d in deadlines_of(leak)] == ["gdpr_authority", "appi_preliminary", "appi_final"]


def test_override_needs_a_reason_and_is_audited(leak: Incident) -> None:
    with pytest.raises(IncidentError):
        override(leak.pk, "US-CA", report_authority=False, notify_people=True, reason="  ", actor=ACTOR)
    override(leak.pk, "US-CA", report_authority=False, notify_people=True, reason="Customer asked", actor=ACTOR)
    leak.refresh_from_db()
    assert {f.law: f for f in evaluation_of(leak)}["US-CA"].notify_people
    entry = AuditEntry.objects.filter(action="incident.overridden").get()
    assert entry.details["reason"] == "Customer asked" and entry.details["computed_notify"] is False


def test_notices_in_each_language_once_per_person_and_bounces(
    leak: Incident, django_capture_on_commit_callbacks: Any
) -> None:
    find_affected(leak.pk, ACTOR)
    with pytest.raises(IncidentError):
        queue_notices(leak.pk, ACTOR)  # no summary of actions yet (OM8)
    update_incident(
        leak.pk,
        {
            "actions_summary_en": "We closed the access and reset keys.",
            "actions_summary_ja": "不正アクセスを遮断し、鍵を更新しました。",
        },
        ACTOR,
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert queue_notices(leak.pk, ACTOR) == 5  # the job runs inline in tests
    assert len(mail.outbox) == 5
    by_address = {message.to[0]: message for message in mail.outbox}
    japanese = by_address["hanako.yamada@example.jp"]
    assert japanese.subject.startswith("【重要】") and "不正アクセスを遮断し" in japanese.body
    assert "kenji.sato@example.jp" in by_address
    english = by_address["emily.clark@example.com"]
    assert english.subject.startswith("Notice of Data Breach")
    for heading in (
        "What Happened",
        "What Information Was Involved",
        "What We Are Doing",
        "What You Can Do",
        "For More Information",
    ):
        assert heading in english.body
    assert "We closed the access" in english.body
    assert send_notice_batch(leak.pk) == 0 and len(mail.outbox) == 5  # idempotent
    person = AffectedPerson.objects.get(incident=leak, jurisdiction="US-CA")
    record_bounce(person.pk, ACTOR)
    person.refresh_from_db()
    assert person.notice == AffectedPerson.Notice.BOUNCED


def test_drafts_prefilled_versions_kept_and_sent_recorded(leak: Incident) -> None:
    find_affected(leak.pk, ACTOR)
    preliminary = make_draft(leak.pk, "ppc", "preliminary", ACTOR)
    assert preliminary.language == "ja" and "速報" in preliminary.text and "5人" in preliminary.text
    assert "お問い合わせ内容と回答" in preliminary.text
    gdpr = make_draft(leak.pk, "gdpr", "preliminary", ACTOR)
    assert "Approximate number of data subjects: 5" in gdpr.text
    california = make_draft(leak.pk, "california", "final", ACTOR)
    assert california.text.startswith("Notice of Data Breach\n\nWhat Happened")
    make_draft(leak.pk, "ppc", "final", ACTOR)
    assert ReportDraft.objects.filter(incident=leak, form="ppc").count() == 2
    mark_sent(preliminary.pk, "PPC online form", ACTOR)
    leak.refresh_from_db()
    clocks = {d.key: d for d in deadlines_of(leak)}
    assert clocks["appi_preliminary"].done_at is not None and clocks["appi_final"].done_at is None
    with pytest.raises(IncidentError):
        mark_sent(preliminary.pk, "again", ACTOR)


def test_reminders_once_per_deadline_and_stage(leak: Incident, officer: object) -> None:
    from datetime import timedelta

    officer.email = "officer@example.org"  # type: ignore[attr-defined]
    officer.save()  # type: ignore[attr-defined]
    mail.outbox.clear()
    gdpr_due = next(d for d in deadlines_of(leak) if d.key == "gdpr_authority").due_at
    assert send_reminders(gdpr_due - timedelta(hours=2)) >= 1
    assert any("Due soon" in message.subject for message in mail.outbox)
    count = len(mail.outbox)
    assert send_reminders(gdpr_due - timedelta(hours=1)) == 0 and len(mail.outbox) == count
    assert send_reminders(gdpr_due + timedelta(hours=1)) >= 1
    assert any(message.subject.startswith("Overdue") for message in mail.outbox)
