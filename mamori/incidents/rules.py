"""Breach rules: which law makes an incident reportable, and by when (RULES.md "Breaches").

Pure functions of the facts: no database, no clock (the caller passes `now`), so every trigger,
exemption and deadline is tested directly. docs/incidents.md explains each reading and its source.
Where the law is uncertain the conservative reading is taken (the earlier deadline, "reportable").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

from mamori.catalog.mapfile.laws import EU_MEMBER_STATES

KINDS = ("leak", "loss", "alteration", "damage")
CAUSES = ("unauthorised_access", "misdelivery", "lost_device", "insider", "ransomware", "processor_breach")
# Causes that are, on their face, a possibly malicious act (APPI Rules Art. 7(iii)); the officer
# can still say otherwise (or say so for a lost device or a processor's breach).
MALICIOUS_CAUSES = frozenset({"unauthorised_access", "insider", "ransomware"})
# Map breach elements that risk financial damage if they leak (APPI Rules Art. 7(ii)).
FINANCIAL_ELEMENTS = frozenset({"card_number", "financial_account", "credentials"})
# Cal. Civ. Code 1798.82(h): the elements that make "personal information" (with a name, or
# (h)(2) credentials on their own). mamori does not know which category is a name, so any of
# them counts (the conservative reading).
CALIFORNIA_ELEMENTS = frozenset(
    {
        "ssn",
        "id_number",
        "tax_id",
        "card_number",
        "financial_account",
        "medical",
        "health_insurance",
        "biometric",
        "genetic",
        "credentials",
    }
)
APPI_PEOPLE_THRESHOLD = 1000  # "more than 1,000" (Rules Art. 7(iv))
CALIFORNIA_AG_THRESHOLD = 500  # "more than 500 California residents" (1798.82(f))
JURISDICTION_GROUPS = ("JP", "EEA_UK", "US-CA", "other")
EEA_COUNTRIES = EU_MEMBER_STATES | {"IS", "LI", "NO"}
TOKYO = ZoneInfo("Asia/Tokyo")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")

LAW_LABELS = {
    "APPI": _("Japan (APPI)"),
    "GDPR": _("EU/EEA and UK (GDPR)"),
    "US-CA": _("California (Civ. Code 1798.82)"),
}
GROUP_LABELS = {"JP": _("Japan"), "EEA_UK": _("EEA and UK"), "US-CA": _("California"), "other": _("Elsewhere")}


def jurisdiction_group(country: str | None, region: str | None = None) -> str:
    """JP, EEA_UK, US-CA or other, from a country code (and a US state for California)."""
    country = (country or "").strip().upper()
    region = (region or "").strip().upper()
    if country == "JP":
        return "JP"
    if country in EEA_COUNTRIES or country in ("GB", "UK"):
        return "EEA_UK"
    if country == "US" and region in ("CA", "CALIFORNIA"):
        return "US-CA"
    return "other"


@dataclass(frozen=True)
class CategoryFacts:
    id: str
    sensitive: tuple[str, ...] = ()
    breach_elements: tuple[str, ...] = ()


@dataclass(frozen=True)
class Facts:
    """What the evaluation reads: the incident, its scope's categories, the people counted."""

    kind: str
    cause: str
    possibly_malicious: bool
    encrypted: bool  # encrypted to a standard that exempts it (APPI "highly encrypted", 1798.82 "encrypted")
    key_compromised: bool  # ... but the key was acquired too: no exemption
    categories: Sequence[CategoryFacts]
    people: int  # the best number known: confirmed, else counted, else estimated
    counts: Mapping[str, int]  # per jurisdiction group, from the data (may be empty)
    map_jurisdictions: Sequence[str]

    @property
    def exempt_by_encryption(self) -> bool:
        return self.encrypted and not self.key_compromised

    def with_elements(self, elements: Iterable[str]) -> list[str]:
        wanted = set(elements)
        return [category.id for category in self.categories if wanted & set(category.breach_elements)]

    def with_sensitivity(self, kind: str) -> list[str]:
        return [category.id for category in self.categories if kind in category.sensitive]


