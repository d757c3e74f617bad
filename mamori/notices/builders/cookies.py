"""The cookie policy: categories with their legal basis, and the full cookie table."""

from __future__ import annotations

from mamori.notices import labels as L
from mamori.notices.builders.common import Builder
from mamori.notices.document import Notice, Section, Table


class CookiePolicy(Builder):
    def build(self) -> Notice:
        notice = Notice(kind="cookies", language=self.lang, title=self.say("title.cookies"), meta=self.meta())
        intro = self.section("h.introduction", "introduction")
        for key in ("cookie_policy_dates", "cookies_intro", "cookies"):
            intro.paragraph(self.text(key))
        site = self.map.organisation.website or self.t(self.map.organisation.legal_name)
        intro.paragraph(self.say("cookies.intro", site=site) if self.map.cookies else self.say("cookies.none"))
        notice.add(intro)
        notice.add(self.categories_section())
        notice.add(self.table_section())
        choices = self.section("h.cookie_choices", "choices")
        choices.paragraph(self.text("cookies_third_parties"))
        choices.paragraph(self.text("cookies_how_to_disable"))
        if self.map.cookies:
            choices.paragraph(self.say("cookies.choices"))
        signals = self.map.commitments.signals
        if signals and signals.global_privacy_control:
            choices.paragraph(self.say(f"signals.gpc.{signals.global_privacy_control}"))
        if signals and signals.do_not_track:
            choices.paragraph(self.say(f"signals.dnt.{signals.do_not_track}"))
        notice.add(choices)
        notice.add(self.contacts_section(handles=("questions",)))
        return notice

    def categories_section(self) -> Section:
        section = self.section("h.cookie_categories", "categories")
        for category in self.map.cookie_categories:
            sub = Section(heading=self.t(category.name), anchor=f"category-{category.id}")
            sub.paragraph(self.t(category.description))
            consent_in = [code for code, basis in category.legal_basis.items() if basis == "consent"]
            if category.id == "essential" or (category.legal_basis and not consent_in):
                sub.paragraph(self.say("cookies.always_on"))
            elif consent_in:
                sub.paragraph(
                    self.say(
                        "cookies.needs_consent", jurisdictions=self.join([self.jurisdiction(c) for c in consent_in])
                    )
                )
            if category.legal_basis:
                bases = [
                    f"{self.jurisdiction(code)}: {L.label(L.LEGAL_BASES, basis, self.lang)}"
                    for code, basis in category.legal_basis.items()
                ]
                sub.paragraph(self.say("cookies.basis", bases=self.join(bases)))
            sub.paragraph(self.say("cookies.count", count=len(self.map.cookies_in(category.id))))
            section.add(sub)
        return section

    def table_section(self) -> Section:
        section = self.section("h.cookie_table", "cookie-table")
        if not self.map.cookies:
            return section
        rows = []
        for cookie in self.map.cookies:
            category = self.map.find("cookie_categories", cookie.category)
            rows.append(
                [
                    cookie.name,
                    self.t(cookie.purpose),
                    self.t(cookie.provider),
                    self.t(category.name) if category else cookie.category,
                    L.label(L.COOKIE_PARTIES, cookie.party, self.lang),
                    L.duration(cookie.duration, self.lang, cookie=True),
                    cookie.domain or "",
                ]
            )
        headers = (
            "th.cookie_name",
            "th.cookie_purpose",
            "th.placed_by",
            "th.cookie_category",
            "th.party",
            "th.duration",
            "th.domain",
        )
        return section.add(Table([self.say(h) for h in headers], rows))
