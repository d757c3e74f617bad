"""The privacy map as pydantic models; attribute names are the YAML keys of docs/privacy-map.md.

Structure only lives here (types, required keys, formats). Checks that relate one part of the map
to another (references, legal bases per jurisdiction, transfers, ...) are in `semantics.py`, so
that every problem can be reported at its own place.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, model_validator

from . import laws
from .i18n import _
from .values import (
    BilingualText,
    CalendarId,
    ClockTime,
    ColumnRef,
    CookieDurationField,
    Country,
    CountryOrUnknown,
    DurationField,
    EnvName,
    Id,
    JurisdictionCode,
    LaxDate,
    LocalText,
    Text,
    TimeZoneName,
    fail,
)

FORMAT_VERSION = 1


class MapModel(BaseModel):
    """Unknown keys are errors (a typo must not silently drop a promise); no type coercion."""

    model_config = ConfigDict(extra="forbid", strict=True)


# ---------------------------------------------------------------- organisation

Handle = Literal["privacy_requests", "complaints", "questions", "security"]
UsCaStateHoliday = Literal[
    "cesar_chavez_day",
    "day_after_thanksgiving",
    "diwali",
    "lincolns_birthday",
    "native_american_day",
    "susan_b_anthony_day",
]
ChannelKind = Literal["email", "phone", "post", "fax", "form", "in_person"]
# How a rights request came in (rights.models.Channel): a manual system can be about some only.
RequestChannelKind = Literal["form", "api", "email", "post", "phone", "fax", "in_person"]


class Channel(MapModel):
    kind: ChannelKind
    value: str


class Hours(MapModel):
    calendar: CalendarId
    days: Literal["business_days", "every_day", "weekdays"] = "business_days"
    open: ClockTime
    close: ClockTime
    after_hours: Literal["next_business_day", "same_day"] = "next_business_day"


class Contact(MapModel):
    id: Id
    name: Text
    handles: list[Handle] = []
    channels: Annotated[list[Channel], Field(min_length=1)]
    hours: Hours | None = None


class HeadOfBusiness(MapModel):
    name: Text
    title: Text | None = None


class EuRepresentative(MapModel):
    id: Id
    region: Literal["EU", "UK"]
    name: Text
    address: Text
    email: str | None = None


class SupervisoryAuthority(MapModel):
    id: Id
    jurisdiction: JurisdictionCode
    name: Text
    url: str | None = None


class Organisation(MapModel):
    id: Id
    legal_name: Text
    trade_names: list[str] = []
    address: Text
    country: Country
    time_zone: TimeZoneName
    website: str | None = None
    representative: HeadOfBusiness | None = None
    contacts: Annotated[list[Contact], Field(min_length=1)]
    representatives: list[EuRepresentative] = []
    supervisory_authorities: list[SupervisoryAuthority] = []
    security_measures: list[BilingualText] = []
    # US-CA business days: which California state holidays (beyond the federal ones) the company
    # closes for. Unset: only the Day After Thanksgiving (the conservative default, RULES.md).
    observed_state_holidays: list[UsCaStateHoliday] | None = None


class Jurisdiction(MapModel):
    code: JurisdictionCode

    @property
    def law(self) -> str:
        return laws.law_of(self.code)


# ---------------------------------------------------------------- commitments

Right = Literal[
    "access",
    "portability",
    "rectification",
    "addition",
    "erasure",
    "restriction",
    "objection",
    "withdraw_consent",
    "cease_third_party_provision",
    "provision_records",
    "opt_out_sale_sharing",
    "limit_sensitive",
    "usage_report",
]
SignalChoice = Literal["honour", "ignore"]


class RequestClock(MapModel):
    jurisdictions: Annotated[list[JurisdictionCode], Field(min_length=1)]
    rights: list[Right] | None = None  # None: every right of that law
    acknowledge: DurationField | None = None
    acknowledge_same_channel: bool = False
    respond: DurationField | None = None
    extend_to: DurationField | None = None
    verification_timeout: DurationField | None = None


class Signals(MapModel):
    do_not_track: SignalChoice | None = None
    global_privacy_control: SignalChoice | None = None


class Sale(MapModel):
    sells: bool = False
    shares: bool = False
    discloses_for_business_purpose: bool = False
    no_sale_under_age: int | None = None


class Changes(MapModel):
    notify_by: list[Literal["email", "site_notice"]] = []
    advance_notice: DurationField | None = None
    reconsent_on_material_change: bool = False


class Website(MapModel):
    """What the company's own website promises to carry (IC5); the cookie scanner checks it."""

    third_party_cookies: bool = True
    third_party_embeds: bool = True  # iframes, plug-ins and embedded widgets of other sites


