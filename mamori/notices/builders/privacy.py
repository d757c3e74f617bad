"""The privacy policy: everything the map says, in the order people look for it."""

from __future__ import annotations

from mamori.notices import labels as L
from mamori.notices.builders.common import COOKIE_TEXT_KEYS, CPRA_TEXT_KEYS, Builder
from mamori.notices.document import Notice, Section, Table

# Texts of `notices.texts` placed in a section of the privacy policy (the rest: "Further information").
PLACED_TEXTS: dict[str, tuple[str, ...]] = {
    "introduction": ("introduction", "basic_policy"),
    "collected": ("history_information", "sensitive_information"),
    "recipients": ("payments",),
    "transfers": ("transfers",),
    "security": ("security", "breach", "incidents"),
    "rights": (
        "rights",
        "gdpr_rights",
        "disclosure_procedure",
        "requests",
        "correction_deletion",
        "suspension_of_use",
        "disclosure_refusals",
    ),
    "complaints": ("complaints",),
    "children": ("children",),
    "signals": ("do_not_track",),
    "changes": ("changes", "new_purposes"),
}


class PrivacyPolicy(Builder):
    def build(self) -> Notice:
        notice = Notice(kind="privacy", language=self.lang, title=self.say("title.privacy"), meta=self.meta())
        for section in (
            self.placed("h.introduction", "introduction"),
            self.controller(),
            self.contacts_section(),
            self.representatives(),
            self.collected(),
            self.sources(),
            self.purposes_section(),
            self.recipients_section(),
            self.transfers(),
            self.joint_use(),
            self.opt_out(),
            self.retention(),
            self.security(),
            self.rights(),
            self.complaints(),
            self.children(),
            self.signals(),
            self.cookies_pointer(),
            self.changes(),
            self.other(),
        ):
            notice.add(section)
        return notice

    def placed(self, heading: str, slot: str, section: Section | None = None) -> Section:
        section = section or self.section(heading, slot)
        for key in PLACED_TEXTS.get(slot, ()):
            section.paragraph(self.text(key))
        return section

    def controller(self) -> Section:
        section = self.section("h.controller", "controller")
        section.paragraph(self.say("controller.is_controller", name=self.t(self.map.organisation.legal_name)))
        return section.bullets(self.controller_lines())

    def representatives(self) -> Section:
        section = self.section("h.representatives", "representatives")
        lines = []
        for rep in self.map.organisation.representatives:
            lines.append(
                self.say(
                    "representative.line",
                    region=self.jurisdiction(rep.region),
                    name=self.t(rep.name),
                    address=self.t(rep.address),
                )
            )
            if rep.email:
                lines.append(self.say("representative.email", email=rep.email))
        return section.bullets(lines)

    def collected(self) -> Section:
        section = self.section("h.collected", "collected")
        if not self.map.data_categories:
            return section
        section.paragraph(self.say("collected.intro"))
        rows = [
            [
                self.t(category.name),
                L.label(L.APPI_CLASSES, category.appi_class, self.lang),
                self.join([L.label(L.SENSITIVITY, s, self.lang) for s in category.sensitive]),
                self.t(category.description),
            ]
            for category in self.map.data_categories
        ]
        section.add(
            Table([self.say(h) for h in ("th.category", "th.classification", "th.sensitivity", "th.description")], rows)
        )
        history = [self.t(c.name) for c in self.map.data_categories if c.appi_class == "history_characteristic"]
        if history and self.map.in_scope("JP"):
            section.paragraph(self.say("collected.history", items=self.join(history[:4])))
        sensitive = self.map.sensitive_categories()
        if sensitive:
            section.paragraph(self.say("collected.sensitive", items=self.join([self.t(c.name) for c in sensitive])))
        else:
            section.paragraph(self.say("collected.no_sensitive"))
        return self.placed("", "collected", section)

    def sources(self) -> Section:
        section = self.section("h.sources", "sources")
        rows = []
        for source in self.map.sources:
            name = self.t(source.name)
            if source.provider:
                name = f"{name} ({self.t(source.provider.name)})"
            rows.append([name, L.label(L.SOURCE_KINDS, source.kind, self.lang), self.categories(source.categories)])
        if rows:
            section.add(Table([self.say(h) for h in ("th.source", "th.source_kind", "th.items")], rows))
        return section

    def purposes_section(self) -> Section:
        section = self.section("h.purposes", "purposes")
        if not self.map.purposes:
            return section
        section.paragraph(self.say("purposes.intro"))
        codes = self.map.jurisdiction_codes
        headers = [self.say("th.purpose"), self.say("th.description"), self.say("th.items")]
        headers += [self.say("th.basis", jurisdiction=self.jurisdiction(code)) for code in codes]
        headers.append(self.say("th.consent_required"))
        rows = []
        for purpose in self.map.purposes:
            row = [self.t(purpose.name), self.t(purpose.description), self.categories(purpose.categories)]
            for code in codes:
                basis = self.map.legal_basis(purpose.id, code)
                row.append(L.label(L.LEGAL_BASES, basis, self.lang) if basis else "")
            row.append(self.say("yes" if purpose.consent_required else "no"))
            rows.append(row)
        section.add(Table(headers, rows))
        section.bullets(
            [
                self.say("purposes.statistics_only", purpose=self.t(p.name))
                for p in self.map.purposes
                if p.statistics_only
            ]
        )
        return section

    def recipients_section(self) -> Section:
        section = self.section("h.recipients", "recipients")
        if not self.map.recipients:
            section.paragraph(self.say("recipients.none"))
            return self.placed("", "recipients", section)
        section.paragraph(self.say("recipients.intro"))
        rows = [
            [
                self.t(r.name),
                L.label(L.RECIPIENT_KINDS, r.kind, self.lang),
                r.country,
                self.purposes(r.purposes),
                self.categories(r.categories),
                L.label(L.PROVISION_BASES, r.provision_basis, self.lang) if r.provision_basis else "",
            ]
            for r in self.map.recipients
        ]
        headers = ("th.recipient", "th.recipient_kind", "th.country", "th.purpose", "th.shared", "th.provision_basis")
        section.add(Table([self.say(h) for h in headers], rows))
        own = [self.t(r.name) for r in self.map.recipients if r.for_own_marketing]
        section.paragraph(
            self.say("recipients.own_marketing", names=self.join(own))
            if own
            else self.say("recipients.no_own_marketing")
        )
        return self.placed("", "recipients", section)

    def transfers(self) -> Section:
        section = self.section("h.transfers", "transfers")
        abroad = list(self.map.transfers_abroad())
        if abroad:
            section.paragraph(self.say("transfers.intro", home=self.jurisdiction(self.map.organisation.country)))
            rows = [
                [
                    self.t(r.name),
                    r.country,
                    L.label(L.SAFEGUARDS, r.transfer.safeguard, self.lang)
                    if r.transfer
                    else L.label(L.PROVISION_BASES, r.provision_basis or "", self.lang),
                    self.t(r.transfer.note) if r.transfer else "",
                ]
                for r in abroad
            ]
            section.add(Table([self.say(h) for h in ("th.recipient", "th.country", "th.safeguard", "th.note")], rows))
        return self.placed("", "transfers", section)

    def joint_use(self) -> Section:
        section = self.section("h.joint_use", "joint-use")
        for r in self.map.recipients:
            if r.joint_use is None:
                continue
            items = [self.say("joint_use.items", items=self.categories(r.categories))]
            if r.joint_use.scope:
                items.append(self.say("joint_use.scope", text=self.t(r.joint_use.scope)))
            if r.joint_use.purpose:
                items.append(self.say("joint_use.purpose", text=self.t(r.joint_use.purpose)))
            if r.joint_use.manager:
                items.append(self.say("joint_use.manager", text=self.t(r.joint_use.manager)))
            section.paragraph(self.say("joint_use.intro", name=self.t(r.name))).bullets(items)
        return section

    def opt_out(self) -> Section:
        section = self.section("h.opt_out", "opt-out")
        for r in self.map.recipients:
            if r.opt_out_provision is None:
                continue
            provision = r.opt_out_provision
            items = [self.say("opt_out.purpose", purposes=self.purposes(r.purposes))]
            if provision.items:
                items.append(self.say("opt_out.items", text=self.t(provision.items)))
            if provision.method:
                items.append(self.say("opt_out.method", text=self.t(provision.method)))
            if provision.how_to_stop:
                items.append(self.say("opt_out.how_to_stop", text=self.t(provision.how_to_stop)))
            section.paragraph(self.say("opt_out.intro", name=self.t(r.name))).bullets(items)
        return section

    def retention_period(self, rule_id: str) -> str:
        rule = self.map.find("retention", rule_id)
        if rule is None or rule.period is None:
            return ""
        trigger = L.label(L.TRIGGERS, rule.trigger or "", self.lang) if rule.trigger else ""
        if rule.period.amount == 0:
            return self.say("retention.immediately", trigger=trigger)
        return self.say("retention.period", period=L.duration(rule.period, self.lang), trigger=trigger).strip()

    def retention(self) -> Section:
        section = self.section("h.retention", "retention")
        if not self.map.retention:
            return section
        section.paragraph(self.say("retention.intro"))
        rows = []
        for rule in self.map.retention:
            hold = (
                self.say(
                    "retention.hold",
                    basis=self.t(rule.legal_hold.basis),
                    period=L.duration(rule.legal_hold.period, self.lang),
                )
                if rule.legal_hold
                else ""
            )
            rows.append(
                [
                    self.t(rule.name),
                    self.categories(rule.categories),
                    self.retention_period(rule.id),
                    hold,
                    self.t(rule.disposal),
                ]
            )
        headers = ("th.rule", "th.items", "th.period", "th.legal_hold", "th.disposal")
        return section.add(Table([self.say(h) for h in headers], rows))

    def security(self) -> Section:
        section = self.section("h.security", "security")
        measures = [self.t(m) for m in self.map.organisation.security_measures]
        if measures:
            section.paragraph(self.say("security.intro")).bullets(measures)
        return self.placed("", "security", section)

    def rights(self) -> Section:
        section = self.section("h.rights", "rights")
        section.paragraph(self.say("rights.intro"))
        for law in self.map.laws:
            rights = L.RIGHTS_BY_LAW.get(law, ())
            if rights:
                law_name = L.label(L.LAWS, law, self.lang)
                sub = Section(
                    heading=self.say("h.rights_law", law=law_name),
                    anchor=f"rights-{law.lower().replace(' ', '-').replace('/', '-')}",
                )
                section.add(sub.bullets([L.label(L.RIGHTS, r, self.lang) for r in rights]))
        self.placed("", "rights", section)
        how = self.section("h.how_to_exercise", "how-to-exercise").paragraph(self.say("rights.how"))
        for contact in self.map.organisation.contacts:
            if not contact.handles or "privacy_requests" in contact.handles:
                how.add(
                    Section(heading=self.t(contact.name), anchor=f"exercise-{contact.id}").bullets(
                        self.contact_lines(contact)
                    )
                )
        how.paragraph(self.say("contact.privacy_center", url=self.center_url))
        section.add(how, self.deadlines_section())
        return section

    def complaints(self) -> Section:
        section = self.section("h.complaints", "complaints")
        section.paragraph(self.say("complaints.contact", contacts=self.contact_names("complaints")))
        lines = []
        for authority in self.map.organisation.supervisory_authorities:
            values = {"name": self.t(authority.name), "jurisdiction": self.jurisdiction(authority.jurisdiction)}
            lines.append(
                self.say("complaints.authority_url", url=authority.url, **values)
                if authority.url
                else self.say("complaints.authority", **values)
            )
        return self.placed("", "complaints", section.bullets(lines))

    def children(self) -> Section:
        section = self.section("h.children", "children")
        commitments = self.map.commitments
        if commitments.minimum_age:
            section.paragraph(self.say("children.minimum_age", age=commitments.minimum_age))
        if commitments.sale and commitments.sale.no_sale_under_age:
            section.paragraph(self.say("children.no_sale", age=commitments.sale.no_sale_under_age))
        return self.placed("", "children", section)

    def signals(self) -> Section:
        section = self.section("h.signals", "signals")
        signals = self.map.commitments.signals
        dnt = (signals.do_not_track if signals else None) or "none"
        gpc = (signals.global_privacy_control if signals else None) or "none"
        if not self.text("do_not_track"):
            section.paragraph(self.say(f"signals.dnt.{dnt}"))
        else:
            self.placed("", "signals", section)
        return section.paragraph(self.say(f"signals.gpc.{gpc}"))

    def cookies_pointer(self) -> Section:
        section = self.section("h.cookies_pointer", "cookies")
        if self.map.cookies:
            section.paragraph(self.say("cookies.pointer"))
        return section

    def changes(self) -> Section:
        section = self.section("h.changes", "changes")
        changes = self.map.commitments.changes
        self.placed("", "changes", section)
        if changes and changes.notify_by:
            channels = self.join([self.say(f"channel.{c}") for c in changes.notify_by])
            section.paragraph(self.say("changes.notify", channels=channels))
        if changes and changes.advance_notice:
            section.paragraph(self.say("changes.advance", period=L.duration(changes.advance_notice, self.lang)))
        if changes and changes.reconsent_on_material_change:
            section.paragraph(self.say("changes.reconsent"))
        return section.paragraph(self.say("changes.published"))

    def other(self) -> Section:
        section = self.section("h.other", "other")
        placed = {key for keys in PLACED_TEXTS.values() for key in keys} | set(COOKIE_TEXT_KEYS) | set(CPRA_TEXT_KEYS)
        for key, text in self.map.notices.texts.items():
            if key not in placed:
                section.paragraph(self.t(text))
        return section
