"""Which rights a requester may exercise and under which legal rule (RULES.md), tightened by the map.

Pure Python: the privacy map in, a `RequestRule` out. A company may promise more than the law
(`commitments.request_clocks`); for every clock the stricter value wins, which is decided by
computing both dates (see clocks.py), never by comparing the texts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from mamori.calendars import EU_MEMBER_STATES
from mamori.calendars.business import EEA_NON_EU_STATES
from mamori.catalog.mapfile import PrivacyMap
from mamori.catalog.mapfile.laws import APPI, CPRA, FADP, GDPR, UK_GDPR, law_of
from mamori.catalog.mapfile.values import Duration
from mamori.core.errors import DomainError

RIGHT_LABELS = {
    "access": _("Access to my data (right to know / disclosure)"),
    "portability": _("A portable copy of my data (data portability)"),
    "rectification": _("Correct my data (rectification)"),
    "addition": _("Add to my data (addition)"),
    "erasure": _("Delete my data (erasure)"),
    "restriction": _("Restrict or suspend the use of my data"),
    "objection": _("Object to the processing of my data"),
    "withdraw_consent": _("Withdraw my consent"),
    "cease_third_party_provision": _("Stop providing my data to third parties"),
    "provision_records": _("Records of provision of my data to third parties"),
    "opt_out_sale_sharing": _("Do not sell or share my personal information"),
    "limit_sensitive": _("Limit the use of my sensitive personal information"),
    "usage_report": _("A report on how my data is used"),
}

# The rights each law grants (RULES.md "Rights by jurisdiction"); a map's commitments may add more.
LAW_RIGHTS: dict[str, tuple[str, ...]] = {
    GDPR: ("access", "portability", "rectification", "erasure", "restriction", "objection", "withdraw_consent"),
    UK_GDPR: ("access", "portability", "rectification", "erasure", "restriction", "objection", "withdraw_consent"),
    # FADP Art. 25 (access), 28 (portability), 32 (rectification; erasure, a ban on processing or on
    # disclosure to third parties), 30(2)(b) (objection), consent withdrawn (Art. 6(6)-(7)).
    FADP: ("access", "portability", "rectification", "erasure", "restriction", "objection", "withdraw_consent"),
    CPRA: ("access", "portability", "rectification", "erasure", "opt_out_sale_sharing", "limit_sensitive"),
    APPI: (
        "access",
        "rectification",
        "addition",
        "erasure",
        "restriction",
        "withdraw_consent",
        "cease_third_party_provision",
        "provision_records",
    ),
}

# Grounds on which each law lets a controller refuse (RULES.md "Refusals").
REFUSAL_GROUNDS: dict[str, dict[str, object]] = {
    APPI: {
        "appi_harm": _("Disclosure would harm the life, body, property or interests of the person or a third party"),
        "appi_business_interference": _("It would seriously interfere with the proper conduct of the business"),
        "appi_illegal": _("It would violate another law"),
        "appi_no_data": _("No retained personal data about the requester"),
        "appi_grounds_not_met": _("The legal grounds for deletion or suspension are not met"),
    },
    GDPR: {
        "gdpr_unfounded": _("Manifestly unfounded"),
        "gdpr_excessive": _("Manifestly excessive (in particular repetitive)"),
        "gdpr_rights_of_others": _("Would adversely affect the rights and freedoms of others"),
        "gdpr_erasure_exception": _("An exception to erasure applies (legal obligation, legal claims, ...)"),
        "gdpr_compelling_grounds": _("Compelling legitimate grounds override the objection"),
        "gdpr_no_data": _("We hold no personal data about the requester"),
    },
    CPRA: {
        "cpra_unverifiable": _("The identity could not be verified"),
        "cpra_exception": _(
            "A statutory exception applies (e.g. to complete a transaction, security, legal obligation)"
        ),
        "cpra_rights_of_others": _("Disclosure would conflict with the rights of others or federal/state law"),
        "cpra_disproportionate": _("Impossible or disproportionate effort (correction)"),
        "cpra_no_data": _("We hold no personal information about the requester"),
    },
}
REFUSAL_GROUNDS[UK_GDPR] = REFUSAL_GROUNDS[GDPR]
# FADP Art. 26: access may be refused, restricted or deferred on these grounds.
REFUSAL_GROUNDS[FADP] = {
    "fadp_law": _("A formal law provides for it or it is needed to protect professional secrecy"),
    "fadp_third_party": _("Overriding interests of third parties require it"),
    "fadp_unfounded": _("The request is manifestly unfounded or pursues a purpose contrary to data protection"),
    "fadp_own_interests": _("Overriding interests of the controller require it (and it discloses no data)"),
    "fadp_no_data": _("We hold no personal data about the requester"),
}

# CPRA: know, delete, correct have the 10-business-day acknowledgement and 45 (+45) days.
_CPRA_KNOW_DELETE_CORRECT = ("access", "portability", "erasure", "rectification")

# APPI says "without delay" and gives no number: mamori shows this internal target until the map
# commits to one (the examples commit to 14 days).
APPI_DEFAULT_TARGET = Duration(14, "day")
# Requests no law times (a right offered only because the company promised it): the same target.
DEFAULT_TARGET = Duration(30, "day")
# How long identity may stay unverified before the request is closed (CP6) when the map is silent.
DEFAULT_VERIFICATION_TIMEOUT = Duration(45, "day")
# FADP (Ordinance Art. 18): access within 30 days; if that cannot be done, the person is told and given
# the period within which they will have it. The law sets no limit to that period: mamori allows 60
# days in total (the extension's e-mail states the new date), the earlier of any two limits winning.
FADP_RESPOND = Duration(30, "day")
FADP_EXTEND_TO = Duration(60, "day")
# CPRA §7101: request records are kept at least 24 months.
DEFAULT_RECORDS_PERIOD = Duration(24, "month")


class RuleError(DomainError, ValueError):
    """No rule applies: the jurisdiction or the right is not served (the message is shown)."""

    code = "no_rule"


@dataclass(frozen=True)
class LegalClock:
    """One source of deadlines: the law, or one of the company's commitments."""

    source: str  # "law" | "commitment"
    acknowledge: Duration | None = None
    respond: Duration | None = None
    extend_to: Duration | None = None  # total from receipt
    verification_timeout: Duration | None = None
    gdpr_months: bool = False  # months counted the GDPR way on the member state's calendar
    acknowledge_same_channel: bool = False