class BreachNotification(MapModel):
    notify_people: Literal["promptly", "high_risk_only"] = "promptly"
    include_summary_of_actions: bool = False


class Commitments(MapModel):
    request_clocks: list[RequestClock] = []
    request_records: DurationField | None = None
    signals: Signals | None = None
    minimum_age: int | None = None
    sale: Sale | None = None
    changes: Changes | None = None
    breach_notification: BreachNotification | None = None
    website: Website | None = None


# ---------------------------------------------------------------- data

AppiClass = Literal["personal_information", "history_characteristic", "pseudonymous", "anonymous"]
Sensitivity = Literal["gdpr_special", "appi_special_care", "cpra_sensitive"]
CpraCategory = Literal[
    "identifiers",
    "customer_records",
    "protected_characteristics",
    "commercial",
    "biometric",
    "internet_activity",
    "geolocation",
    "sensory",
    "professional",
    "education",
    "inferences",
    "sensitive",
]


# What a category holds that breach laws name (incidents: APPI Rules Art. 7 item 2, Cal. Civ. Code
# 1798.82(h)): card and account numbers risk financial damage; the others are California's list.
BreachElement = Literal[
    "card_number",  # payment card number (with or without its security code)
    "financial_account",  # bank or other financial account number, with a code giving access
    "credentials",  # user name or e-mail with the password or security answer that opens the account
    "ssn",  # US Social Security number
    "id_number",  # driver's licence, passport, My Number or other government identity number
    "tax_id",  # taxpayer identification number
    "medical",  # medical information
    "health_insurance",  # health insurance information
    "biometric",  # biometric data used to identify a person
    "genetic",  # genetic data
]


class DataCategory(MapModel):
    id: Id
    name: Text
    appi_class: AppiClass = "personal_information"
    sensitive: list[Sensitivity] = []
    cpra_category: CpraCategory | None = None
    breach_elements: list[BreachElement] = []
    description: Text | None = None

    @property
    def is_sensitive(self) -> bool:
        return bool(self.sensitive)


class DataSubject(MapModel):
    id: Id
    name: Text
    description: Text | None = None


class Provider(MapModel):
    name: Text
    address: Text | None = None
    representative: Text | None = None
    how_obtained: Text | None = None


class Source(MapModel):
    id: Id
    name: Text
    kind: Literal["data_subject", "third_party", "automatic", "public"]
    categories: list[Id] = []
    provider: Provider | None = None


class Purpose(MapModel):
    id: Id
    name: Text
    description: Text | None = None
    categories: list[Id] = []
    subjects: list[Id] = []
    legal_basis: dict[JurisdictionCode, str]
    consent_required: bool | None = None  # resolved after validation: true when any basis is consent
    statistics_only: bool = False

    @model_validator(mode="after")
    def _default_consent(self) -> Purpose:
        if self.consent_required is None:
            self.consent_required = "consent" in self.legal_basis.values()
        return self


# ---------------------------------------------------------------- recipients

RecipientKind = Literal["affiliate", "processor", "third_party", "joint_user", "authority", "successor"]
ProvisionBasis = Literal["consent", "opt_out", "law", "entrustment", "succession", "joint_use", "contract"]
Safeguard = Literal["adequacy", "scc", "bcr", "equivalent_measures", "consent", "derogation"]


class Transfer(MapModel):
    safeguard: Safeguard
    note: Text | None = None


class JointUse(MapModel):
    scope: Text | None = None
    purpose: Text | None = None
    manager: Text | None = None


class OptOutProvision(MapModel):
    items: Text | None = None
    method: Text | None = None
    how_to_stop: Text | None = None


class RecipientNotify(MapModel):
    """How mamori tells a recipient to stop provision or about a rectification, erasure or
    restriction (APPI Art. 35(3), CPRA opt-out, GDPR Art. 19): a signed webhook (URL in the named
    variable, secret in the `..._SECRET` one), else an e-mail, else a task for staff."""

    webhook_env: EnvName | None = None
    email: str | None = None


