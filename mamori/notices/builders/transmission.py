# ruff: noqa: RUF001, E501  (notice prose: full-width Japanese punctuation, long sentences kept whole)
"""Japan's external-transmission notice (Telecommunications Business Act Art. 27-12, since 2023-06-16).

A site whose tags make the visitor's browser send information to someone else must publish, per
destination: what is sent, to whom, and for what purpose — or offer an opt-out. Built from the
map (cookies with their recipient, the recipients' purposes and countries, the categories that need
consent) and from what the latest cookie scan saw leave the browser (`Options.destinations`:
third-party hosts seen after "Accept all"). A host the scan saw that no recipient accounts for is
listed too, under its own name, so the notice never hides a destination.
"""

from __future__ import annotations

from mamori.catalog.mapfile.schema import Recipient
from mamori.notices.builders.common import Builder
from mamori.notices.document import Notice, Section, Table

TEXT: dict[str, tuple[str, str]] = {
    "intro": (
        "When you visit {site}, tags and cookies on our pages send information from your browser to the companies listed below (external transmission under Article 27-12 of the Telecommunications Business Act). For each destination this notice says what is sent, to whom, why, and how to stop it.",
        "{site}では、ページ内のタグやクッキーにより、お客様のブラウザから以下の事業者に情報が送信されます（電気通信事業法第27条の12に基づく外部送信）。送信先ごとに、送信される情報、送信先、利用目的、および停止方法を記載します。",
    ),
    "h.destinations": ("Destinations", "送信先"),
    "h.observed": ("Other destinations seen on our site", "当サイトで確認されたその他の送信先"),
    "observed.intro": (
        "Our latest site scan ({date}) also saw information sent to these hosts, which the notice above does not yet describe:",
        "直近のサイトスキャン（{date}）では、上記で説明していない次のホストへの送信も確認されました。",
    ),
    "th.destination": ("Recipient", "送信先"),
    "th.country": ("Country", "国"),
    "th.sent": ("Information sent", "送信される情報"),
    "th.purpose": ("Purpose", "利用目的"),
    "th.how": ("Sent by", "送信手段"),
    "th.opt_out": ("How to stop it", "停止方法"),
    "th.hosts": ("Hosts seen", "確認された送信先ホスト"),
    "sent.base": (
        "the address of the page you view, your IP address and browser (user agent), and the time",
        "閲覧したページのURL、IPアドレス、ブラウザの種類（ユーザーエージェント）、日時",
    ),
    "sent.cookies": ("identifiers in the cookies {names}", "クッキー {names} に含まれる識別子"),
    "opt_out.consent": (
        'Sent only after you agree in the cookie banner; withdraw at any time under "Cookie settings" or on {url}',
        "クッキーバナーで同意した場合にのみ送信されます。「クッキー設定」または {url} からいつでも撤回できます",
    ),
    "opt_out.always": (
        "Needed for the site to work; block cookies in your browser's settings",
        "サイトの動作に必要な送信です。ブラウザの設定でクッキーを拒否できます",
    ),
    "none": (
        "Our pages send no information from your browser to third parties.",
        "当サイトのページから、お客様のブラウザの情報が第三者に送信されることはありません。",
    ),
    "title": ("Information sent to third parties (external transmission)", "外部送信に関する公表事項"),
}


class TransmissionNotice(Builder):
    def tx(self, key: str, **values: object) -> str:
        english, japanese = TEXT[key]
        text = japanese if self.lang == "ja" else english
        return text.format(**values) if values else text

    def build(self) -> Notice:
        notice = Notice(kind="transmission", language=self.lang, title=self.tx("title"), meta=self.meta())
        site = self.map.organisation.website or self.t(self.map.organisation.legal_name)
        rows = [self.row(recipient) for recipient in self.recipients_with_cookies()]
        intro = Section(heading=self.tx("h.destinations"), anchor="destinations")
        intro.paragraph(self.tx("intro", site=site) if rows else self.tx("none"))
        if rows:
            headers = ["th.destination", "th.country", "th.sent", "th.purpose", "th.how", "th.opt_out"]
            intro.add(Table([self.tx(h) for h in headers], rows))
        notice.add(intro)
        unexplained = self.unexplained_hosts()
        if unexplained:
            observed = Section(heading=self.tx("h.observed"), anchor="observed")
            observed.paragraph(self.tx("observed.intro", date=self.options.destinations_seen_on or ""))
            observed.add(Table([self.tx("th.hosts")], [[host] for host in unexplained]))
            notice.add(observed)
        notice.add(self.contacts_section(handles=("questions",)))
        return notice

    def recipients_with_cookies(self) -> list[Recipient]:
        ids = list(dict.fromkeys(cookie.recipient for cookie in self.map.cookies if cookie.recipient))
        return [self.map.recipient(ident) for ident in ids if self.map.find("recipients", ident)]

    def row(self, recipient: Recipient) -> list[str]:
        cookies = [cookie for cookie in self.map.cookies if cookie.recipient == recipient.id]
        sent = [self.tx("sent.base"), self.tx("sent.cookies", names=", ".join(c.name for c in cookies))]
        if recipient.categories:
            sent.append(self.categories(recipient.categories))
        hosts = self.hosts_of(recipient)
        how = self.join(
            sorted(
                {
                    self.t(self.map.cookie_category(c.category).name)
                    for c in cookies
                    if self.map.find("cookie_categories", c.category)
                }
            )
        )
        if hosts:
            how = f"{how} ({', '.join(hosts)})"
        essential_only = all(c.category in ("essential", "necessary") for c in cookies)
        opt_out = (
            self.tx("opt_out.always")
            if essential_only
            else self.tx("opt_out.consent", url=f"{self.center_url}choices/")
        )
        purposes = self.purposes(recipient.purposes) or self.join(sorted({self.t(c.purpose) for c in cookies}))
        if recipient.transfer and recipient.transfer.note:
            opt_out = (
                f"{opt_out}. {self.t(recipient.transfer.note)}"
                if self.lang == "en"
                else f"{opt_out}。{self.t(recipient.transfer.note)}"
            )
        return [
            self.t(recipient.name),
            recipient.country,
            "; ".join(sent) if self.lang == "en" else "、".join(sent),
            purposes,
            how,
            opt_out,
        ]

    def cookie_domains(self, recipient: Recipient) -> list[str]:
        return [c.domain.lstrip(".") for c in self.map.cookies if c.recipient == recipient.id and c.domain]

    def hosts_of(self, recipient: Recipient) -> list[str]:
        """Hosts the scan saw that belong to this recipient (by the domains of its cookies)."""
        domains = [d for d in self.cookie_domains(recipient) if not self.own_domain(d)]
        return sorted(h for h in self.options.destinations if any(h == d or h.endswith("." + d) for d in domains))

    def own_domain(self, domain: str) -> bool:
        website = (self.map.organisation.website or "").split("//")[-1].split("/")[0].lower()
        return bool(website) and (website == domain or website.endswith("." + domain))

    def unexplained_hosts(self) -> list[str]:
        explained = {h for r in self.recipients_with_cookies() for h in self.hosts_of(r)}
        return sorted(set(self.options.destinations) - explained)