@dataclass(frozen=True)
class RequestRule:
    jurisdiction: str  # the requester's: JP, US-CA, UK, EU-FR, ...
    law: str
    right: str
    calendar_id: str
    clocks: tuple[LegalClock, ...]
    refusal_grounds: dict[str, object] = field(default_factory=dict)
    # Whether the clock may be paused while waiting for the requester (GDPR, APPI; not CPRA, whose
    # 45 days run "whatever verification takes").
    pausable: bool = False
    without_delay: bool = False  # APPI: the law says "without delay"
    # US-CA: the state holidays the company observes (the map's organisation setting; None: default).
    observed_state_holidays: tuple[str, ...] | None = None

    @property
    def acknowledge_same_channel(self) -> bool:
        return any(clock.acknowledge_same_channel for clock in self.clocks)

    @property
    def can_extend(self) -> bool:
        return any(clock.extend_to is not None for clock in self.clocks)

    @property
    def without_delay_target(self) -> tuple[Duration, bool] | None:
        """APPI's "without delay" as a number: (the target, whether the company committed to it in
        its map). None where the law itself sets the deadline. Refusals run on the same clock."""
        if not self.without_delay:
            return None
        promised = [clock.respond for clock in self.clocks if clock.source == "commitment" and clock.respond]
        if promised:
            return min(promised, key=lambda duration: duration.longest_days()), True
        return APPI_DEFAULT_TARGET, False


def requester_jurisdictions(privacy_map: PrivacyMap) -> list[str]:
    """Jurisdictions a requester can say they are in: the map's codes, EU/EEA as member states.

    A GDPR deadline rolls over the public holidays of a member state, so a requester in the EU
    names their country. Where the map lists the EEA, residents of Iceland, Liechtenstein and
    Norway (the EEA outside the EU) may file too.
    """
    codes: list[str] = []
    for code in privacy_map.jurisdiction_codes:
        if code in ("EU", "EEA"):
            codes.extend(f"EU-{state}" for state in sorted(EU_MEMBER_STATES))
            if code == "EEA":
                codes.extend(f"EEA-{state}" for state in EEA_NON_EU_STATES)
        else:
            codes.append(code)
    return list(dict.fromkeys(codes))


def _map_code_for(privacy_map: PrivacyMap, jurisdiction: str) -> str:
    """The map's jurisdiction code that covers a requester's jurisdiction."""
    if privacy_map.in_scope(jurisdiction):
        return jurisdiction
    if jurisdiction.startswith("EU-"):
        for code in ("EU", "EEA"):
            if privacy_map.in_scope(code):
                return code
    if jurisdiction.startswith("EEA-") and privacy_map.in_scope("EEA"):
        return "EEA"
    raise RuleError(_("jurisdiction %(jurisdiction)s is not in the map's scope"), jurisdiction=jurisdiction)


def calendar_for(jurisdiction: str) -> str:
    if jurisdiction in ("JP", "US-CA", "UK", "CH"):
        return jurisdiction
    if jurisdiction.startswith("EU-"):
        return "EU-GR" if jurisdiction == "EU-EL" else jurisdiction
    if jurisdiction.startswith("EEA-"):
        return jurisdiction
    raise RuleError(_("no calendar for jurisdiction %(jurisdiction)s"), jurisdiction=jurisdiction)