class Recipient(MapModel):
    id: Id
    name: Text
    kind: RecipientKind
    country: CountryOrUnknown
    purposes: list[Id] = []
    categories: list[Id] = []
    provision_basis: ProvisionBasis | None = None
    transfer: Transfer | None = None
    joint_use: JointUse | None = None
    opt_out_provision: OptOutProvision | None = None
    for_own_marketing: bool = False
    notify: RecipientNotify | None = None


# ---------------------------------------------------------------- systems

FieldErasure = Literal["null", "mask", "hash", "keep", "delete"]


def _unquoted_null(value: Any) -> Any:
    # `erase: null` without quotes reads as "no value"; it can only mean the same as "null".
    return "null" if value is None else value


class TableField(MapModel):
    name: str
    category: Id
    erase: Annotated[FieldErasure, BeforeValidator(_unquoted_null)] = "null"
    # The column holds someone else's data inside the person's rows (a gift recipient, a payer
    # name typed by another person): the access package labels it or leaves it out.
    others_data: Literal["label", "withhold"] | None = None


class Link(MapModel):
    column: str
    references: ColumnRef
    # What erasing one of the people who share the referenced row does to it (a household
    # address): keep it, mask its fields in place, or detach (empty this reference only).
    shared: Literal["keep", "mask", "detach"] = "keep"

    @property
    def table(self) -> str:
        return self.references.split(".", 1)[0]

    @property
    def target_column(self) -> str:
        return self.references.split(".", 1)[1]


class Table(MapModel):
    name: str
    owner: str | None = None
    erase: Literal["delete_row", "update_fields"] = "update_fields"
    retention: Id | None = None
    fields: list[TableField] = []
    links: list[Link] = []

    def column_names(self) -> set[str]:
        names = {field.name for field in self.fields} | {link.column for link in self.links}
        if self.owner and "." not in self.owner:
            names.add(self.owner)
        return names


class Restriction(MapModel):
    """How a system records that use of a person's data is restricted: a flag column on the
    root table (`flag: customers.restricted`) or a table of restricted keys
    (`keys: restricted_customers.customer_id`)."""

    flag: ColumnRef | None = None
    keys: ColumnRef | None = None


_IDENTITY_KIND = re.compile(r"^[a-z_]+$")


def _identity_kinds(value: Any) -> Any:
    if isinstance(value, dict):
        for kind in value:
            if not _IDENTITY_KIND.match(str(kind)):
                raise fail(_("'{kind}' is not an identity kind: use lower-case letters and '_'").format(kind=kind))
            columns = value[kind]
            if isinstance(columns, list) and not columns:
                raise fail(_("identity '{kind}' lists no columns").format(kind=kind))
    return value


class Residence(MapModel):
    """Where the people of a system live (incidents count affected people per jurisdiction): a
    country column (ISO alpha-2) and, for US states, a region column, each `table.column` on a
    table owned by the person; `default` for people whose rows say nothing (visitors)."""

    country: ColumnRef | None = None
    region: ColumnRef | None = None
    language: ColumnRef | None = None  # the language notices to them are written in (en, ja)
    default: CountryOrUnknown = "unknown"


class System(MapModel):
    id: Id
    name: Text
    connector: Literal["sql", "webhook", "manual"]
    connection_env: EnvName | None = None
    url_env: EnvName | None = None
    # One column, or a list: people without an account leave their e-mail in other tables too
    # (an inquiry, a newsletter subscription); kept as written so documents round-trip.
    identities: Annotated[dict[str, str | list[str]], BeforeValidator(_identity_kinds)] = {}
    tables: list[Table] = []
    residence: Residence | None = None
    instructions: Text | None = None
    # A manual system about requests that came in some ways only (the paper forms of requests by
    # post): its task is opened for those requests alone. Empty: every request.
    channels: list[RequestChannelKind] = []
    # Phone numbers written without a country code are from here (default: organisation.country).
    phone_region: Country | None = None
    restriction: Restriction | None = None

    def identity_columns(self) -> list[tuple[str, str]]:
        """(kind, "table.column") for every column an identity kind is found in, in map order."""
        return [
            (kind, ref) for kind, refs in self.identities.items() for ref in ([refs] if isinstance(refs, str) else refs)
        ]

    def table(self, name: str) -> Table | None:
        return next((table for table in self.tables if table.name == name), None)


