"""Writing the register: the only code that stores or disposes of provision and receipt records.

A batch is all or nothing: every record is checked against the applied map first, every problem
is reported with its record (and person) index, and only a batch without problems is stored, in
one transaction with one audit entry. The same client key with the same content is a retry and
changes nothing; with other content it is refused.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connections, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from mamori.audit.services import Actor, record
from mamori.catalog.in_force import map_in_force
from mamori.catalog.mapfile import PrivacyMap
from mamori.catalog.models import MapVersion
from mamori.core.errors import DomainError
from mamori.disclosures.identities import identity_kinds, person_hashes
from mamori.disclosures.models import Channel, Direction, RecordPerson, TransferRecord
from mamori.disclosures.rules import Candidate, RowError, check_record

MAX_RECORDS = 1_000  # per call
INSERT_BATCH = 2_000


class DisclosureError(DomainError):
    code = "disclosure_error"

    def __init__(self, message: str, *, code: str | None = None, errors: Sequence[RowError] = ()) -> None:
        super().__init__(message, code=code)
        self.errors = list(errors)


@dataclass
class Stored:
    index: int
    record: TransferRecord
    created: bool


@dataclass
class BatchResult:
    stored: list[Stored] = field(default_factory=list)

    @property
    def created(self) -> int:
        return sum(1 for item in self.stored if item.created)


def current_map(organisation: str) -> tuple[MapVersion, PrivacyMap]:
    """The map in force (catalog's one home for it), refused as this domain's error when none is."""
    return map_in_force(organisation, missing=DisclosureError)


def record_batch(
    organisation: str, direction: str, records: Sequence[Any], actor: Actor, *, channel: str = Channel.API
) -> BatchResult:
    """Check and store a batch of provision or receipt records; DisclosureError lists every bad row."""
    if direction not in Direction.values:
        raise DisclosureError("unknown direction", code="bad_direction")
    if not isinstance(records, list | tuple) or not records:
        raise DisclosureError(_("send at least one record"), code="empty")
    if len(records) > MAX_RECORDS:
        raise DisclosureError(_("at most {limit} records per call").format(limit=MAX_RECORDS), code="too_many")
    version, privacy_map = current_map(organisation)
    kinds = identity_kinds(privacy_map)
    candidates: list[Candidate] = []
    errors: list[RowError] = []
    seen_keys: dict[str, int] = {}
    for index, raw in enumerate(records):
        candidate, found = check_record(direction, index, raw, privacy_map, kinds, organisation)
        if candidate is not None and candidate.client_key in seen_keys:
            found.append(
                RowError(
                    index,
                    "client_key",
                    _("the same client key is used by record {other}").format(other=seen_keys[candidate.client_key]),
                    "duplicate_key",
                )
            )
        if candidate is not None:
            seen_keys[candidate.client_key] = index
            candidates.append(candidate)
        errors.extend(found)
    errors.extend(_unknown_consent_events(organisation, candidates, records))
    if errors:
        raise DisclosureError(
            _("{count} problem(s) in the records; nothing was stored").format(count=len(errors)),
            code="rows_invalid",
            errors=errors,
        )
    return _store(organisation, version.number, candidates, actor, channel)


def _unknown_consent_events(organisation: str, candidates: list[Candidate], records: Sequence[Any]) -> list[RowError]:
    """Consent evidence that names a ledger entry must name one of this organisation's entries."""
    from mamori.consent.models import ConsentEvent

    wanted = {person.consent_event for candidate in candidates for person in candidate.people if person.consent_event}
    if not wanted:
        return []
    known: set[uuid.UUID] = set()
    listed = list(wanted)
    for start in range(0, len(listed), 1000):
        known.update(
            ConsentEvent.objects.filter(
                organisation=organisation, event_id__in=listed[start : start + 1000]
            ).values_list("event_id", flat=True)
        )
    errors = []
    for candidate in candidates:
        index = next(
            i
            for i, raw in enumerate(records)
            if isinstance(raw, dict) and raw.get("client_key", "").strip() == candidate.client_key
        )
        for position, person in enumerate(candidate.people):
            if person.consent_event and person.consent_event not in known:
                errors.append(
                    RowError(
                        index,
                        f"people[{position}].consent_event",
                        _("no such entry in this organisation's consent ledger"),
                        "unknown_consent",
                    )
                )
    return errors


def _store(organisation: str, map_version: int, candidates: list[Candidate], actor: Actor, channel: str) -> BatchResult:
    result = BatchResult()
    now = timezone.now()
    with transaction.atomic():
        existing = {
            found.client_key: found
            for found in TransferRecord.objects.select_for_update().filter(
                organisation=organisation,
                direction=candidates[0].direction,
                client_key__in=[candidate.client_key for candidate in candidates],
            )
        }
        conflicts = []
        for index, candidate in enumerate(candidates):
            before = existing.get(candidate.client_key)
            if before is not None and before.content_hash != candidate.content_hash():
                conflicts.append(
                    RowError(
                        index,
                        "client_key",
                        _("this client key was already used for a different record"),
                        "key_conflict",
                    )
                )
        if conflicts:
            raise DisclosureError(
                _("{count} record(s) reuse a client key with other content; nothing was stored").format(
                    count=len(conflicts)
                ),
                code="key_conflict",
                errors=conflicts,
            )
        new_people: list[tuple[Any, ...]] = []
        for index, candidate in enumerate(candidates):
            before = existing.get(candidate.client_key)
            if before is not None:
                result.stored.append(Stored(index, before, created=False))
                continue
            stored = TransferRecord.objects.create(
                organisation=organisation,
                map_version=map_version,
                direction=candidate.direction,
                basis=candidate.basis,
                client_key=candidate.client_key,
                content_hash=candidate.content_hash(),
                counterparty_id=candidate.counterparty_id,
                counterparty_name=candidate.counterparty_name,
                counterparty_address=candidate.counterparty_address,
                counterparty_representative=candidate.counterparty_representative,
                how_obtained=candidate.how_obtained,
                categories=candidate.categories,
                items=candidate.items,
                transferred_on=candidate.transferred_on,
                ppc_publication=candidate.ppc_publication,
                consent_document=candidate.consent_document,
                made_from=candidate.made_from,
                channel=channel,
                people_count=len(candidate.people),
                recorded_at=now,
                recorded_by=actor.label[:150],
                dispose_after=candidate.dispose_after(now),
            )
            for position, person in enumerate(candidate.people):
                new_people.extend(
                    (stored.pk, position, digest, person.consent_event, person.consent_document)
                    for digest in person.hashes
                )
            result.stored.append(Stored(index, stored, created=True))
        _insert_people(new_people)
        if result.created:
            made = [item.record for item in result.stored if item.created]
            record(
                actor,
                f"records.{made[0].direction}_recorded",
                target_type="disclosures.batch",
                target_id=f"{organisation}/{made[0].pk}",
                details={
                    "organisation": organisation,
                    "records": [r.pk for r in made][:100],
                    "count": len(made),
                    "people": sum(r.people_count for r in made),
                    "channel": channel,
                },
            )
    return result


def _insert_people(rows: list[tuple[Any, ...]]) -> None:
    """Store the person rows of a batch: COPY on PostgreSQL, one prepared INSERT run elsewhere.

    A batch may hold hundreds of thousands of rows; building a model instance for each, or quoting
    each row into SQL text, costs more than storing it, and the rows are plain values already
    checked. COPY runs inside the batch's transaction like any statement.
    """
    if not rows:
        return
    connection = connections[router.db_for_write(RecordPerson)]
    table = connection.ops.quote_name(RecordPerson._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(name)
        for name in ("record_id", "person", "identity_hash", "consent_event", "consent_document")
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and hasattr(cursor.cursor, "copy"):  # psycopg 3
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
    uuid_field = RecordPerson._meta.get_field("consent_event")
    sql = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s)"  # noqa: S608 - names from the model
    with connection.cursor() as cursor:
        for start in range(0, len(rows), INSERT_BATCH):
            cursor.executemany(
                sql,
                [
                    (record_id, position, digest, uuid_field.get_db_prep_save(event, connection), document)
                    for record_id, position, digest, event, document in rows[start : start + INSERT_BATCH]
                ],
            )


def record_own_transmission(
    organisation: str,
    *,
    recipient: str,
    identities: dict[str, str],
    categories: Sequence[str] | None = None,
    client_key: str,
    consent_document: str = "",
    actor: Actor | None = None,
) -> TransferRecord | None:
    """mamori itself sent a person's data to a third party (a stop-provision notice, a webhook call):
    record it like any other provision. Returns None when the map's basis for the recipient needs no
    record (entrustment, joint use, ...). Public: other domains call this after their transmission."""
    actor = actor or Actor.system("disclosures")
    earlier = TransferRecord.objects.filter(
        organisation=organisation, direction=Direction.PROVISION, client_key=client_key
    ).first()
    if earlier is not None:  # a retried job (perhaps on a later day) records its transmission once
        return earlier
    privacy_map = current_map(organisation)[1]
    found = privacy_map.find("recipients", recipient)
    if found is None:
        raise DisclosureError(
            _("the map has no recipient '{ident}'").format(ident=recipient[:100]), code="unknown_recipient"
        )
    raw: dict[str, Any] = {
        "client_key": client_key,
        "recipient": recipient,
        "transferred_on": timezone.localdate().isoformat(),
        "people": [{"identities": identities}],
        "consent_document": consent_document or "mamori",
    }
    if categories:
        raw["categories"] = list(categories)
    candidate, errors = check_record(
        Direction.PROVISION, 0, raw, privacy_map, identity_kinds(privacy_map), organisation
    )
    if any(error.code == "no_record_needed" for error in errors):
        return None
    if candidate is None:
        raise DisclosureError(errors[0].message, code=errors[0].code, errors=errors)
    return record_batch(organisation, Direction.PROVISION, [raw], actor, channel=Channel.AUTOMATIC).stored[0].record


def records_of_person(organisation: str, identities: dict[str, str]) -> list[TransferRecord]:
    """One person's records, newest first, found through the hashes of their identities.

    One statement: the index on the person hashes finds the person's rows among millions, and
    their records are read by primary key.
    """
    hashes = person_hashes(organisation, identities, identity_kinds(current_map(organisation)[1]))
    if not hashes:
        return []
    record_table = TransferRecord._meta.db_table
    person_table = RecordPerson._meta.db_table
    placeholders = ", ".join(["%s"] * len(hashes))
    sql = (
        f"SELECT * FROM {record_table} WHERE organisation = %s AND id IN "  # noqa: S608 - names from the models
        f"(SELECT record_id FROM {person_table} WHERE identity_hash IN ({placeholders})) "
        "ORDER BY recorded_at DESC, id DESC"
    )
    return list(TransferRecord.objects.raw(sql, [organisation, *hashes]))


def look_up_person(organisation: str, identities: dict[str, str], actor: Actor) -> list[TransferRecord]:
    """Staff looked up one person's records: the answer, and an audit entry saying who looked (not for whom)."""
    privacy_map = current_map(organisation)[1]
    unknown = sorted(set(identities) - set(identity_kinds(privacy_map)))
    if unknown:
        raise DisclosureError(
            _("not an identity kind of the map (known: {kinds})").format(kinds=", ".join(identity_kinds(privacy_map))),
            code="unknown_identity",
        )
    found = records_of_person(organisation, identities)
    with transaction.atomic():
        record(
            actor,
            "records.person_looked_up",
            target_type="disclosures.register",
            target_id=organisation,
            details={"kinds": sorted(identities), "records": len(found)},
        )
    return found


def dispose_expired(now: datetime | None = None, actor: Actor | None = None) -> int:
    """Delete the records whose keeping period has ended (the sweep; the retention engine may call this)."""
    now = now or timezone.now()
    actor = actor or Actor.system("disclosures")
    with transaction.atomic():
        due = list(TransferRecord.objects.filter(dispose_after__lt=now).values_list("pk", flat=True)[:10_000])
        if not due:
            return 0
        RecordPerson.objects.filter(record_id__in=due).delete()
        TransferRecord.objects.filter(pk__in=due).delete()
        record(
            actor,
            "records.disposed",
            target_type="disclosures.register",
            target_id="sweep",
            details={"records": len(due)},
        )
    return len(due)


@task()
def sweep() -> dict[str, int]:
    """The periodic job: dispose of the records whose keeping period has ended (until the retention
    engine does it)."""
    return {"records_disposed": dispose_expired()}
