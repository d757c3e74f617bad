"""The notice shown where personal information is collected (a form, a sign-up page; OM13)."""

from __future__ import annotations

from mamori.catalog.mapfile.schema import CollectionPoint
from mamori.notices.builders.common import Builder
from mamori.notices.builders.privacy import PrivacyPolicy
from mamori.notices.document import Notice, Section


class UnknownCollectionPoint(KeyError):
    pass


class CollectionNotice(Builder):
    def build_point(self, point_id: str) -> Notice:
        point = self.map.find("collection_points", point_id)
        if point is None:
            raise UnknownCollectionPoint(self.say("collection.not_found", point=point_id))
        notice = Notice(
            kind="collection",
            language=self.lang,
            title=self.say("title.collection", point=self.t(point.name)),
            meta=self.meta(),
        )
        for section in self.sections(point):
            notice.add(section)
        return notice

    def build_all(self) -> Notice:
        """Every collection point of the map in one document (the CLI without --point)."""
        notice = Notice(
            kind="collection",
            language=self.lang,
            title=self.say("title.collection", point=self.join([self.t(p.name) for p in self.map.collection_points])),
            meta=self.meta(),
        )
        for point in self.map.collection_points:
            wrapper = Section(heading=self.t(point.name), anchor=point.id)
            wrapper.add(*[s for s in self.sections(point) if not s.empty])
            notice.add(wrapper)
        return notice

    def sections(self, point: CollectionPoint) -> list[Section]:
        policy = PrivacyPolicy(self.map, self.options)
        controller = self.t(self.map.organisation.legal_name)
        intro = self.section("h.introduction", f"{point.id}-intro").paragraph(
            self.say("collection.intro", controller=controller, point=self.t(point.name))
        )
        items = self.section("h.collection_items", f"{point.id}-items").bullets(
            [self.t(self.map.category(c).name) for c in point.categories if self.map.find("data_categories", c)]
        )
        purposes = self.section("h.collection_purposes", f"{point.id}-purposes").bullets(
            [
                f"{self.t(p.name)}" + (f" — {self.t(p.description)}" if p.description else "")
                for p in (self.map.find("purposes", i) for i in point.purposes)
                if p is not None
            ]
        )
        recipients = self.section("h.collection_recipients", f"{point.id}-recipients")
        if point.recipients:
            recipients.bullets(
                [self.t(r.name) for r in (self.map.find("recipients", i) for i in point.recipients) if r]
            )
        else:
            recipients.paragraph(self.say("collection.no_recipients"))
        retention = self.section("h.collection_retention", f"{point.id}-retention")
        if point.retention:
            rule = self.map.find("retention", point.retention)
            if rule is not None:
                retention.paragraph(
                    self.say("retention.hold", basis=self.t(rule.name), period=policy.retention_period(rule.id))
                )
        voluntary = self.section("h.collection_voluntary", f"{point.id}-voluntary")
        voluntary.paragraph(self.say("collection.voluntary" if point.voluntary else "collection.required"))
        voluntary.paragraph(self.t(point.consequence_of_not_providing))
        rights = self.section("h.collection_rights", f"{point.id}-rights").paragraph(self.say("collection.rights"))
        rights.bullets(
            [
                line
                for contact in self.map.organisation.contacts
                for line in self.contact_lines(contact)
                if contact.handles == [] or "privacy_requests" in contact.handles
            ]
        )
        rights.paragraph(self.say("collection.policy_link"))
        return [intro, items, purposes, recipients, retention, voluntary, rights]
