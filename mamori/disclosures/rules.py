"""What a provision or receipt record must hold, checked against the applied map (RULES.md
"Records the law asks for"). Pure Python: a sent record in, a checked candidate or its errors out.

Provision (APPI Art. 29, Rules Art. 19-20): the recipient, the person, the items, and either the
fact of consent or, for opt-out provision, also the date. Receipt (Art. 30, Rules Art. 22-24): the
provider's name, address and representative and how the provider obtained the data, the person,
the items; the date and the provider's PPC publication on the opt-out basis; consent otherwise.
Provision under a legal exception, entrustment, business succession and joint use is not
third-party provision that needs a record: the register refuses it and says why.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from django.utils.translation import gettext as _

from mamori.catalog.mapfile import PrivacyMap
from mamori.disclosures.identities import PersonHasher
from mamori.disclosures.models import Direction, MadeFrom, RecordBasis

MAX_PEOPLE = 10_000  # per record; a bigger batch is several records (or several calls)
MAX_TEXT = 2_000
MAX_KEY = 200


# Why a provision on these bases needs no record (APPI Art. 27(1) and 27(5)).
def no_record_reason(basis: str) -> str | None:
    reasons = {
        "law": _("provision under a legal exception (APPI Art. 27(1)) needs no record"),
        "entrustment": _(
            "entrustment to a processor is not third-party provision (APPI Art. 27(5)(i)); no record is kept"
        ),
        "succession": _(
            "provision in a business succession is not third-party provision (APPI Art. 27(5)(ii)); no record is kept"
        ),
        "joint_use": _("joint use is not third-party provision (APPI Art. 27(5)(iii)); no record is kept"),
    }
    return reasons.get(basis)


NO_RECORD_BASES = ("law", "entrustment", "succession", "joint_use")
# A recipient's kind implies its basis when the map gives none.
_KIND_BASIS = {"processor": "entrustment", "successor": "succession", "joint_user": "joint_use", "authority": "law"}


@dataclass
class RowError:
    index: int
    field: str
    message: str
    code: str = "invalid"
    line: int | None = None  # CSV imports: the file's line

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {"index": self.index, "field": self.field, "message": self.message, "code": self.code}
        if self.line is not None:
            found["line"] = self.line
        return found


@dataclass
class Person:
    hashes: list[str]
    consent_event: uuid.UUID | None = None
    consent_document: str = ""


@dataclass
class Candidate:
    direction: str
    basis: str
    client_key: str
    counterparty_id: str
    counterparty_name: str
    counterparty_address: str = ""
    counterparty_representative: str = ""
    how_obtained: str = ""
    categories: list[str] = field(default_factory=list)
    items: str = ""
    transferred_on: date | None = None
    ppc_publication: str = ""
    consent_document: str = ""
    made_from: str = MadeFrom.SINGLE
    people: list[Person] = field(default_factory=list)

    def content_hash(self) -> str:
        body = {
            name: getattr(self, name)
            for name in (
                "direction",
                "basis",
                "counterparty_id",
                "counterparty_name",
                "counterparty_address",
                "counterparty_representative",
                "how_obtained",
                "categories",
                "items",
                "ppc_publication",
                "consent_document",
                "made_from",
            )
        }
        body["transferred_on"] = self.transferred_on.isoformat() if self.transferred_on else None
        body["people"] = [[p.hashes, str(p.consent_event or ""), p.consent_document] for p in self.people]
        return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()

    def dispose_after(self, recorded_at: datetime) -> datetime:
        """Rules Art. 21: one year where contract documents serve as the record, three otherwise,
        from the day of the (last) provision or, without one, from when it was recorded."""
        years = 1 if self.made_from == MadeFrom.CONTRACT_DOCUMENT else 3
        start = datetime.combine(self.transferred_on, time.max, tzinfo=UTC) if self.transferred_on else recorded_at
        return add_years(start, years)


def add_years(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February in a year without one
        return moment.replace(year=moment.year + years, day=28)


class _Checker:
    """Collects every problem of one sent record instead of stopping at the first."""

    def __init__(self, index: int, raw: Any) -> None:
        self.index = index
        self.raw = raw if isinstance(raw, dict) else {}
        self.errors: list[RowError] = []

    def fail(self, where: str, message: str, code: str = "invalid") -> None:
        self.errors.append(RowError(self.index, where, message, code))

    def text(
        self,
        name: str,
        *,
        required: bool = False,
        limit: int = MAX_TEXT,
        where: str | None = None,
        source: dict[str, Any] | None = None,
    ) -> str:
        value = (self.raw if source is None else source).get(name)
        where = where or name
        if value is None or value == "":
            if required:
                self.fail(where, _("this field is required"), "required")
            return ""
        if not isinstance(value, str):
            self.fail(where, _("must be text"), "wrong_type")
            return ""
        if "\x00" in value:
            self.fail(where, _("must not contain NUL characters"), "nul")
            return ""
        value = value.strip()
        if len(value) > limit:
            self.fail(where, _("longer than {limit} characters").format(limit=limit), "too_long")
            return ""
        if required and not value:
            self.fail(where, _("this field is required"), "required")
        return value

    def day(self, name: str, *, required: bool) -> date | None:
        text = self.text(name, required=required, limit=10)
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            self.fail(name, _("not a date (YYYY-MM-DD)"), "bad_date")
            return None


def check_record(
    direction: str, index: int, raw: Any, privacy_map: PrivacyMap, kinds: list[str], organisation: str
) -> tuple[Candidate | None, list[RowError]]:
    """Check one sent record; the candidate is None whenever there is any error."""
    check = _Checker(index, raw)
    if not isinstance(raw, dict):
        check.fail("", _("each record must be an object"), "wrong_type")
        return None, check.errors
    known = {
        "client_key",
        "basis",
        "categories",
        "items",
        "transferred_on",
        "made_from",
        "ppc_publication",
        "consent_document",
        "people",
        "recipient",
        "source",
        "provider",
    }
    for name in sorted(set(raw) - known):
        check.fail(str(name)[:100], _("unknown field"), "unknown_field")
    client_key = check.text("client_key", required=True, limit=MAX_KEY)
    made_from = check.text("made_from") or MadeFrom.SINGLE
    if made_from not in MadeFrom.values:
        check.fail("made_from", _("must be one of: {choices}").format(choices=", ".join(MadeFrom.values)))
    candidate = Candidate(
        direction=direction,
        basis="",
        client_key=client_key,
        counterparty_id="",
        counterparty_name="",
        made_from=made_from,
    )
    candidate.items = check.text("items")
    candidate.consent_document = check.text("consent_document", limit=200)
    candidate.ppc_publication = check.text("ppc_publication", limit=200)
    allowed = (_provision_counterparty if direction == Direction.PROVISION else _receipt_counterparty)(
        check, candidate, privacy_map
    )
    candidate.transferred_on = check.day("transferred_on", required=candidate.basis == RecordBasis.OPT_OUT)
    if direction == Direction.RECEIPT and candidate.basis == RecordBasis.OPT_OUT and not candidate.ppc_publication:
        check.fail("ppc_publication", _("an opt-out provider's publication by the PPC must be recorded"), "required")
    candidate.categories = _categories(check, allowed, privacy_map)
    candidate.people = _people(check, candidate, kinds, organisation)
    return (None if check.errors else candidate), check.errors


def _basis(check: _Checker, default: str | None) -> str:
    sent = check.text("basis", limit=20)
    basis = sent or default or ""
    reason = no_record_reason(basis)
    if reason:
        check.fail("basis", reason, "no_record_needed")
    elif basis not in RecordBasis.values:
        if sent:
            check.fail("basis", _("must be consent or opt_out"))
        else:
            check.fail("basis", _("the map gives no basis (consent or opt-out) that needs a record"), "required")
    return basis


def _provision_counterparty(check: _Checker, candidate: Candidate, privacy_map: PrivacyMap) -> list[str] | None:
    ident = check.text("recipient", required=True, limit=100)
    if not ident:
        return None
    recipient = privacy_map.find("recipients", ident)
    if recipient is None:
        check.fail("recipient", _("the map has no recipient '{ident}'").format(ident=ident), "unknown_recipient")
        return None
    mapped = recipient.provision_basis or _KIND_BASIS.get(recipient.kind)
    if mapped in NO_RECORD_BASES:
        check.fail("recipient", no_record_reason(mapped) or "", "no_record_needed")
        return None
    basis = _basis(check, mapped if mapped in RecordBasis.values else None)
    if mapped in RecordBasis.values and basis in RecordBasis.values and basis != mapped:
        check.fail(
            "basis",
            _("the map provides to '{ident}' on the basis '{basis}'").format(ident=ident, basis=mapped),
            "basis_mismatch",
        )
    candidate.basis = basis
    candidate.counterparty_id = recipient.id
    candidate.counterparty_name = recipient.name.en if hasattr(recipient.name, "en") else str(recipient.name)
    return list(recipient.categories)


def _receipt_counterparty(check: _Checker, candidate: Candidate, privacy_map: PrivacyMap) -> list[str] | None:
    allowed: list[str] | None = None
    mapped: dict[str, str] = {}
    ident = check.text("source", limit=100)
    if ident:
        source = privacy_map.find("sources", ident)
        if source is None or source.kind != "third_party":
            check.fail("source", _("the map has no third-party source '{ident}'").format(ident=ident), "unknown_source")
        else:
            candidate.counterparty_id = source.id
            allowed = list(source.categories)
            if source.provider is not None:
                for name in ("name", "address", "representative", "how_obtained"):
                    value = getattr(source.provider, name)
                    if value is not None:
                        mapped[name] = value.en if hasattr(value, "en") else str(value)
    provider = check.raw.get("provider")
    if provider is not None and not isinstance(provider, dict):
        check.fail("provider", _("must be an object"), "wrong_type")
        provider = {}
    provider = provider or {}
    for name in sorted(set(provider) - {"name", "address", "representative", "how_obtained"}):
        check.fail(f"provider.{str(name)[:100]}", _("unknown field"), "unknown_field")
    values = {}
    for name in ("name", "address", "representative", "how_obtained"):
        given = check.text(name, source=provider, where=f"provider.{name}")
        values[name] = given or mapped.get(name, "")
        if not values[name]:  # the confirmation items of Art. 30(1) are all required
            check.fail(f"provider.{name}", _("this confirmation item is required"), "required")
    candidate.counterparty_name = values["name"]
    candidate.counterparty_address = values["address"]
    candidate.counterparty_representative = values["representative"]
    candidate.how_obtained = values["how_obtained"]
    candidate.basis = _basis(check, None)
    return allowed


def _categories(check: _Checker, allowed: list[str] | None, privacy_map: PrivacyMap) -> list[str]:
    raw = check.raw.get("categories")
    if raw is None:
        if allowed:
            return allowed
        check.fail("categories", _("this field is required"), "required")
        return []
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw) or not raw:
        check.fail("categories", _("must be a non-empty list of data category ids"), "wrong_type")
        return []
    for position, ident in enumerate(raw):
        if privacy_map.find("data_categories", ident) is None:
            check.fail(
                f"categories[{position}]",
                _("the map has no data category '{ident}'").format(ident=ident[:100]),
                "unknown_category",
            )
        elif allowed is not None and ident not in allowed:
            check.fail(
                f"categories[{position}]",
                _("'{ident}' is not among the items the map gives for this counterparty").format(ident=ident),
                "category_not_mapped",
            )
    return list(dict.fromkeys(raw))


def _people(check: _Checker, candidate: Candidate, kinds: list[str], organisation: str) -> list[Person]:
    raw = check.raw.get("people")
    if not isinstance(raw, list) or not raw:
        check.fail("people", _("must be a non-empty list of people"), "required" if raw is None else "wrong_type")
        return []
    if len(raw) > MAX_PEOPLE:
        check.fail("people", _("at most {limit} people per record").format(limit=MAX_PEOPLE), "too_many")
        return []
    needs_consent = candidate.basis == RecordBasis.CONSENT and not candidate.consent_document
    hasher = PersonHasher(organisation, kinds)
    people = []
    for position, sent in enumerate(raw):
        where = f"people[{position}]"
        if len(check.errors) > 50:  # enough to fix a file; the rest would repeat the same mistake
            break
        if not isinstance(sent, dict) or not isinstance(sent.get("identities"), dict) or not sent["identities"]:
            check.fail(where, _("each person needs 'identities': an object of identity kind and value"), "wrong_type")
            continue
        identities: dict[str, str] = {}
        for kind in sent["identities"]:
            if kind not in kinds:
                check.fail(
                    f"{where}.identities.{str(kind)[:50]}",
                    _("not an identity kind of the map (known: {kinds})").format(kinds=", ".join(kinds)),
                    "unknown_identity",
                )
                continue
            text = check.text(kind, source=sent["identities"], where=f"{where}.identities.{kind}", limit=320)
            if text:
                identities[kind] = text
        person = Person(hashes=hasher(identities))
        event = sent.get("consent_event")
        if event is not None:
            try:
                person.consent_event = uuid.UUID(str(event)) if isinstance(event, str) else None
            except ValueError:
                person.consent_event = None
            if person.consent_event is None:
                check.fail(f"{where}.consent_event", _("not a consent ledger event id"), "bad_consent_event")
        person.consent_document = check.text(
            "consent_document", source=sent, where=f"{where}.consent_document", limit=200
        )
        if needs_consent and person.consent_event is None and not person.consent_document:
            check.fail(
                where,
                _("consent is the basis: give the consent evidence (a ledger event or a document)"),
                "consent_missing",
            )
        if identities:
            people.append(person)
    return people
