"""What the scan saw, against what the privacy map says: findings with their evidence.

One finding per (kind, subject) — a cookie name or a host — carrying every place it was seen
(page, region, state, initiator), so a tag that misbehaves on forty pages is one finding with forty
pieces of evidence, not forty findings. Severity: `violation` (the law or the map's commitments are
broken: `--fail-on violations` fails CI), `warning` (the map is wrong or out of date), `info`.

The rules, each tested in tests/scanner:
- before a choice (`none`, and `gpc`: no consent either way) or after "Reject all", a
  cookie outside the essential categories, or any request to a third party other than the consent
  banner's own server, is a violation;
- a cookie the map does not declare is a warning, with a suggested YAML entry; a declared cookie
  that lives longer than declared, or is first-party where the map says third (or back), likewise;
- a declared cookie never seen is reported (info) only where the scan could have seen it: its
  declared domain covers a scanned host, or it declares no domain;
- where `commitments.website` promises no third-party cookies or embeds (IC5), each one seen is a
  violation;
- where the map honours GPC, a GPC visit that shows the banner, grants an advertising Consent Mode
  signal, or sets a sale/sharing cookie that the no-choice visit did not, is a violation.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from mamori.catalog.mapfile import PrivacyMap
from mamori.catalog.mapfile.schema import Cookie
from mamori.consent.rules import CONSENT_COOKIE, SALE_SIGNALS, honours_gpc, is_essential, is_sale
from mamori.scanner.sites import host_of, site_of

SEVERITIES = ("violation", "warning", "info")
# With GPC on, no consent was given either way: honoured, it is an automatic "Reject all".
BEFORE_CHOICE = ("none", "reject", "gpc")
# Rounding of browser clocks and of "max-age" against "expires": a day is no real difference.
DURATION_SLACK_DAYS = 1.0


@dataclass
class Finding:
    kind: str
    severity: str
    subject: str
    details: dict[str, Any] = field(default_factory=dict)
    evidence: list[dict[str, str]] = field(default_factory=list)
    suggestion: str = ""

    def add(self, visit: dict[str, Any], initiator: str) -> None:
        item = {"page": visit["page"], "region": visit["region"], "state": visit["state"], "initiator": initiator}
        if item not in self.evidence:
            self.evidence.append(item)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "severity": self.severity,
            "subject": self.subject,
            "details": self.details,
            "evidence": self.evidence,
            "suggestion": self.suggestion,
        }


def declared(privacy_map: PrivacyMap, name: str) -> Cookie | None:
    """The map's entry for a cookie name; a trailing `*` in the map matches a prefix (`_ga_*`)."""
    for cookie in privacy_map.cookies:
        pattern = cookie.name
        if pattern == name or (pattern.endswith("*") and name.startswith(pattern[:-1])):
            return cookie
    return None


def _domain_covers(domain: str, host: str) -> bool:
    domain = domain.lower().lstrip(".")
    return host == domain or host.endswith("." + domain)


def suggest_yaml(cookie: dict[str, Any]) -> str:
    """A `cookies:` entry to paste into the map, with what the scan knows filled in."""
    if cookie["session"]:
        duration = "session"
    else:
        days = max(1, round(cookie["lifetime_days"] or 0))
        years = days // 365
        duration = f"{years} years" if years >= 2 and days % 365 < 2 else f"{days} day{'' if days == 1 else 's'}"
    setter = host_of(cookie["set_by"].get("url", "")) or cookie["domain"].lstrip(".")
    return "\n".join(
        [
            f"- name: {json.dumps(cookie['name'])}",  # quoted: a cookie called "yes" or "on" stays a string
            "  category: TODO            # essential, analytics, advertising, ... (cookie_categories)",
            f"  provider: {json.dumps(setter or 'TODO')}",
            f"  party: {cookie['party']}",
            f'  duration: "{duration}"',
            '  purpose: {en: "TODO", ja: "TODO"}',
            f"  domain: {json.dumps(cookie['domain'])}",
        ]
    )


