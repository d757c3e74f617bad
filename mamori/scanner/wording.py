# ruff: noqa: RUF001  (report prose: full-width Japanese punctuation, long sentences kept whole)
"""The scanner's words in English and Japanese: findings, states, report headings.

Kept as (en, ja) pairs like the notices' wording, because the report is written by `mamori scan`
outside Django too (a CI job has no settings), and a report is in one language chosen up front.
"""

from __future__ import annotations

from typing import Any

TEXTS: dict[str, tuple[str, str]] = {
    # findings
    "kind.cookie_before_consent": (
        "Cookie '{subject}' is set before consent or after \"Reject all\", outside the essential categories",
        "クッキー「{subject}」が同意前または「すべて拒否」後に設定されています（必須カテゴリ外）",
    ),
    "kind.request_before_consent": (
        'Requests to the third party {subject} ({kind}) before consent or after "Reject all"',
        "同意前または「すべて拒否」後に第三者 {subject} へ送信しています（{kind}）",
    ),
    "kind.undeclared_cookie": (
        "Cookie '{subject}' ({domain}) is not in the privacy map",
        "クッキー「{subject}」（{domain}）がプライバシーマップにありません",
    ),
    "kind.declared_not_seen": (
        "Cookie '{subject}' is in the map but was never seen on the scanned pages",
        "クッキー「{subject}」はマップにありますが、スキャンしたページで一度も確認されませんでした",
    ),
    "kind.duration_longer": (
        "Cookie '{subject}' lives {seen_days} days; the map says {declared}",
        "クッキー「{subject}」の有効期間は{seen_days}日ですが、マップでは{declared}です",
    ),
    "kind.party_differs": (
        "Cookie '{subject}' is {seen}-party here; the map says {declared}-party",
        "クッキー「{subject}」は実際には{seen}のクッキーですが、マップでは{declared}のクッキーです",
    ),
    "kind.third_party_cookie": (
        "Third-party cookie '{subject}' ({domain}), where the map promises none (IC5)",
        "マップで使用しないと約束している第三者クッキー「{subject}」（{domain}）があります（IC5）",
    ),
    "kind.third_party_embed": (
        "Embedded content from {subject} ({kind}), where the map promises no third-party plug-ins (IC5)",
        "マップで使用しないと約束している第三者の埋め込みコンテンツ {subject}（{kind}）があります（IC5）",
    ),
    "kind.gpc_not_honoured": (
        "Global Privacy Control is not honoured ({subject}: {reason}), though the map says it is",
        "マップでは尊重するとしているグローバル・プライバシー・コントロールが尊重されていません（{subject}：{reason}）",
    ),
    "reason.banner": ("the banner still asks", "バナーが選択を求めています"),
    "reason.consent_mode": ("an advertising signal is granted", "広告シグナルが許可されています"),
    "reason.cookie": ("a sale/sharing cookie is set", "販売・共有に当たるクッキーが設定されています"),
    "party.first": ("first", "ファースト・パーティ"),
    "party.third": ("third", "サード・パーティ"),
    "severity.violation": ("Violation", "違反"),
    "severity.warning": ("Warning", "警告"),
    "severity.info": ("Note", "注記"),
    # states
    "state.none": ("No choice made", "未選択"),
    "state.reject": ('After "Reject all"', "「すべて拒否」後"),
    "state.accept": ('After "Accept all"', "「すべて同意」後"),
    "state.gpc": ("Global Privacy Control on", "GPC有効"),
    # report
    "report.title": ("Cookie and tag scan", "クッキー・タグスキャン"),
    "report.summary": (
        "{pages} pages, {visits} visits ({states}; regions {regions}), {started}",
        "{pages}ページ、{visits}回の訪問（{states}、地域 {regions}）、{started}",
    ),
    "report.map": ("Compared with the privacy map of {organisation}", "{organisation}のプライバシーマップと比較"),
    "report.counts": (
        "{violation} violations, {warning} warnings, {info} notes",
        "違反{violation}件、警告{warning}件、注記{info}件",
    ),
    "report.truncated": (
        "The scan stopped at its page or time limit: more pages exist.",
        "ページ数または時間の上限でスキャンを終了しました。未スキャンのページがあります。",
    ),
    "report.findings": ("Findings", "検出事項"),
    "report.no_findings": (
        "No findings: the site does what the map says.",
        "検出事項はありません。サイトはマップどおりに動作しています。",
    ),
    "report.evidence": ("Evidence", "根拠"),
    "report.suggestion": ("Suggested map entry", "マップへの追記案"),
    "report.states": ("What each state shows (first page)", "状態ごとの結果（最初のページ）"),
    "report.cookies": ("Cookies", "クッキー"),
    "report.requests": ("Third-party requests", "第三者へのリクエスト"),
    "report.storage": ("Web storage", "ウェブストレージ"),
    "report.consent_mode": ("Google Consent Mode", "Google同意モード"),
    "report.none": ("none", "なし"),
    "report.errors": ("Pages that could not be scanned", "スキャンできなかったページ"),
    "error.banner_not_found": (
        "mamori's banner did not appear, so this state could not be reached",
        "mamoriのバナーが表示されなかったため、この状態を確認できませんでした",
    ),
    "th.severity": ("Severity", "重大度"),
    "th.finding": ("Finding", "検出事項"),
    "th.page": ("Page", "ページ"),
    "th.state": ("State", "状態"),
    "th.region": ("Region", "地域"),
    "th.initiator": ("Set or sent by", "設定・送信元"),
    "th.name": ("Name", "名前"),
    "th.domain": ("Domain", "ドメイン"),
    "th.party": ("Party", "種別"),
    "th.expiry": ("Expires", "有効期間"),
    "th.flags": ("Flags", "属性"),
    "th.host": ("Host", "ホスト"),
    "th.kind": ("Kind", "種類"),
    "session": ("session", "セッション"),
    "days": ("{days} days", "{days}日"),
}


def say(key: str, language: str, **values: Any) -> str:
    en, ja = TEXTS[key]
    text = ja if language.startswith("ja") else en
    return text.format(**values) if values else text


def finding_text(finding: dict[str, Any], language: str) -> str:
    details = dict(finding.get("details", {}))
    if "reason" in details:
        details["reason"] = say(f"reason.{details['reason']}", language)
    for key in ("seen", "declared"):
        if finding["kind"] == "party_differs" and key in details:
            details[key] = say(f"party.{details[key]}", language)
    return say(f"kind.{finding['kind']}", language, subject=finding["subject"], **details)


def error_text(code: str, language: str) -> str:
    """A visit's error for people: known codes in words, browser messages as they are."""
    key = f"error.{code}"
    return say(key, language) if key in TEXTS else code