@dataclass(frozen=True)
class Reason:
    code: str
    text: str
    source: str
    applies: bool  # True: this pushes towards reporting; False: it holds it back (or does not apply)


@dataclass
class Finding:
    law: str
    in_scope: bool
    report_authority: bool
    notify_people: bool
    reasons: list[Reason] = field(default_factory=list)
    ag_sample: bool = False  # California only
    overridden: dict[str, Any] | None = None

    @property
    def label(self) -> str:
        return str(LAW_LABELS[self.law])

    def as_dict(self) -> dict[str, Any]:
        return {
            "law": self.law,
            "in_scope": self.in_scope,
            "report_authority": self.report_authority,
            "notify_people": self.notify_people,
            "ag_sample": self.ag_sample,
            "reasons": [reason.code for reason in self.reasons if reason.applies],
            "overridden": bool(self.overridden),
        }


def _in_scope(facts: Facts, law: str) -> bool:
    codes = set(facts.map_jurisdictions)
    if law == "APPI":
        return "JP" in codes or facts.counts.get("JP", 0) > 0
    if law == "GDPR":
        return (
            bool(codes & {"EU", "EEA", "UK"})
            or any(c.startswith("EU-") for c in codes)
            or (facts.counts.get("EEA_UK", 0) > 0)
        )
    return "US-CA" in codes or facts.counts.get("US-CA", 0) > 0


def evaluate_appi(facts: Facts) -> Finding:
    sensitive = facts.with_sensitivity("appi_special_care")
    financial = facts.with_elements(FINANCIAL_ELEMENTS)
    reasons = [
        Reason(
            "appi_sensitive",
            str(_("Special care-required (sensitive) personal data is involved: %(c)s.") % {"c": ", ".join(sensitive)})
            if sensitive
            else str(_("No special care-required (sensitive) personal data is involved.")),
            "APPI Art. 26(1); Rules Art. 7(i)",
            bool(sensitive),
        ),
        Reason(
            "appi_financial",
            str(_("Data whose misuse may cause financial damage is involved: %(c)s.") % {"c": ", ".join(financial)})
            if financial
            else str(_("No data whose misuse may cause financial damage (such as card numbers).")),
            "APPI Rules Art. 7(ii)",
            bool(financial),
        ),
        Reason(
            "appi_malicious",
            str(_("The incident may be a malicious act (including data being acquired)."))
            if facts.possibly_malicious
            else str(_("No sign of a malicious act.")),
            "APPI Rules Art. 7(iii)",
            facts.possibly_malicious,
        ),
        Reason(
            "appi_over_1000",
            str(_("%(n)d people are concerned (more than 1,000).") % {"n": facts.people})
            if facts.people > APPI_PEOPLE_THRESHOLD
            else str(_("%(n)d people are concerned (not more than 1,000).") % {"n": facts.people}),
            "APPI Rules Art. 7(iv)",
            facts.people > APPI_PEOPLE_THRESHOLD,
        ),
    ]
    triggered = any(reason.applies for reason in reasons)
    if facts.exempt_by_encryption:
        reasons.append(
            Reason(
                "appi_encrypted",
                str(_("The data was highly encrypted and the key was not acquired: not reportable.")),
                "APPI Rules Art. 7 (exemption)",
                False,
            )
        )
        triggered = False
    elif facts.encrypted:
        reasons.append(
            Reason(
                "appi_key_compromised",
                str(_("The data was encrypted but the key was acquired too: no exemption.")),
                "APPI Rules Art. 7",
                True,
            )
        )
    return Finding("APPI", _in_scope(facts, "APPI"), triggered, triggered, reasons)


