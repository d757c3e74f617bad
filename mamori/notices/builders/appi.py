"""Matters the APPI asks a business to publish about retained personal data (Art. 32, 27, 28)."""

from __future__ import annotations

from mamori.notices import labels as L
from mamori.notices.builders.common import Builder
from mamori.notices.builders.cpra import NotInScope
from mamori.notices.builders.privacy import PrivacyPolicy
from mamori.notices.document import Notice, Section, Table


class AppiMatters(Builder):
    def build(self) -> Notice:
        if not self.map.in_scope("JP"):
            raise NotInScope(self.say("appi.not_in_scope", name=self.t(self.map.organisation.legal_name)))
        policy = PrivacyPolicy(self.map, self.options)
        notice = Notice(kind="appi", language=self.lang, title=self.say("title.appi"), meta=self.meta())
        notice.add(self.section("h.introduction", "introduction").paragraph(self.say("appi.intro")))
        notice.add(self.section("h.appi_business", "business").bullets(self.controller_lines()))
        notice.add(self.purposes_section())
        notice.add(self.procedure_section())
        fees = self.section("h.appi_fees", "fees")
        notice.add(fees.paragraph(self.text("request_fees") or self.say("appi.no_fee")))
        security = self.section("h.appi_security", "security")
        security.bullets([self.t(m) for m in self.map.organisation.security_measures])
        notice.add(security.paragraph(self.text("security")))
        notice.add(self.complaints_section())
        notice.add(policy.joint_use())
        notice.add(policy.opt_out())
        notice.add(self.foreign_section())
        return notice

    def purposes_section(self) -> Section:
        section = self.section("h.appi_purposes", "purposes")
        rows = [[self.t(p.name), self.t(p.description), self.categories(p.categories)] for p in self.map.purposes]
        if rows:
            section.add(Table([self.say(h) for h in ("th.purpose", "th.description", "th.items")], rows))
        return section

    def procedure_section(self) -> Section:
        section = self.section("h.appi_procedure", "procedure").paragraph(self.say("appi.procedure"))
        for key in (
            "disclosure_procedure",
            "requests",
            "correction_deletion",
            "suspension_of_use",
            "disclosure_refusals",
        ):
            section.paragraph(self.text(key))
        for contact in self.map.organisation.contacts:
            if not contact.handles or "privacy_requests" in contact.handles:
                section.add(
                    Section(heading=self.t(contact.name), anchor=f"procedure-{contact.id}").bullets(
                        self.contact_lines(contact)
                    )
                )
        section.paragraph(self.say("contact.privacy_center", url=self.center_url))
        table = self.clocks_table(["JP"])
        if table:
            section.paragraph(self.say("deadline.intro")).add(table)
        return section

    def complaints_section(self) -> Section:
        section = self.section("h.appi_complaints", "complaints")
        section.paragraph(self.say("appi.complaints", contacts=self.contact_names("complaints")))
        for contact in self.map.organisation.contacts:
            if not contact.handles or "complaints" in contact.handles:
                section.add(
                    Section(heading=self.t(contact.name), anchor=f"complaints-{contact.id}").bullets(
                        self.contact_lines(contact)
                    )
                )
        lines = []
        for authority in self.map.organisation.supervisory_authorities:
            if authority.jurisdiction == "JP":
                values = {"name": self.t(authority.name), "jurisdiction": self.jurisdiction("JP")}
                lines.append(
                    self.say("complaints.authority_url", url=authority.url, **values)
                    if authority.url
                    else self.say("complaints.authority", **values)
                )
        return section.bullets(lines)

    def foreign_section(self) -> Section:
        section = self.section("h.appi_foreign", "foreign")
        lines = []
        for r in self.map.transfers_abroad():
            safeguard = (
                L.label(L.SAFEGUARDS, r.transfer.safeguard, self.lang)
                if r.transfer
                else L.label(L.PROVISION_BASES, r.provision_basis or "", self.lang)
            )
            line = self.say("appi.foreign.line", name=self.t(r.name), country=r.country, safeguard=safeguard)
            if r.transfer and r.transfer.note:
                line = f"{line} — {self.t(r.transfer.note)}"
            lines.append(line)
        section.bullets(lines)
        return section.paragraph(self.text("transfers")) if lines else section