# ---------------------------------------------------------------- retention

Trigger = Literal[
    "collected",
    "account_closed",
    "inquiry_resolved",
    "payment_completed",
    "claim_expired",
    "campaign_closed",
    "consent_withdrawn",
    "last_activity",
    "contract_ended",
    "request_closed",
]


ConditionValue = str | int | bool


class LegalHold(MapModel):
    basis: Text
    period: DurationField
    # {table: date column} the hold counts from (an order's date for tax records), so only rows
    # still inside the hold are kept; a table not named counts from the rule's trigger date.
    counts_from: dict[str, str] = {}


class RetentionTarget(MapModel):
    """Where a rule's trigger is written in the data: the date column of one table of a SQL
    system, and the values other columns must hold (`status: resolved`) for the event to count."""

    system: Id
    table: str
    date: str | None = None  # required, reported by the meaning checks ("a trigger without a date")
    where: dict[str, ConditionValue | list[ConditionValue]] = {}


class RetentionRule(MapModel):
    id: Id
    name: Text
    categories: list[Id] = []
    trigger: Trigger | None = None  # required, reported by the meaning checks
    period: DurationField | None = None  # required, reported by the meaning checks
    legal_hold: LegalHold | None = None
    disposal: Text | None = None
    # The tables the retention engine disposes of by itself (docs/retention.md); a rule without
    # targets only describes (notices, legal holds inside erasures).
    applies_to: list[RetentionTarget] = []
    # Safety stop: a run that would dispose of more than this share of a table waits for approval.
    max_share: Annotated[float, Field(gt=0, le=1, strict=False)] = 0.5


# ---------------------------------------------------------------- cookies

ConsentModeSignal = Literal[
    "ad_storage",
    "analytics_storage",
    "ad_user_data",
    "ad_personalization",
    "functionality_storage",
    "personalization_storage",
    "security_storage",
]


class CookieCategory(MapModel):
    id: Id
    name: Text
    description: Text | None = None
    legal_basis: dict[JurisdictionCode, str] = {}
    consent_mode: list[ConsentModeSignal] = []


class Cookie(MapModel):
    name: str
    category: Id
    provider: Text
    party: Literal["first", "third"]
    duration: CookieDurationField
    purpose: Text
    domain: str | None = None
    recipient: Id | None = None


class CollectionPoint(MapModel):
    id: Id
    name: Text
    categories: list[Id] = []
    purposes: list[Id] = []
    recipients: list[Id] = []
    retention: Id | None = None
    voluntary: bool = True
    consequence_of_not_providing: Text | None = None


class Notices(MapModel):
    first_published: LaxDate | None = None
    last_modified: LaxDate | None = None
    texts: dict[str, BilingualText] = {}


# ---------------------------------------------------------------- the map


def _format_version(value: Any) -> Any:
    if value != FORMAT_VERSION or isinstance(value, bool):
        raise fail(
            _("unsupported format version {value}: this mamori reads version {version}").format(
                value=repr(value), version=FORMAT_VERSION
            )
        )
    return value


# Top-level sections whose value is a list: these may be split across the files of a folder.
LIST_SECTIONS = (
    "jurisdictions",
    "data_categories",
    "data_subjects",
    "sources",
    "purposes",
    "recipients",
    "systems",
    "retention",
    "cookie_categories",
    "cookies",
    "collection_points",
)