def evaluate_gdpr(facts: Facts) -> Finding:
    special = facts.with_sensitivity("gdpr_special")
    risky = facts.with_elements(CALIFORNIA_ELEMENTS)
    reasons: list[Reason] = []
    if facts.exempt_by_encryption:
        reasons.append(
            Reason(
                "gdpr_unlikely_risk",
                str(
                    _(
                        "State-of-the-art encryption with the key safe: the breach "
                        "is unlikely to result in a risk; record it only."
                    )
                ),
                "GDPR Art. 33(1), 33(5), 34(3)(a)",
                False,
            )
        )
        return Finding("GDPR", _in_scope(facts, "GDPR"), False, False, reasons)
    reasons.append(
        Reason(
            "gdpr_risk",
            str(
                _(
                    "Personal data was affected without an exempting encryption: a risk to "
                    "people's rights cannot be ruled out; report to the supervisory "
                    "authority."
                )
            ),
            "GDPR Art. 33(1)",
            True,
        )
    )
    high = bool(special or risky)
    if special:
        reasons.append(
            Reason(
                "gdpr_special",
                str(_("Special categories of personal data: %(c)s (high risk).") % {"c": ", ".join(special)}),
                "GDPR Art. 34(1); Art. 9",
                True,
            )
        )
    if risky:
        reasons.append(
            Reason(
                "gdpr_identity_fraud",
                str(_("Data enabling fraud or identity theft: %(c)s (high risk).") % {"c": ", ".join(risky)}),
                "GDPR Art. 34(1)",
                True,
            )
        )
    if not high:
        reasons.append(
            Reason(
                "gdpr_not_high",
                str(
                    _(
                        "No special categories or fraud-enabling data: people need not "
                        "be told unless the officer finds a high risk."
                    )
                ),
                "GDPR Art. 34(1)",
                False,
            )
        )
    return Finding("GDPR", _in_scope(facts, "GDPR"), True, high, reasons)


def evaluate_california(facts: Facts) -> Finding:
    elements = facts.with_elements(CALIFORNIA_ELEMENTS)
    residents = facts.counts.get("US-CA", 0)
    reasons = [
        Reason(
            "ca_elements",
            str(_("Listed data elements are involved: %(c)s.") % {"c": ", ".join(elements)})
            if elements
            else str(_("None of the data elements the statute lists is involved.")),
            "Cal. Civ. Code 1798.82(h)",
            bool(elements),
        ),
    ]
    notify = bool(elements)
    if notify and facts.exempt_by_encryption:
        reasons.append(
            Reason(
                "ca_encrypted",
                str(_("The data was encrypted and the key was not acquired.")),
                "Cal. Civ. Code 1798.82(a)",
                False,
            )
        )
        notify = False
    ag = notify and residents > CALIFORNIA_AG_THRESHOLD
    reasons.append(
        Reason(
            "ca_ag_sample",
            str(
                _("%(n)d California residents: more than 500, a sample notice goes to the Attorney General.")
                % {"n": residents}
            )
            if ag
            else str(_("%(n)d California residents: no Attorney General sample (500 or fewer).") % {"n": residents}),
            "Cal. Civ. Code 1798.82(f)",
            ag,
        )
    )
    return Finding("US-CA", _in_scope(facts, "US-CA"), ag, notify, reasons, ag_sample=ag)


def evaluate(facts: Facts, overrides: Mapping[str, Mapping[str, Any]] | None = None) -> list[Finding]:
    """APPI, GDPR and California; an officer's override (with its reason) replaces the outcome."""
    findings = [evaluate_appi(facts), evaluate_gdpr(facts), evaluate_california(facts)]
    for finding in findings:
        override = (overrides or {}).get(finding.law)
        if override:
            finding.overridden = dict(override)
            finding.report_authority = bool(override["report_authority"])
            finding.notify_people = bool(override["notify_people"])
            if finding.law == "US-CA":
                finding.ag_sample = finding.report_authority
    return findings


# ---------------------------------------------------------------- deadlines


