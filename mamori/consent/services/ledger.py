"""The consent ledger: one insert per banner choice, and the answers read from it.

Consent events are not copied into the audit log: the ledger is itself append-only and sealed,
and an audit entry per page view would serialise every visitor on the audit chain's lock.
Staff reads of the ledger (proof exports) are audited.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.constants import OnConflict
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mamori.audit.services import Actor, record
from mamori.consent import siteconfig
from mamori.consent.models import BannerText, ConsentEvent, ConsentMethod
from mamori.consent.services import ledger_storage
from mamori.consent.services.errors import ConsentError
from mamori.consent.services.eventids import LEGACY_CHOSEN_AT, checked_chosen_at
from mamori.consent.services.group_commit import GroupCommitter
from mamori.core.crypto import consent_identifier_hash, hmac_seal, verify_subject_token

METHODS = frozenset(ConsentMethod.values)
# Methods that can only take consent away.
REFUSING_METHODS = frozenset({ConsentMethod.GPC, ConsentMethod.DNT, ConsentMethod.EXPIRY})

SEALED_FIELDS = (
    "event_id",
    "site",
    "organisation",
    "map_version",
    "notice_version",
    "banner_text_hash",
    "language",
    "choices",
    "method",
    "gpc",
    "region",
    "device_hash",
    "subject_hash",
    "ip_hash",
    "user_agent",
    "recorded_at",
)


def config_of(site: str, pointer: Any = siteconfig.UNREAD) -> dict[str, Any]:
    """The site's current config (siteconfig.site_config, `pointer` as there); ConsentError for a
    site that is neither configured nor an organisation with an applied map."""
    try:
        return siteconfig.site_config(site, pointer)
    except Http404:
        raise ConsentError(_("unknown consent site '%(site)s'"), code="site_unknown", site=site) from None


def _normalise_choices(config: dict[str, Any], choices: dict[str, bool], method: str, gpc: bool) -> dict[str, bool]:
    categories = {category["id"]: category for category in config["categories"]}
    unknown = sorted(set(choices) - set(categories))
    if unknown:
        raise ConsentError(
            _("unknown cookie categories: %(categories)s"), code="choices_invalid", categories=", ".join(unknown)
        )
    result = {}
    for ident, category in categories.items():
        if category["essential"]:
            if choices.get(ident) is False:
                raise ConsentError(
                    _("'%(category)s' is essential and always on"), code="choices_invalid", category=ident
                )
            result[ident] = True
        else:
            result[ident] = bool(choices.get(ident, False))
    granted_optional = [ident for ident, on in result.items() if on and not categories[ident]["essential"]]
    if method in REFUSING_METHODS and granted_optional:
        raise ConsentError(_("a '%(method)s' event cannot grant consent"), code="choices_invalid", method=method)
    if gpc and config["gpc"]:
        sold = [ident for ident in granted_optional if categories[ident]["sale"]]
        if sold:
            raise ConsentError(
                _("with Global Privacy Control on, sale/sharing categories stay off: %(categories)s"),
                code="choices_invalid",
                categories=", ".join(sold),
            )
    return result


def _known_text(config: dict[str, Any], digest: str) -> bool:
    if digest in config["hash"].values():
        return True
    # A page loaded before the map changed still shows the old words; they were stored when served.
    return BannerText.objects.filter(text_hash=digest, site=config["site"]).exists()


def record_event(
    *,
    event_id: uuid.UUID,
    site: str,
    device_id: str,
    notice_version: int,
    text_hash: str,
    language: str,
    choices: dict[str, bool],
    method: str,
    gpc: bool = False,
    subject_token: str | None = None,
    ip: str = "",
    user_agent: str = "",
    region: str = "",
    ip_hash: str | None = None,
    config: dict[str, Any] | None = None,
) -> bool:
    """Append one choice to the ledger. True when stored; False when the event id was already stored
    (a retry): nothing is stored twice. `ip_hash`: the caller's keyed hash of `ip`, when it has
    computed it already (the event endpoint, for its rate limit), so it is not computed twice.
    `config`: the site's current config (`config_of(site)`), when the caller has just looked it up
    (the event endpoint, through the pointer it read with its rate counter)."""
    if config is None:
        config = config_of(site)
    if method not in METHODS:
        raise ConsentError(_("unknown method '%(method)s'"), code="method_invalid", method=method)
    if not 1 <= notice_version <= config["version"]:
        raise ConsentError(
            _("notice version %(version)s was never shown on this site"), code="version_invalid", version=notice_version
        )
    if not _known_text(config, text_hash):
        raise ConsentError(_("the banner text hash matches no text this site has shown"), code="text_unknown")
    normalised = _normalise_choices(config, choices, method, gpc)
    now = timezone.now()
    chosen_at = checked_chosen_at(event_id, now, config["days"])
    subject_hash = ""
    if subject_token:
        subject_id = siteconfig_subject(site, subject_token)
        subject_hash = consent_identifier_hash("subject", f"{config['organisation']}:{subject_id}")
    fields: dict[str, Any] = {
        "event_id": event_id,
        "site": site,
        "organisation": config["organisation"],
        "map_version": config["map_version"],
        "notice_version": notice_version,
        "banner_text_hash": text_hash,
        "language": language[:8],
        "choices": normalised,
        "method": method,
        "gpc": gpc,
        "region": region[:40],
        "device_hash": consent_identifier_hash("device", f"{site}:{device_id}"),
        "subject_hash": subject_hash,
        "ip_hash": ip_hash if ip_hash is not None else (consent_identifier_hash("ip", ip) if ip else ""),
        "user_agent": user_agent[:400],
        "recorded_at": now,
        "chosen_at": chosen_at,
    }
    fields["seal"] = hmac_seal({name: fields[name] for name in SEALED_FIELDS})
    fields["granted"] = "," + ",".join(ident for ident, on in normalised.items() if on) + ","
    if chosen_at is LEGACY_CHOSEN_AT:
        # An id without a time whose row `consent repartition` moved to the month it was recorded
        # in no longer meets (event_id, 1970-01-01): looked up by id alone (older banners only).
        seen = ConsentEvent.objects.filter(event_id=event_id)
        if not seen.exists() and _insert_unless_seen(fields):
            return True
    elif _insert_unless_seen(fields):
        return True
    else:
        # Built only for a repeat: a queryset costs more CPU than the rest of an event's checks.
        # chosen_at too: on PostgreSQL it names the one partition to look in.
        seen = ConsentEvent.objects.filter(event_id=event_id, chosen_at=chosen_at)
    existing = seen.values_list("device_hash", flat=True).first()
    if existing is None:  # not inserted, yet not there: cannot happen unless the row vanished
        raise ConsentError(_("the event could not be stored"), code="event_not_stored")
    if existing != fields["device_hash"]:
        raise ConsentError(_("this event id was already used by another device"), code="event_conflict")
    return False


# Column types whose Python values (str, int, bool) every database driver takes as they are; the
# others (UUID, JSON, datetime) go through the field's own conversion for the database in use.
_PLAIN_TYPES = frozenset({"CharField", "PositiveIntegerField", "IntegerField", "BooleanField"})


@dataclass(frozen=True)
class _InsertSql:
    """The ledger's insert, built once per database alias: `head` + one `row` per event + `tail`
    (`INSERT ... ON CONFLICT DO NOTHING`, INSERT OR IGNORE on SQLite, INSERT IGNORE on MySQL), with
    each column's converter."""

    head: str
    row: str
    tail: str
    converters: list[tuple[str, Any]]

    def params(self, fields: dict[str, Any], connection: BaseDatabaseWrapper) -> list[Any]:
        return [
            fields[name] if convert is None else convert(fields[name], connection) for name, convert in self.converters
        ]


