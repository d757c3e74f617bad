"""Pieces several notices share: the controller, contacts with hours, rights and deadlines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mamori.catalog.mapfile import PrivacyMap, laws
from mamori.catalog.mapfile.schema import Contact, RequestClock
from mamori.catalog.mapfile.values import LocalText
from mamori.notices import labels as L
from mamori.notices.document import Section, Table
from mamori.notices.wording import join, say

# Texts of `notices.texts` that a notice places in a section of its own; the others go to
# "Further information" of the privacy policy, so that every text of the map is published somewhere.
COOKIE_TEXT_KEYS = (
    "cookie_policy_dates",
    "cookies_intro",
    "cookies",
    "cookies_third_parties",
    "cookies_how_to_disable",
)
CPRA_TEXT_KEYS = ("cpra_verification", "cpra_authorized_agents", "cpra_non_discrimination")


@dataclass(frozen=True)
class Options:
    """How one rendering is dated and linked (a published release fills these in)."""

    language: str = "en"
    center_url: str = ""  # the privacy center of the organisation; default /privacy/<org>/
    last_modified: date | None = None  # default: the map's notices.last_modified
    effective_from: date | None = None
    version: int | None = None
    # The external-transmission notice: third-party hosts the latest cookie scan saw, and its date.
    destinations: tuple[str, ...] = ()
    destinations_seen_on: str | None = None
    # Earlier map versions in force during the 12 months before this notice (CP1, CPRA notice).
    earlier_maps: tuple[PrivacyMap, ...] = ()


class Builder:
    """Base of the per-notice builders: the map, the language and small formatting helpers."""

    def __init__(self, privacy_map: PrivacyMap, options: Options) -> None:
        self.map = privacy_map
        self.options = options
        self.lang = "ja" if options.language.startswith("ja") else "en"
        self.center_url = options.center_url or f"/privacy/{privacy_map.organisation.id}/"

    # -- formatting

    def t(self, text: LocalText | None) -> str:
        return text.get(self.lang) if text is not None else ""

    def say(self, key: str, **values: object) -> str:
        return say(key, self.lang, **values)

    def join(self, items: list[str]) -> str:
        return join(items, self.lang)

    def section(self, heading_key: str, anchor: str, **values: object) -> Section:
        return Section(heading=self.say(heading_key, **values), anchor=anchor)

    def date(self, value: date | None) -> str:
        if value is None:
            return ""
        if self.lang == "ja":
            return f"{value.year}年{value.month}月{value.day}日"
        return f"{value:%B} {value.day}, {value.year}"

    def categories(self, ids: list[str]) -> str:
        return self.join([self.t(self.map.category(i).name) if self.map.find("data_categories", i) else i for i in ids])

    def purposes(self, ids: list[str]) -> str:
        return self.join([self.t(self.map.purpose(i).name) if self.map.find("purposes", i) else i for i in ids])

    def recipients(self, ids: list[str]) -> str:
        return self.join([self.t(self.map.recipient(i).name) if self.map.find("recipients", i) else i for i in ids])

    def jurisdiction(self, code: str) -> str:
        if code.startswith("EU-"):
            return f"{L.label(L.JURISDICTIONS, 'EU', self.lang)} ({code[3:]})"
        return L.label(L.JURISDICTIONS, code, self.lang)

    def text(self, key: str) -> str:
        text = self.map.notices.texts.get(key)
        return self.t(text) if text else ""

    # -- shared sections

    def meta(self) -> list[str]:
        org = self.map.organisation
        lines = [self.say("meta.controller", name=self.t(org.legal_name))]
        if self.map.notices.first_published:
            lines.append(self.say("meta.first_published", date=self.date(self.map.notices.first_published)))
        last_modified = self.options.last_modified or self.map.notices.last_modified
        if last_modified:
            lines.append(self.say("meta.last_modified", date=self.date(last_modified)))
        if self.options.effective_from:
            lines.append(self.say("meta.effective_from", date=self.date(self.options.effective_from)))
        if self.options.version:
            lines.append(self.say("meta.version", number=self.options.version))
        return lines

    def controller_lines(self) -> list[str]:
        org = self.map.organisation
        lines = [self.say("controller.name", name=self.t(org.legal_name))]
        if org.trade_names:
            lines.append(self.say("controller.trade_names", names=self.join(list(org.trade_names))))
        lines.append(self.say("controller.address", address=self.t(org.address)))
        if org.representative:
            title = self.t(org.representative.title) if org.representative.title else ""
            lines.append(
                self.say("controller.representative", title=title, name=self.t(org.representative.name)).replace(
                    "  ", " "
                )
            )
        if org.website:
            lines.append(self.say("controller.website", url=org.website))
        return lines

    def contact_lines(self, contact: Contact) -> list[str]:
        lines = []
        if contact.handles:
            lines.append(
                self.say(
                    "contact.handles", handles=self.join([L.label(L.HANDLES, h, self.lang) for h in contact.handles])
                )
            )
        for channel in contact.channels:
            value = channel.value
            if channel.kind == "form" and value.startswith("/privacy"):
                value = self.center_url
            lines.append(
                self.say("contact.channel", kind=L.label(L.CHANNEL_KINDS, channel.kind, self.lang), value=value)
            )
        if contact.hours:
            hours = contact.hours
            days = L.label(L.OPENING_DAYS, hours.days, self.lang)
            calendar = L.CALENDARS.get(hours.calendar)
            if calendar and hours.days != "every_day":
                lines.append(
                    self.say(
                        "contact.hours",
                        days=days,
                        open=hours.open,
                        close=hours.close,
                        calendar=L.pick(calendar, self.lang),
                    )
                )
            else:
                lines.append(self.say("contact.hours_plain", days=days, open=hours.open, close=hours.close))
            lines.append(self.say(f"contact.after_hours.{hours.after_hours}"))
        return lines

    def contacts_section(self, anchor: str = "contacts", handles: tuple[str, ...] = ()) -> Section:
        section = self.section("h.contacts", anchor)
        for contact in self.map.organisation.contacts:
            if handles and contact.handles and not set(handles) & set(contact.handles):
                continue
            section.add(
                Section(heading=self.t(contact.name), anchor=f"{anchor}-{contact.id}").bullets(
                    self.contact_lines(contact)
                )
            )
        section.paragraph(self.say("contact.privacy_center", url=self.center_url))
        return section

    def contact_names(self, handle: str) -> str:
        contacts = [c for c in self.map.organisation.contacts if not c.handles or handle in c.handles]
        return self.join([self.t(c.name) for c in contacts or self.map.organisation.contacts])

    def clocks_table(self, codes: list[str] | None = None) -> Table | None:
        clocks: list[RequestClock] = [
            clock
            for clock in self.map.commitments.request_clocks
            if codes is None or set(clock.jurisdictions) & set(codes)
        ]
        if not clocks:
            return None
        rows = []
        for clock in clocks:
            rights = (
                self.join([L.label(L.RIGHTS, r, self.lang) for r in clock.rights])
                if clock.rights
                else self.say("rights.all_rights")
            )
            rows.append(
                [
                    self.join([self.jurisdiction(code) for code in clock.jurisdictions]),
                    rights,
                    self.say("deadline.acknowledge", period=L.duration(clock.acknowledge, self.lang))
                    if clock.acknowledge
                    else "",
                    self.say("deadline.respond", period=L.duration(clock.respond, self.lang)) if clock.respond else "",
                    self.say("deadline.extend", period=L.duration(clock.extend_to, self.lang))
                    if clock.extend_to
                    else "",
                    self.say("deadline.verification", period=L.duration(clock.verification_timeout, self.lang))
                    if clock.verification_timeout
                    else "",
                ]
            )
        headers = ["th.jurisdiction", "th.rights", "th.acknowledge", "th.respond", "th.extend", "th.verification"]
        return Table(headers=[self.say(h) for h in headers], rows=rows)

    def deadlines_section(self, anchor: str = "deadlines") -> Section:
        section = self.section("h.deadlines", anchor)
        table = self.clocks_table()
        if table:
            section.paragraph(self.say("deadline.intro")).add(table)
            if any(clock.acknowledge_same_channel for clock in self.map.commitments.request_clocks):
                section.paragraph(self.say("rights.same_channel"))
        committed = {code for clock in self.map.commitments.request_clocks for code in clock.jurisdictions}
        defaults = []
        for code in self.map.jurisdiction_codes:
            law = self.map_law(code)
            if code not in committed and law in L.LAW_DEADLINES:
                defaults.append(
                    self.say(
                        "rights.law_default", law=self.jurisdiction(code), text=L.pick(L.LAW_DEADLINES[law], self.lang)
                    )
                )
        section.bullets(list(dict.fromkeys(defaults)))
        if self.map.commitments.request_records:
            section.paragraph(
                self.say("rights.records", period=L.duration(self.map.commitments.request_records, self.lang))
            )
        return section

    @staticmethod
    def map_law(code: str) -> str:
        return laws.law_of(code)
