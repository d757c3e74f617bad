"""Ledger storage: v7 event ids carry the choice's month; on PostgreSQL the ledger is partitioned
by it, retries dedupe across months, and old months leave whole (rows deleted elsewhere)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from mamori.audit.models import AuditEntry
from mamori.audit.services import Actor
from mamori.consent.models import ConsentEvent
from mamori.consent.services import ledger_storage, proof_of_consent
from mamori.consent.services.errors import ConsentError
from mamori.consent.services.eventids import EPOCH, LEGACY_CHOSEN_AT, chosen_at, is_v7, uuid7
from mamori.consent.services.ledger import is_sealed
from mamori.consent.services.ledger_storage import maintain_ledger
from tests.consent.conftest import event_body

URL = "/api/v1/consent/events"
UTC = dt.UTC
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the ledger is partitioned on PostgreSQL only; other databases keep one table",
)


def post(client: Client, body: dict[str, Any]) -> Any:
    return client.post(URL, json.dumps(body), content_type="text/plain")


def config_of(client: Client, site: str) -> dict[str, Any]:
    return client.get(f"/consent/config/{site}.json").json()


@hypothesis_settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=253402300799999), st.integers(min_value=0, max_value=999))
def test_a_v7_id_carries_its_millisecond(millis: int, micros: int) -> None:
    moment = EPOCH + dt.timedelta(milliseconds=millis, microseconds=micros)
    event_id = uuid7(moment)
    assert is_v7(event_id) and event_id.version == 7 and event_id.variant == uuid.RFC_4122
    assert chosen_at(event_id) == EPOCH + dt.timedelta(milliseconds=millis)


@hypothesis_settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.uuids(version=4))
def test_other_ids_get_one_fixed_time_so_their_retries_dedupe(event_id: uuid.UUID) -> None:
    assert not is_v7(event_id) and chosen_at(event_id) is LEGACY_CHOSEN_AT


def test_a_known_v7_id_decodes_as_rfc_9562_says() -> None:
    # RFC 9562 appendix A.6: 017F22E2-79B0-7CC3-98C4-DC0C0C07398F is 2022-02-22 19:22:22 UTC.
    example = uuid.UUID("017F22E2-79B0-7CC3-98C4-DC0C0C07398F")
    assert chosen_at(example) == dt.datetime(2022, 2, 22, 19, 22, 22, tzinfo=UTC)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "event_id",
    [
        lambda: uuid7(dt.datetime.now(UTC) + dt.timedelta(days=2)),
        lambda: uuid7(dt.datetime.now(UTC) - dt.timedelta(days=180 + 31)),
        lambda: uuid.UUID("ffffffff-ffff-7fff-bfff-ffffffffffff"),  # year 10889: past datetime's range
    ],
)
def test_an_id_from_too_far_in_the_future_or_past_is_refused(client: Client, onemall: str, event_id: Any) -> None:
    body = event_body(config_of(client, onemall), id=str(event_id()))
    response = client.post(URL, json.dumps(body), content_type="text/plain", HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "event_time_invalid"
    assert "イベントIDの時刻" in response.json()["detail"]  # in the visitor's language
    assert not ConsentEvent.objects.exists()


@pytest.mark.django_db
def test_a_v4_id_is_stored_once_with_the_fixed_time(client: Client, onemall: str) -> None:
    body = event_body(config_of(client, onemall), id=str(uuid.uuid4()))
    assert post(client, body).status_code == 201
    assert post(client, body).json() == {"id": body["id"], "recorded": False}
    assert ConsentEvent.objects.get().chosen_at == LEGACY_CHOSEN_AT


def _at(year: int, month: int, day: int = 15) -> dt.datetime:
    return dt.datetime(year, month, day, 12, tzinfo=UTC)


@pytest.mark.django_db
def test_old_months_leave_and_the_proof_says_so(client: Client, onemall: str) -> None:
    device = str(uuid.uuid4())
    for moment in (_at(2025, 1), _at(2025, 2), _at(2025, 3)):
        with time_machine.travel(moment, tick=False):
            ledger_storage.ensure_ledger_months()  # what the periodic job did back then
            body = event_body(config_of(client, onemall), device=device, id=str(uuid7()))
            assert post(client, body).status_code == 201
    with pytest.raises(ConsentError):  # months that may still prove a valid choice stay
        ledger_storage.drop_expired_ledger_months(dt.date.today(), Actor.cli("test"))

    result = ledger_storage.drop_expired_ledger_months(dt.date(2025, 3, 1), Actor.cli("test"))
    assert sorted(event.chosen_at.month for event in ConsentEvent.objects.all()) == [3]
    if connection.vendor == "postgresql":
        assert result["partitions_dropped"] == ["2025-01", "2025-02"] and result["rows_deleted"] == 0
        assert dt.date(2025, 3, 1) in ledger_storage.ledger_months()
        assert dt.date(2025, 2, 1) not in ledger_storage.ledger_months()
    else:
        assert result["rows_deleted"] == 2
    entry = AuditEntry.objects.get(action="consent.ledger_months_dropped")
    assert entry.details["before"] == "2025-03"
    assert proof_of_consent(onemall, "nobody", Actor.cli("test"))["ledger_kept_from"] == "2025-03"


@pytest.mark.django_db
def test_drop_command_asks_first(onemall: str, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("consent", "drop-months", "2025-03")
    assert "--yes" in capsys.readouterr().out
    assert not AuditEntry.objects.filter(action="consent.ledger_months_dropped").exists()
    call_command("consent", "drop-months", "2025-03", "--yes")
    assert "dropped months" in capsys.readouterr().out


def test_the_retention_setting_never_drops_months_still_in_use(settings: Any) -> None:
    settings.MAMORI_CONSENT_LEDGER_MONTHS = 0
    assert ledger_storage.configured_drop_boundary() is None
    settings.MAMORI_CONSENT_LEDGER_MONTHS, settings.MAMORI_CONSENT_DAYS = 1, 180
    boundary = ledger_storage.configured_drop_boundary(_at(2026, 11))
    assert boundary is not None and boundary <= dt.date(2026, 4, 1)
    settings.MAMORI_CONSENT_LEDGER_MONTHS = 24
    assert ledger_storage.configured_drop_boundary(_at(2026, 11)) == dt.date(2024, 11, 1)


def _partition_of(event_id: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM consent_consentevent WHERE event_id = %s", [event_id])
        return str(cursor.fetchone()[0])


@postgres_only
@pytest.mark.django_db
def test_the_ledger_is_partitioned_by_month_and_an_event_lands_in_its_month() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT partstrat FROM pg_partitioned_table WHERE partrelid = 'consent_consentevent'::regclass")
        assert cursor.fetchone() == ("r",)
        cursor.execute("SELECT count(*) FROM pg_inherits WHERE inhparent = 'consent_consentevent'::regclass")
        assert cursor.fetchone()[0] >= 5  # this month, three ahead, the default
    today = dt.date.today().replace(day=1)
    assert today in ledger_storage.ledger_months()
    assert ledger_storage.ensure_ledger_months() == []  # idempotent: nothing missing


@postgres_only
@pytest.mark.django_db
def test_a_retry_a_month_later_is_not_stored_twice(client: Client, onemall: str) -> None:
    with time_machine.travel(_at(2026, 5, 31), tick=False):
        ledger_storage.ensure_ledger_months()
        body = event_body(config_of(client, onemall), id=str(uuid7()))
        assert post(client, body).status_code == 201
    assert _partition_of(body["id"]) == "consent_consentevent_y2026m05"
    with time_machine.travel(_at(2026, 7, 2), tick=False):  # the banner's queue retries much later
        again = post(client, body)
    assert again.status_code == 200 and again.json()["recorded"] is False
    assert ConsentEvent.objects.filter(event_id=body["id"]).count() == 1
    legacy = event_body(config_of(client, onemall), id=str(uuid.uuid4()))
    assert post(client, legacy).status_code == 201
    assert _partition_of(legacy["id"]) == "consent_consentevent_default"


@pytest.mark.django_db
def test_the_daily_job_makes_coming_months_and_drops_what_retention_lets_go(
    client: Client, onemall: str, settings: Any
) -> None:
    with time_machine.travel(_at(2024, 6), tick=False):
        ledger_storage.ensure_ledger_months()
        assert post(client, event_body(config_of(client, onemall), id=str(uuid7()))).status_code == 201
    settings.MAMORI_CONSENT_LEDGER_MONTHS = 24
    with time_machine.travel(_at(2026, 11), tick=False):
        maintain_ledger.call()
        maintain_ledger.call()  # idempotent: a second run finds nothing to do
    assert not ConsentEvent.objects.exists()
    entries = AuditEntry.objects.filter(action="consent.ledger_months_dropped")
    assert [entry.target_id for entry in entries] == ["2024-11", "2024-11"]
    if connection.vendor == "postgresql":
        assert {dt.date(2026, 11, 1), dt.date(2027, 2, 1)} <= set(ledger_storage.ledger_months())
        assert dt.date(2024, 6, 1) not in ledger_storage.ledger_months()


@postgres_only
@pytest.mark.django_db
def test_rows_left_in_the_default_partition_move_to_their_months_and_leave_by_dropping(
    client: Client, onemall: str, capsys: pytest.CaptureFixture[str]
) -> None:
    bodies: dict[str, dict[str, Any]] = {}

    def send(moment: dt.datetime, event_id: uuid.UUID | None = None) -> str:
        with time_machine.travel(moment, tick=False):
            body = event_body(config_of(client, onemall), id=str(event_id or uuid.uuid4()))
            assert post(client, body).status_code == 201
        bodies[body["id"]] = body
        return str(body["id"])

    with time_machine.travel(_at(2025, 2, 1), tick=False):
        ledger_storage.ensure_ledger_months(ahead=0)  # February has a partition; January and March none
    # From before the partitioning: ids without a time, recorded in January and February.
    january, february = send(_at(2025, 1)), [send(_at(2025, 2, day)) for day in (3, 4, 5)]
    march = send(_at(2025, 3), uuid7(_at(2025, 3)))  # a v7 month nobody created in time
    young = send(dt.datetime.now(UTC) - dt.timedelta(days=3))  # its id could still be retried: stays
    everything = [january, *february, march, young]
    assert {_partition_of(event) for event in everything} == {"consent_consentevent_default"}

    result = ledger_storage.repartition_default(Actor.cli("test"), batch=2)
    assert result["moved"] == 5 and result["months"] == ["2025-01", "2025-02", "2025-03"]
    assert result["partitions_created"] == ["2025-01", "2025-03"] and result["legacy_waiting"] == 1
    assert _partition_of(january) == "consent_consentevent_y2025m01"
    assert {_partition_of(event) for event in february} == {"consent_consentevent_y2025m02"}
    assert _partition_of(march) == "consent_consentevent_y2025m03"
    assert _partition_of(young) == "consent_consentevent_default"
    assert ConsentEvent.objects.count() == len(everything)  # moved, none lost, none twice
    assert all(is_sealed(event) for event in ConsentEvent.objects.all())  # chosen_at is not sealed
    moved = ConsentEvent.objects.get(event_id=january)
    assert moved.chosen_at == moved.recorded_at  # the month it was recorded in
    assert AuditEntry.objects.filter(action="consent.ledger_repartitioned").count() == 1

    again = post(client, bodies[january])  # a late retry of a moved id is still recognised
    assert again.status_code == 200 and again.json()["recorded"] is False
    assert ConsentEvent.objects.filter(event_id=january).count() == 1

    call_command("consent", "repartition")  # idempotent: nothing left to move
    assert "rows moved: 0" in capsys.readouterr().out

    dropped = ledger_storage.drop_expired_ledger_months(dt.date(2025, 3, 1), Actor.cli("test"))
    assert dropped["partitions_dropped"] == ["2025-01", "2025-02"] and dropped["rows_deleted"] == 0
    assert set(ConsentEvent.objects.values_list("event_id", flat=True)) == {uuid.UUID(march), uuid.UUID(young)}


@pytest.mark.django_db
def test_repartition_elsewhere_has_nothing_to_move(capsys: pytest.CaptureFixture[str]) -> None:
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL partitions its ledger: the test above covers it")
    call_command("consent", "repartition")
    assert "rows moved: 0" in capsys.readouterr().out