def _commitment_clocks(privacy_map: PrivacyMap, jurisdiction: str, right: str) -> list[LegalClock]:
    codes = {jurisdiction, _map_code_for(privacy_map, jurisdiction)}
    if jurisdiction.startswith("EU-"):
        codes |= {"EU", "EEA"}
    if jurisdiction.startswith("EEA-"):
        codes |= {"EEA"}
    clocks = []
    for promise in privacy_map.commitments.request_clocks:
        if not codes & set(promise.jurisdictions):
            continue
        if promise.rights is not None and right not in promise.rights:
            continue
        clocks.append(
            LegalClock(
                source="commitment",
                acknowledge=_duration(promise.acknowledge),
                respond=_duration(promise.respond),
                extend_to=_duration(promise.extend_to),
                verification_timeout=_duration(promise.verification_timeout),
                acknowledge_same_channel=promise.acknowledge_same_channel,
            )
        )
    return clocks


def _duration(value: object) -> Duration | None:
    if value is None:
        return None
    if isinstance(value, Duration):
        return value
    return Duration.parse(str(value))


def _legal_clock(law: str, right: str) -> LegalClock | None:
    if law in (GDPR, UK_GDPR):
        return LegalClock("law", respond=Duration(1, "month"), extend_to=Duration(3, "month"), gdpr_months=True)
    if law == FADP:
        # Calendar days; an end on a weekend or holiday is not moved (the earlier, safer reading).
        return LegalClock("law", respond=FADP_RESPOND, extend_to=FADP_EXTEND_TO)
    if law == CPRA:
        if right in _CPRA_KNOW_DELETE_CORRECT:
            return LegalClock(
                "law",
                acknowledge=Duration(10, "business_day"),
                respond=Duration(45, "day"),
                extend_to=Duration(90, "day"),
                verification_timeout=Duration(45, "day"),
            )
        if right in ("opt_out_sale_sharing", "limit_sensitive"):
            return LegalClock("law", respond=Duration(15, "business_day"))
        return None
    if law == APPI and right in LAW_RIGHTS[APPI]:
        # "Without delay" has no number; this target stands in only while the map commits to none.
        return LegalClock("law", respond=APPI_DEFAULT_TARGET)
    return None


def offered_rights(privacy_map: PrivacyMap, jurisdiction: str) -> list[str]:
    """The rights a requester in ``jurisdiction`` may exercise: the law's, plus any the map promises."""
    law = law_of(_map_code_for(privacy_map, jurisdiction))
    rights = list(LAW_RIGHTS.get(law, ()))
    codes = {jurisdiction, _map_code_for(privacy_map, jurisdiction)}
    for promise in privacy_map.commitments.request_clocks:
        if codes & set(promise.jurisdictions) and promise.rights:
            rights.extend(promise.rights)
    order = list(RIGHT_LABELS)
    return sorted(dict.fromkeys(rights), key=order.index)


def rule_for(privacy_map: PrivacyMap, jurisdiction: str, right: str) -> RequestRule:
    """The rule a request is handled under; RuleError if the right is not offered there."""
    map_code = _map_code_for(privacy_map, jurisdiction)
    if right not in offered_rights(privacy_map, jurisdiction):
        raise RuleError(
            _("the right %(right)s is not offered in %(jurisdiction)s"), right=right, jurisdiction=jurisdiction
        )
    law = law_of(map_code)
    clocks: list[LegalClock] = []
    legal = _legal_clock(law, right)
    commitments = _commitment_clocks(privacy_map, jurisdiction, right)
    if legal is not None and not (law == APPI and any(clock.respond for clock in commitments)):
        clocks.append(legal)
    elif not any(clock.respond for clock in commitments):
        clocks.append(LegalClock("law", respond=DEFAULT_TARGET))
    clocks.extend(commitments)
    return RequestRule(
        jurisdiction=jurisdiction,
        law=law,
        right=right,
        calendar_id=calendar_for(jurisdiction),
        clocks=tuple(clocks),
        refusal_grounds=REFUSAL_GROUNDS.get(law, {}),
        pausable=law != CPRA,
        without_delay=law == APPI,
        observed_state_holidays=(
            tuple(privacy_map.organisation.observed_state_holidays)
            if privacy_map.organisation.observed_state_holidays is not None
            else None
        ),
    )


def records_period(privacy_map: PrivacyMap) -> Duration:
    """How long request records are kept: the map's commitment, or the CPRA minimum of 24 months."""
    promised = _duration(privacy_map.commitments.request_records)
    return promised or DEFAULT_RECORDS_PERIOD


def verification_timeout(rule: RequestRule) -> Duration:
    found = [clock.verification_timeout for clock in rule.clocks if clock.verification_timeout]
    if not found:
        return DEFAULT_VERIFICATION_TIMEOUT
    return min(found, key=lambda duration: duration.longest_days())