_INSERTS: dict[str, _InsertSql] = {}
_GROUPS: dict[str, GroupCommitter] = {}
_GROUPS_LOCK = threading.Lock()


def _insert_sql(connection: BaseDatabaseWrapper) -> _InsertSql:
    cached = _INSERTS.get(connection.alias)
    if cached is None:
        fields = [field for field in ConsentEvent._meta.concrete_fields if not field.primary_key]
        ops = connection.ops
        cached = _INSERTS[connection.alias] = _InsertSql(
            head="{} {} ({}) VALUES ".format(
                ops.insert_statement(on_conflict=OnConflict.IGNORE),
                ops.quote_name(ConsentEvent._meta.db_table),
                ", ".join(ops.quote_name(str(field.column)) for field in fields),
            ),
            row="({})".format(", ".join(["%s"] * len(fields))),
            tail=" " + (ops.on_conflict_suffix_sql(fields, OnConflict.IGNORE, None, None) or ""),
            converters=[
                (field.attname, None if field.get_internal_type() in _PLAIN_TYPES else field.get_db_prep_save)
                for field in fields
            ],
        )
    return cached


def _insert_unless_seen(fields: dict[str, Any]) -> bool:
    """Store one ledger row; False when the event id is already in the ledger.

    Not wrapped in transaction.atomic(): a single statement is atomic by itself, and the explicit
    transaction would add a BEGIN and a COMMIT round trip to every page view's event. The unique
    event id makes the statement idempotent, so a repeated event changes nothing. Inside an outer
    transaction (tests, callers that need one) the statement simply joins it. On PostgreSQL outside
    a transaction, the rows of concurrent events share one statement and one commit
    (group_commit.py).
    """
    connection = connections[router.db_for_write(ConsentEvent)]
    insert = _insert_sql(connection)
    params = insert.params(fields, connection)
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        event_id = uuid.UUID(str(fields["event_id"]))
        return _group(connection.alias).insert(event_id, params, _batch_writer(connection, insert))
    with _cursor(connection) as cursor:
        cursor.execute((insert.head + insert.row + insert.tail).strip(), params)
        return cursor.rowcount == 1