class PrivacyMap(MapModel):
    """A whole, structurally valid privacy map. Look-ups raise KeyError for unknown ids."""

    mamori: Annotated[int, BeforeValidator(_format_version)]
    organisation: Organisation
    jurisdictions: Annotated[list[Jurisdiction], Field(min_length=1)]
    commitments: Commitments = Commitments()
    data_categories: list[DataCategory] = []
    data_subjects: list[DataSubject] = []
    sources: list[Source] = []
    purposes: list[Purpose] = []
    recipients: list[Recipient] = []
    systems: list[System] = []
    retention: list[RetentionRule] = []
    cookie_categories: list[CookieCategory] = []
    cookies: list[Cookie] = []
    collection_points: list[CollectionPoint] = []
    notices: Notices = Notices()

    _by_id: dict[str, dict[str, Any]] = PrivateAttr(default_factory=dict)

    # -- documents (stored versions, diffs)

    def to_document(self) -> dict[str, Any]:
        """A JSON-able, normalised dict: texts as {en, ja}, durations as strings, defaults filled in."""
        return self.model_dump(mode="json", exclude_none=True)

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> PrivacyMap:
        """Rebuild a map from `to_document()` output (e.g. a stored version)."""
        return cls.model_validate(document)

    # -- look-ups

    def _lookup(self, section: str, ident: str) -> Any:
        if section not in self._by_id:
            self._by_id[section] = {item.id: item for item in getattr(self, section)}
        try:
            return self._by_id[section][ident]
        except KeyError:
            raise KeyError(f"no {section} entry with id '{ident}'") from None

    def find(self, section: str, ident: str) -> Any | None:
        """The entry of a list section with this id, or None."""
        try:
            return self._lookup(section, ident)
        except KeyError:
            return None

    def category(self, ident: str) -> DataCategory:
        return self._lookup("data_categories", ident)

    def subject(self, ident: str) -> DataSubject:
        return self._lookup("data_subjects", ident)

    def source(self, ident: str) -> Source:
        return self._lookup("sources", ident)

    def purpose(self, ident: str) -> Purpose:
        return self._lookup("purposes", ident)

    def recipient(self, ident: str) -> Recipient:
        return self._lookup("recipients", ident)

    def system(self, ident: str) -> System:
        return self._lookup("systems", ident)

    def retention_rule(self, ident: str) -> RetentionRule:
        return self._lookup("retention", ident)

    def cookie_category(self, ident: str) -> CookieCategory:
        return self._lookup("cookie_categories", ident)

    def collection_point(self, ident: str) -> CollectionPoint:
        return self._lookup("collection_points", ident)

    def contact(self, ident: str) -> Contact:
        for contact in self.organisation.contacts:
            if contact.id == ident:
                return contact
        raise KeyError(f"no contact with id '{ident}'")

    # -- questions others ask often

    @property
    def jurisdiction_codes(self) -> list[str]:
        return [jurisdiction.code for jurisdiction in self.jurisdictions]

    @property
    def laws(self) -> list[str]:
        """The laws in scope, in the order their jurisdictions are listed."""
        return list(dict.fromkeys(laws.law_of(code) for code in self.jurisdiction_codes))

    def in_scope(self, code: str) -> bool:
        return code in self.jurisdiction_codes

    def legal_basis(self, purpose_id: str, code: str) -> str | None:
        """The basis of a purpose in a jurisdiction (EU member states fall back to EU)."""
        bases = self.purpose(purpose_id).legal_basis
        for key in laws.basis_lookup_order(code):
            if key in bases:
                return bases[key]
        return None

    def sensitive_categories(self) -> list[DataCategory]:
        return [category for category in self.data_categories if category.sensitive]

    def purposes_using(self, category_id: str) -> list[Purpose]:
        return [purpose for purpose in self.purposes if category_id in purpose.categories]

    def recipients_of(self, category_id: str) -> list[Recipient]:
        return [recipient for recipient in self.recipients if category_id in recipient.categories]

    def cookies_in(self, category_id: str) -> list[Cookie]:
        return [cookie for cookie in self.cookies if cookie.category == category_id]

    def transfers_abroad(self) -> Iterator[Recipient]:
        home = self.organisation.country
        return (recipient for recipient in self.recipients if recipient.country != home)

    def request_clocks_for(self, code: str) -> list[RequestClock]:
        return [clock for clock in self.commitments.request_clocks if code in clock.jurisdictions]

    def last_modified(self) -> date | None:
        return self.notices.last_modified


__all__ = [
    "LIST_SECTIONS",
    "Channel",
    "Commitments",
    "Contact",
    "Cookie",
    "CookieCategory",
    "DataCategory",
    "DataSubject",
    "LocalText",
    "Organisation",
    "PrivacyMap",
    "Purpose",
    "Recipient",
    "RetentionRule",
    "RetentionTarget",
    "System",
    "Table",
    "TableField",
]