class _Comparison:
    def __init__(self, privacy_map: PrivacyMap, scan: dict[str, Any], consent_hosts: Iterable[str]) -> None:
        self.map = privacy_map
        self.scan = scan
        # Where mamori's banner comes from: given, or seen loading banner.js.
        banner_hosts = {
            request["host"]
            for visit in scan["visits"]
            for request in visit.get("requests", [])
            if request["url"].endswith("/consent/banner.js")
        }
        self.consent_sites = {site_of(host) for host in {*consent_hosts, *banner_hosts}}
        self.findings: dict[tuple[str, str], Finding] = {}
        website = privacy_map.commitments.website
        self.no_third_party_cookies = website is not None and not website.third_party_cookies
        self.no_third_party_embeds = website is not None and not website.third_party_embeds
        self.gpc = honours_gpc(privacy_map)

    def finding(self, kind: str, severity: str, subject: str, /, **details: Any) -> Finding:
        key = (kind, subject)
        if key not in self.findings:
            self.findings[key] = Finding(kind, severity, subject, details=details)
        return self.findings[key]

    def essential(self, name: str) -> bool:
        if name == CONSENT_COOKIE:  # the banner's own record of the choice
            return True
        entry = declared(self.map, name)
        return entry is not None and is_essential(entry.category)

    def sale(self, name: str) -> bool:
        entry = declared(self.map, name)
        category = self.map.find("cookie_categories", entry.category) if entry else None
        return category is not None and is_sale(category, self.map)

    def run(self) -> list[Finding]:
        visits = [visit for visit in self.scan["visits"] if not visit.get("error")]
        no_choice_cookies = {
            (v["page"], v["region"]): {c["name"] for c in v["cookies"]} for v in visits if v["state"] == "none"
        }
        for visit in visits:
            before_choice = visit["state"] in BEFORE_CHOICE
            for cookie in visit["cookies"]:
                self.cookie(visit, cookie, before_choice)
            for request in visit["requests"]:
                self.request(visit, request, before_choice)
            if visit["state"] == "gpc" and self.gpc:
                self.gpc_visit(visit, no_choice_cookies.get((visit["page"], visit["region"]), set()))
        self.never_seen(visits)
        order = {severity: i for i, severity in enumerate(SEVERITIES)}
        return sorted(self.findings.values(), key=lambda f: (order[f.severity], f.kind, f.subject))

    def cookie(self, visit: dict[str, Any], cookie: dict[str, Any], before_choice: bool) -> None:
        name, setter = cookie["name"], cookie["set_by"].get("url", "")
        entry = declared(self.map, name)
        if before_choice and not self.essential(name):
            self.finding("cookie_before_consent", "violation", name).add(visit, setter)
        if cookie["party"] == "third" and self.no_third_party_cookies:
            self.finding("third_party_cookie", "violation", name, domain=cookie["domain"]).add(visit, setter)
        if name == CONSENT_COOKIE:
            return
        if entry is None:
            undeclared = self.finding("undeclared_cookie", "warning", name, domain=cookie["domain"])
            undeclared.suggestion = undeclared.suggestion or suggest_yaml(cookie)
            undeclared.add(visit, setter)
            return
        if cookie["party"] != entry.party:
            self.finding("party_differs", "warning", name, seen=cookie["party"], declared=entry.party).add(
                visit, setter
            )
        if not cookie["session"]:
            limit = entry.duration.longest_days() if not entry.duration.is_session else 0
            if cookie["lifetime_days"] > limit + DURATION_SLACK_DAYS:
                self.finding(
                    "duration_longer",
                    "warning",
                    name,
                    seen_days=round(cookie["lifetime_days"]),
                    declared=str(entry.duration),
                ).add(visit, setter)

    def request(self, visit: dict[str, Any], request: dict[str, Any], before_choice: bool) -> None:
        if request["site"] in self.consent_sites:
            return  # the consent banner's own server: asking is allowed before the answer
        if before_choice:
            self.finding("request_before_consent", "violation", request["host"], kind=request["kind"]).add(
                visit, request["initiator"]
            )
        if request["kind"] in ("iframe", "plugin") and self.no_third_party_embeds:
            self.finding("third_party_embed", "violation", request["host"], kind=request["kind"]).add(
                visit, request["initiator"]
            )

    def gpc_visit(self, visit: dict[str, Any], no_choice: set[str]) -> None:
        page = visit["page"]
        if visit.get("banner_shown"):
            self.finding("gpc_not_honoured", "violation", site_of(host_of(page)), reason="banner").add(visit, page)
        for command in visit.get("consent_mode", []):
            granted = sorted(s for s in SALE_SIGNALS if command["params"].get(s) == "granted")
            if command["command"] == "update" and granted:
                self.finding("gpc_not_honoured", "violation", site_of(host_of(page)), reason="consent_mode").add(
                    visit, ", ".join(granted)
                )
        for cookie in visit["cookies"]:
            if cookie["name"] not in no_choice and self.sale(cookie["name"]):
                self.finding("gpc_not_honoured", "violation", cookie["name"], reason="cookie").add(
                    visit, cookie["set_by"].get("url", "")
                )

    def never_seen(self, visits: list[dict[str, Any]]) -> None:
        seen = {cookie["name"] for visit in visits for cookie in visit["cookies"]}
        hosts = {host_of(visit["page"]) for visit in visits}
        if not visits:
            return
        for cookie in self.map.cookies:
            if any(declared(self.map, name) is cookie for name in seen):
                continue
            if cookie.domain and not any(_domain_covers(cookie.domain, host) for host in hosts):
                continue  # a cookie of another host: this scan could not have seen it
            self.finding("declared_not_seen", "info", cookie.name, declared_domain=cookie.domain or "")


def compare(privacy_map: PrivacyMap, scan: dict[str, Any], consent_hosts: Iterable[str] = ()) -> list[Finding]:
    """Findings for a scan result (browser.Scanner.run) against a map.

    `consent_hosts`: where mamori's banner is served from (its requests are never a finding).
    """
    return _Comparison(privacy_map, scan, consent_hosts).run()


def summary(findings: list[Finding]) -> dict[str, int]:
    counts = dict.fromkeys(SEVERITIES, 0)
    for finding in findings:
        counts[finding.severity] += 1
    return counts