def _group(alias: str) -> GroupCommitter:
    with _GROUPS_LOCK:
        return _GROUPS.setdefault(alias, GroupCommitter())


def _batch_writer(connection: BaseDatabaseWrapper, insert: _InsertSql) -> Callable[[list[Sequence[Any]]], set[Any]]:
    """Store rows in one statement on this thread's connection; the event ids stored."""

    def write(rows: list[Sequence[Any]]) -> set[Any]:
        sql = insert.head + ", ".join([insert.row] * len(rows)) + insert.tail + " RETURNING event_id"
        with _cursor(connection) as cursor:
            cursor.execute(sql, [value for row in rows for value in row])
            return {uuid.UUID(str(found[0])) for found in cursor.fetchall()}

    return write


def _cursor(connection: BaseDatabaseWrapper) -> Any:
    """Django's cursor, except on PostgreSQL with psycopg 3: a server-side binding cursor there.

    Django's default psycopg cursor binds on the client, quoting each of the 18 values into the
    SQL text in Python; sent as parameters they cost the web process less CPU. The statement is
    not prepared (connection poolers) and runs through Django's cursor wrapper, so database
    error mapping, execute wrappers and query logging apply as for any other query.
    """
    if connection.vendor != "postgresql":
        return connection.cursor()
    # Imported here: the PostgreSQL driver is present only where PostgreSQL is used.
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    if not is_psycopg3:
        return connection.cursor()
    from django.db.backends.postgresql import base as postgresql

    server_binding: Any = postgresql.ServerBindingCursor  # a psycopg.Cursor (the stubs don't say so)
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        raw = server_binding(connection.connection)
    return connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)


def siteconfig_subject(site: str, token: str) -> str:
    subject_id = verify_subject_token(site, token)
    if subject_id is None:
        raise ConsentError(_("the subject token is not signed with this site's key"), code="subject_invalid")
    return subject_id


