"""The scan's reports: JSON for CI and machines, a self-contained HTML page for people (en/ja).

Both are built from the same dict (`report_data`); the HTML embeds the per-state screenshots as
JPEG data URLs so a report is one file that can be mailed or archived.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mamori.scanner.compare import Finding, summary
from mamori.scanner.wording import error_text, finding_text, say

FORMAT = 1


def report_data(scan: dict[str, Any], findings: list[Finding], organisation: str) -> dict[str, Any]:
    """Everything a report shows; screenshots stay under `screenshots` (left out of --format json)."""
    return {
        "format": FORMAT,
        "organisation": organisation,
        "started_at": datetime.fromtimestamp(scan["started_at"], UTC).isoformat(timespec="seconds"),
        "finished_at": datetime.fromtimestamp(scan["finished_at"], UTC).isoformat(timespec="seconds"),
        "pages": scan["pages"],
        "truncated": scan["truncated"],
        "regions": scan["regions"],
        "states": scan["states"],
        "summary": summary(findings),
        "findings": [finding.to_json() for finding in findings],
        "visits": scan["visits"],
        "screenshots": scan.get("screenshots", {}),
    }


def to_json(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key != "screenshots"}


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _table(headers: list[str], rows: list[list[str]], empty: str) -> str:
    if not rows:
        return f"<p class=muted>{_e(empty)}</p>"
    head = "".join(f"<th scope=col>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<div class=scroll><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"


def _expiry(cookie: dict[str, Any], lang: str) -> str:
    if cookie["session"]:
        return say("session", lang)
    return say("days", lang, days=round(cookie["lifetime_days"] or 0))


def _findings_html(data: dict[str, Any], lang: str) -> str:
    if not data["findings"]:
        return f"<p class=ok>{_e(say('report.no_findings', lang))}</p>"
    out = []
    for finding in data["findings"]:
        rows = [
            [item["page"], item["region"], say(f"state.{item['state']}", lang), item["initiator"]]
            for item in finding["evidence"]
        ]
        evidence = _table(
            [say(f"th.{h}", lang) for h in ("page", "region", "state", "initiator")], rows, say("report.none", lang)
        )
        suggestion = (
            f"<h4>{_e(say('report.suggestion', lang))}</h4><pre>{_e(finding['suggestion'])}</pre>"
            if finding["suggestion"]
            else ""
        )
        out.append(
            f"<section class='finding {_e(finding['severity'])}'><h3><span class=badge>"
            f"{_e(say('severity.' + finding['severity'], lang))}</span> {_e(finding_text(finding, lang))}</h3>"
            f"<details{' open' if finding['severity'] == 'violation' else ''}><summary>"
            f"{_e(say('report.evidence', lang))} ({len(finding['evidence'])})</summary>{evidence}</details>"
            f"{suggestion}</section>"
        )
    return "".join(out)


def _state_html(data: dict[str, Any], state: str, lang: str) -> str:
    first = data["pages"][0] if data["pages"] else ""
    region = data["regions"][0] if data["regions"] else ""
    wanted = (first, region, state)
    visit = next((v for v in data["visits"] if (v["page"], v["region"], v["state"]) == wanted), None)
    if visit is None:
        return ""
    shot = data.get("screenshots", {}).get(state)
    image = (
        f"<img src='data:image/jpeg;base64,{shot}' alt='{_e(say('state.' + state, lang))}' width=640 height=400>"
        if shot
        else ""
    )
    none = say("report.none", lang)
    cookies = _table(
        [say(f"th.{h}", lang) for h in ("name", "domain", "party", "expiry", "flags", "initiator")],
        [
            [
                c["name"],
                c["domain"],
                say(f"party.{c['party']}", lang),
                _expiry(c, lang),
                " ".join(f for f, on in (("HttpOnly", c["http_only"]), ("Secure", c["secure"])) if on)
                + (f" SameSite={c['same_site']}" if c["same_site"] else ""),
                c["set_by"].get("url", ""),
            ]
            for c in visit.get("cookies", [])
        ],
        none,
    )
    requests = _table(
        [say(f"th.{h}", lang) for h in ("host", "kind", "initiator")],
        [[r["host"], r["kind"], r["initiator"]] for r in visit.get("requests", [])],
        none,
    )
    storage = visit.get("storage") or {}
    storage_text = "; ".join(f"{kind}: {', '.join(keys)}" for kind, keys in storage.items() if keys) or none
    modes = (
        "; ".join(
            f"{m['command']}: " + ", ".join(f"{k}={v}" for k, v in sorted(m["params"].items()))
            for m in visit.get("consent_mode", [])
        )
        or none
    )
    error = f"<p class=violation>{_e(error_text(visit['error'], lang))}</p>" if visit.get("error") else ""
    return (
        f"<section class=state><h3>{_e(say('state.' + state, lang))}</h3>{error}{image}"
        f"<h4>{_e(say('report.cookies', lang))}</h4>{cookies}<h4>{_e(say('report.requests', lang))}</h4>{requests}"
        f"<h4>{_e(say('report.storage', lang))}</h4><p>{_e(storage_text)}</p>"
        f"<h4>{_e(say('report.consent_mode', lang))}</h4><p class=small>{_e(modes)}</p></section>"
    )


STYLE = (Path(__file__).resolve().parent / "static" / "scanner" / "report.css").read_text("utf-8")


def to_html(data: dict[str, Any], lang: str = "en") -> str:
    lang = "ja" if lang.startswith("ja") else "en"
    states = ", ".join(say(f"state.{s}", lang) for s in data["states"])
    counts = say("report.counts", lang, **data["summary"])
    head = say(
        "report.summary",
        lang,
        pages=len(data["pages"]),
        visits=len(data["visits"]),
        states=states,
        regions=", ".join(data["regions"]),
        started=data["started_at"],
    )
    truncated = f"<p class=warning>{_e(say('report.truncated', lang))}</p>" if data["truncated"] else ""
    states_html = "".join(_state_html(data, state, lang) for state in data["states"])
    failed = [
        [v["page"], v["region"], say(f"state.{v['state']}", lang), error_text(v["error"], lang)]
        for v in data["visits"]
        if v["error"]
    ]
    errors = (
        f"<h2>{_e(say('report.errors', lang))}</h2>"
        + _table([say(f"th.{h}", lang) for h in ("page", "region", "state")] + [""], failed, "")
        if failed
        else ""
    )
    return (
        f"<!doctype html><html lang={lang}><head><meta charset=utf-8>"
        f"<meta name=viewport content='width=device-width, initial-scale=1'>"
        f"<title>{_e(say('report.title', lang))} · {_e(data['organisation'])}</title>"
        f"<style>{STYLE}</style></head><body>"
        f"<h1>{_e(say('report.title', lang))}</h1><p>{_e(say('report.map', lang, organisation=data['organisation']))}"
        f"<br>{_e(head)}</p><p><strong>{_e(counts)}</strong></p>{truncated}"
        f"<h2>{_e(say('report.findings', lang))}</h2>{_findings_html(data, lang)}{errors}"
        f"<h2>{_e(say('report.states', lang))}</h2><p class=small>{_e(data['pages'][0] if data['pages'] else '')}</p>"
        f"{states_html}</body></html>"
    )
