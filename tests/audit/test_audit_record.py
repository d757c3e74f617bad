import pytest

from mamori.audit.models import AppendOnlyError, AuditChainHead, AuditEntry
from mamori.audit.services import Actor, Entry, record, record_all
from mamori.audit.verify import verify_chain


@pytest.mark.django_db
def test_audit_record_chains_entries(officer):
    first = record(Actor.for_user(officer), "map.applied", target_type="map", target_id="3", details={"v": 3})
    second = record(Actor.system("retention"), "retention.swept", details={"rows": 2})
    assert (first.seq, second.seq) == (1, 2)
    assert second.prev_hash == first.hash
    assert first.actor_label == "officer" and first.actor_kind == "user" and first.actor_id == str(officer.pk)
    head = AuditChainHead.objects.get()
    assert (head.last_seq, head.last_hash) == (2, second.hash)


@pytest.mark.django_db
def test_audit_entries_refuse_orm_update_and_delete():
    entry = record(Actor.cli("ops"), "staff.listed")
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="x.y")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get().action == "staff.listed"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "details",
    [{"email": "x"}, {"nested": {"phone": "1"}}, {"note": "write to a@example.com"}, {"items": [{"Last_Name": "y"}]}],
)
def test_audit_record_refuses_personal_data(details):
    with pytest.raises(ValueError, match=r"personal data|e-mail"):
        record(Actor.system("t"), "test.thing", details=details)
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_audit_record_refuses_undotted_action():
    with pytest.raises(ValueError):
        record(Actor.system("t"), "Applied")


def test_audit_actor_cli_defaults_to_os_user():
    actor = Actor.cli()
    assert actor.kind == "cli" and actor.ident


@pytest.mark.django_db
def test_audit_record_all_chains_entries_in_order_under_one_head_write():
    first = record(Actor.cli("ops"), "staff.listed")
    written = record_all(
        Actor.system("fulfilment"),
        [
            Entry("fulfilment.step_finished", "fulfilment_run", "7", {"step": 0}),
            Entry("fulfilment.run_finished", "fulfilment_run", "7", {"status": "completed"}),
        ],
    )
    assert [entry.seq for entry in written] == [2, 3]
    assert written[0].prev_hash == first.hash and written[1].prev_hash == written[0].hash
    assert [entry.action for entry in AuditEntry.objects.order_by("seq")] == [
        "staff.listed",
        "fulfilment.step_finished",
        "fulfilment.run_finished",
    ]
    head = AuditChainHead.objects.get()
    assert (head.last_seq, head.last_hash) == (3, written[1].hash)
    assert verify_chain().intact


@pytest.mark.django_db
def test_audit_record_all_refuses_personal_data_before_writing_any():
    with pytest.raises(ValueError, match="personal data"):
        record_all(Actor.system("t"), [Entry("test.thing"), Entry("test.other", details={"email": "x"})])
    assert not AuditEntry.objects.exists()