def is_sealed(event: ConsentEvent) -> bool:
    fields = {name: getattr(event, name) for name in SEALED_FIELDS}
    fields["event_id"] = uuid.UUID(str(fields["event_id"]))
    return hmac_seal(fields) == event.seal


def _event_out(event: ConsentEvent, current_version: int | None = None) -> dict[str, Any]:
    out = {
        "event_id": str(event.event_id),
        "site": event.site,
        "recorded_at": event.recorded_at.isoformat(),
        "chosen_at": event.chosen_at.isoformat(),
        "method": event.method,
        "choices": event.choices,
        "notice_version": event.notice_version,
        "map_version": event.map_version,
        "banner_text_hash": event.banner_text_hash,
        "language": event.language,
        "gpc": event.gpc,
        "region": event.region,
    }
    if current_version is not None:
        out["current"] = event.notice_version >= current_version
    return out


def _subject_hash(organisation: str, subject_id: str) -> str:
    return consent_identifier_hash("subject", f"{organisation}:{subject_id}")


def _subject_devices(organisation: str, subject_id: str) -> tuple[str, list[str]]:
    subject_hash = _subject_hash(organisation, subject_id)
    devices = list(
        ConsentEvent.objects.filter(organisation=organisation, subject_hash=subject_hash)
        .values_list("device_hash", flat=True)
        .distinct()
    )
    return subject_hash, devices


def current_state(site: str, *, device_id: str | None = None, subject_id: str | None = None) -> dict[str, Any]:
    """The latest choice of a device, or of any device a subject was logged in on."""
    config = config_of(site)
    if bool(device_id) == bool(subject_id):
        raise ConsentError(_("ask about either a device or a subject"), code="query_invalid")
    events = ConsentEvent.objects.filter(site=site)
    if device_id:
        events = events.filter(device_hash=consent_identifier_hash("device", f"{site}:{device_id}"))
        devices = 1
    else:
        _subject, hashes = _subject_devices(config["organisation"], str(subject_id))
        events = events.filter(device_hash__in=hashes)
        devices = len(hashes)
    latest = events.order_by("-recorded_at", "-id").first()
    return {
        "site": site,
        "notice_version": config["version"],
        "devices": devices,
        "consent": _event_out(latest, config["version"]) if latest else None,
    }


def proof_of_consent(organisation: str, subject_id: str, actor: Actor) -> dict[str, Any]:
    """Every ledger entry of a subject's devices, the words each one was shown, and whether each
    entry is still as it was written (its seal). For an auditor or a regulator."""
    if not subject_id:
        raise ConsentError(_("a subject id is needed"), code="query_invalid")
    with transaction.atomic():
        subject_hash, devices = _subject_devices(organisation, subject_id)
        events = list(
            ConsentEvent.objects.filter(organisation=organisation, device_hash__in=devices).order_by(
                "recorded_at", "id"
            )
        )
        texts = {
            text.text_hash: {"language": text.language, "site": text.site, "content": text.content}
            for text in BannerText.objects.filter(text_hash__in={event.banner_text_hash for event in events})
        }
        entries = []
        for event in events:
            entry = _event_out(event)
            entry |= {
                "device": event.device_hash,
                "logged_in_as_subject": event.subject_hash == subject_hash,
                "ip_hash": event.ip_hash,
                "user_agent": event.user_agent,
                "seal": event.seal,
                "seal_valid": is_sealed(event),
            }
            entries.append(entry)
        record(
            actor,
            "consent.proof_exported",
            target_type="consent_subject",
            target_id=subject_hash[:16],
            details={"organisation": organisation, "events": len(entries)},
        )
    return {
        "organisation": organisation,
        "subject": subject_hash,
        "generated_at": timezone.now().isoformat(),
        "hashing": "device, subject and IP are HMAC-SHA256 with the server's consent key; "
        "banner_text_hash is SHA-256 of the canonical JSON of the texts below",
        "events": entries,
        "banner_texts": texts,
        # Months before this one were dropped under the retention setting: no entry older is left.
        "ledger_kept_from": ledger_storage.ledger_kept_from(),
    }