@dataclass(frozen=True)
class Deadline:
    key: str
    law: str
    label: str
    due_at: datetime  # the latest moment (UTC-aware)
    earliest_at: datetime | None = None  # for a window ("promptly: 3-5 days")
    note: str = ""
    source: str = ""
    done_at: datetime | None = None

    def left(self, now: datetime) -> timedelta:
        return self.due_at - now

    def overdue(self, now: datetime) -> bool:
        return self.done_at is None and now > self.due_at

    @property
    def reminder_at(self) -> datetime:
        """When the reminder goes out: a day before (GDPR's 72 hours: 24 hours before too)."""
        return (self.earliest_at or self.due_at) - timedelta(days=1)


def end_of_day(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=zone)


def calendar_days_after(moment: datetime, days: int, zone: ZoneInfo) -> datetime:
    """The end of the `days`-th calendar day after the local day of `moment` (the day itself is not
    counted: Civil Code Art. 140). Holidays count like any other day: these are calendar days."""
    return end_of_day(moment.astimezone(zone).date() + timedelta(days=days), zone)


def deadlines(
    findings: Sequence[Finding],
    aware_at: datetime,
    *,
    possibly_malicious: bool,
    done: Mapping[str, datetime | None] | None = None,
    california_notified_at: datetime | None = None,
) -> list[Deadline]:
    """The clocks the findings start, earliest first."""
    done = done or {}
    by_law = {finding.law: finding for finding in findings}
    found: list[Deadline] = []
    appi = by_law.get("APPI")
    if appi and appi.in_scope and appi.report_authority:
        found.append(
            Deadline(
                "appi_preliminary",
                "APPI",
                str(_("APPI preliminary report to the PPC")),
                due_at=calendar_days_after(aware_at, 5, TOKYO),
                earliest_at=calendar_days_after(aware_at, 3, TOKYO),
                note=str(_('"Promptly": 3 to 5 days by the PPC\'s guidance.')),
                source="APPI Rules Art. 8(1); PPC Guidelines (General Rules) 3-5-3-3",
                done_at=done.get("appi_preliminary"),
            )
        )
        days = 60 if possibly_malicious else 30
        found.append(
            Deadline(
                "appi_final",
                "APPI",
                str(_("APPI final report to the PPC")),
                due_at=calendar_days_after(aware_at, days, TOKYO),
                note=str(_("%(days)d calendar days from awareness (Asia/Tokyo).") % {"days": days}),
                source="APPI Rules Art. 8(2)",
                done_at=done.get("appi_final"),
            )
        )
    gdpr = by_law.get("GDPR")
    if gdpr and gdpr.in_scope and gdpr.report_authority:
        found.append(
            Deadline(
                "gdpr_authority",
                "GDPR",
                str(_("GDPR notification to the supervisory authority")),
                due_at=aware_at + timedelta(hours=72),
                note=str(_("72 hours from awareness; later only with reasons.")),
                source="GDPR Art. 33(1)",
                done_at=done.get("gdpr_authority"),
            )
        )
    california = by_law.get("US-CA")
    if california and california.in_scope and california.notify_people:
        people_due = calendar_days_after(aware_at, 30, LOS_ANGELES)
        found.append(
            Deadline(
                "ca_people",
                "US-CA",
                str(_("California: notice to residents")),
                due_at=people_due,
                note=str(_("30 calendar days from discovery (America/Los_Angeles).")),
                source="Cal. Civ. Code 1798.82(a) (SB 446)",
                done_at=done.get("ca_people"),
            )
        )
        if california.ag_sample:
            start = california_notified_at or people_due
            found.append(
                Deadline(
                    "ca_ag",
                    "US-CA",
                    str(_("California: sample notice to the Attorney General")),
                    due_at=calendar_days_after(start, 15, LOS_ANGELES),
                    note=str(_("15 calendar days after the residents are notified."))
                    if california_notified_at
                    else str(
                        _("15 calendar days after the residents are notified (counted from their deadline until then).")
                    ),
                    source="Cal. Civ. Code 1798.82(f)",
                    done_at=done.get("ca_ag"),
                )
            )
    return sorted(found, key=lambda deadline: deadline.due_at)
