import pytest

from mamori.audit.models import AppendOnlyError, AuditChainHead, AuditEntry
from mamori.audit.services import Actor, record


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
