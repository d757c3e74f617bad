"""The CPRA notice at collection and appendix (California)."""

from __future__ import annotations

from typing import Any

from mamori.catalog.mapfile import PrivacyMap
from mamori.notices import labels as L
from mamori.notices.builders.common import Builder
from mamori.notices.builders.privacy import PrivacyPolicy
from mamori.notices.document import Notice, Section, Table


class NotInScope(Exception):
    """The map does not cover the jurisdiction this notice is for (no CPRA notice without US-CA)."""


class CpraNotice(Builder):
    def build(self) -> Notice:
        if not self.map.in_scope("US-CA"):
            raise NotInScope(self.say("cpra.not_in_scope", name=self.t(self.map.organisation.legal_name)))
        notice = Notice(kind="cpra", language=self.lang, title=self.say("title.cpra"), meta=self.meta())
        notice.add(self.section("h.cpra_collection", "collection").paragraph(self.say("cpra.intro")))
        notice.add(self.categories_section())
        notice.add(self.sale_section())
        notice.add(self.sensitive_section())
        notice.add(self.rights_section())
        notice.add(self.submit_section())
        notice.add(self.verification_section())
        notice.add(self.agents_section())
        notice.add(self.clocks_section())
        notice.add(
            self.section("h.cpra_non_discrimination", "non-discrimination").paragraph(
                self.text("cpra_non_discrimination") or self.say("cpra.non_discrimination")
            )
        )
        return notice

    def categories_section(self) -> Section:
        """CP1: the categories collected in the preceding 12 months, so those of the earlier map
        versions in force during them too (each described as the version that had it said)."""
        section = self.section("h.cpra_categories", "categories")
        groups: dict[str, list[tuple[PrivacyMap, Any]]] = {}
        seen: set[str] = set()
        for privacy_map in (self.map, *self.options.earlier_maps):
            for category in privacy_map.data_categories:
                if category.id not in seen:
                    seen.add(category.id)
                    groups.setdefault(category.cpra_category or "other", []).append((privacy_map, category))
        sale = self.map.commitments.sale
        sold = bool(sale and (sale.sells or sale.shares))
        rows = []
        for code, members in groups.items():
            ids = [category.id for _, category in members]

            def named(kind: str, members: list[tuple[PrivacyMap, Any]] = members) -> str:
                return self.join(
                    list(
                        dict.fromkeys(
                            self.t(item.name)
                            for privacy_map, category in members
                            for item in getattr(privacy_map, kind)
                            if category.id in item.categories
                        )
                    )
                )

            retention = [r.id for r in self.map.retention if set(r.categories) & set(ids)]
            periods = [self._period(rule) for rule in retention]
            rows.append(
                [
                    L.label(L.CPRA_CATEGORIES, code, self.lang),
                    self.join([self.t(category.name) for _, category in members]),
                    named("sources"),
                    named("purposes"),
                    named("recipients"),
                    self.say("sold.yes" if sold else "sold.no"),
                    self.join([p for p in periods if p]),
                ]
            )
        headers = (
            "th.cpra_category",
            "th.examples",
            "th.source",
            "th.purpose",
            "th.disclosed_to",
            "th.sold_shared",
            "th.retention",
        )
        if rows:
            section.add(Table([self.say(h) for h in headers], rows))
        return section

    def _period(self, rule_id: str) -> str:
        return PrivacyPolicy(self.map, self.options).retention_period(rule_id)

    def sale_section(self) -> Section:
        section = self.section("h.cpra_sale", "sale")
        sale = self.map.commitments.sale
        sells = bool(sale and sale.sells)
        shares = bool(sale and sale.shares)
        discloses = bool(sale and sale.discloses_for_business_purpose)
        section.bullets(
            [
                self.say("cpra.sells.yes" if sells else "cpra.sells.no"),
                self.say("cpra.shares.yes" if shares else "cpra.shares.no"),
                self.say("cpra.discloses.yes" if discloses else "cpra.discloses.no"),
            ]
        )
        if sale and sale.no_sale_under_age:
            section.paragraph(self.say("children.no_sale", age=sale.no_sale_under_age))
        if sells or shares:
            section.paragraph(self.say("cpra.opt_out_link"))
        signals = self.map.commitments.signals
        if signals and signals.global_privacy_control:
            section.paragraph(self.say(f"signals.gpc.{signals.global_privacy_control}"))
        return section

    def sensitive_section(self) -> Section:
        section = self.section("h.cpra_sensitive", "sensitive")
        sensitive = [
            c for c in self.map.data_categories if "cpra_sensitive" in c.sensitive or c.cpra_category == "sensitive"
        ]
        if sensitive:
            return section.paragraph(
                self.say("cpra.sensitive.some", items=self.join([self.t(c.name) for c in sensitive]))
            )
        return section.paragraph(self.say("cpra.sensitive.none"))

    def rights_section(self) -> Section:
        section = self.section("h.cpra_rights", "rights")
        return section.bullets(
            [self.say(f"cpra.right.{right}") for right in L.RIGHTS_BY_LAW["CCPA/CPRA"]]
            + [self.say("cpra.non_discrimination")]
        )

    def submit_section(self) -> Section:
        section = self.section("h.cpra_submit", "submit").paragraph(self.say("cpra.submit"))
        for contact in self.map.organisation.contacts:
            if not contact.handles or "privacy_requests" in contact.handles:
                section.add(
                    Section(heading=self.t(contact.name), anchor=f"submit-{contact.id}").bullets(
                        self.contact_lines(contact)
                    )
                )
        return section.paragraph(self.say("contact.privacy_center", url=self.center_url))

    def verification_section(self) -> Section:
        section = self.section("h.cpra_verification", "verification")
        return section.paragraph(self.text("cpra_verification")).paragraph(self.say("cpra.verification"))

    def agents_section(self) -> Section:
        section = self.section("h.cpra_agents", "agents")
        return section.paragraph(self.text("cpra_authorized_agents") or self.say("cpra.agents"))

    def clocks_section(self) -> Section:
        section = self.section("h.cpra_clocks", "clocks")
        clocks = self.map.request_clocks_for("US-CA")
        if clocks:
            clock = clocks[0]
            if clock.acknowledge:
                section.paragraph(self.say("cpra.clock.acknowledge", period=L.duration(clock.acknowledge, self.lang)))
            if clock.acknowledge_same_channel:
                section.paragraph(self.say("rights.same_channel"))
            if clock.respond:
                section.paragraph(self.say("cpra.clock.respond", period=L.duration(clock.respond, self.lang)))
            if clock.extend_to:
                section.paragraph(self.say("cpra.clock.extend", period=L.duration(clock.extend_to, self.lang)))
            if clock.verification_timeout:
                section.paragraph(
                    self.say("cpra.clock.verification", period=L.duration(clock.verification_timeout, self.lang))
                )
        else:
            section.paragraph(L.pick(L.LAW_DEADLINES["CCPA/CPRA"], self.lang))
        if self.map.commitments.request_records:
            section.paragraph(
                self.say("cpra.clock.records", period=L.duration(self.map.commitments.request_records, self.lang))
            )
        return section
