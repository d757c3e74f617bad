"""Report drafts prefilled from the incident and the map (RULES.md "Breach notices").

- PPC report (APPI Rules Art. 8), in Japanese: the items of the PPC form.
- GDPR Art. 33(3), in English: nature, contact point, likely consequences, measures.
- California "Notice of Data Breach" (Civ. Code 1798.82(d)), in English, with the statute's headings.

The texts are written out here rather than taken from the message catalog: they are documents sent
to authorities and people, in the language the recipient reads, whatever the officer's own language.
Placeholders in [brackets] are what only the officer can fill in.
"""

# Japanese text uses full-width brackets and parentheses, as Japanese documents do.
# ruff: noqa: RUF001
from __future__ import annotations

from typing import Any

from mamori.catalog.mapfile import PrivacyMap
from mamori.incidents.models import Incident
from mamori.incidents.rules import TOKYO

KIND_JA = {"leak": "漏えい", "loss": "滅失", "alteration": "改ざん（毀損）", "damage": "毀損"}
CAUSE_JA = {
    "unauthorised_access": "不正アクセス",
    "misdelivery": "誤送付・誤送信",
    "lost_device": "端末・媒体の紛失",
    "insider": "従業者による不正な持ち出し等",
    "ransomware": "ランサムウェア",
    "processor_breach": "委託先における事案",
}
KIND_EN = {"leak": "unauthorised disclosure (leak)", "loss": "loss", "alteration": "alteration", "damage": "damage"}
CAUSE_EN = {
    "unauthorised_access": "unauthorised access",
    "misdelivery": "misdelivery",
    "lost_device": "a lost device",
    "insider": "an insider",
    "ransomware": "ransomware",
    "processor_breach": "a breach at a processor",
}
GROUP_JA = {"JP": "日本", "EEA_UK": "EEA・英国", "US-CA": "カリフォルニア州", "other": "その他"}
GROUP_EN = {"JP": "Japan", "EEA_UK": "EEA and UK", "US-CA": "California", "other": "elsewhere"}


def text_in(value: Any, language: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    for code in (language, "en", "ja"):
        text = getattr(value, code, None)
        if text:
            return str(text)
    return str(value)


def _categories(incident: Incident, privacy_map: PrivacyMap, language: str) -> list[str]:
    chosen = set(incident.scope.get("categories") or [])
    return [text_in(category.name, language) for category in privacy_map.data_categories if category.id in chosen]


def _local(moment: Any, zone: Any) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else ""


def _counts(incident: Incident, names: dict[str, str], joiner: str) -> str:
    return joiner.join(f"{names[key]}: {value}" for key, value in (incident.counts or {}).items() if value)


def _contact(privacy_map: PrivacyMap, language: str) -> str:
    organisation = privacy_map.organisation
    contact = next(
        (c for c in organisation.contacts if "security" in c.handles or "privacy_requests" in c.handles),
        organisation.contacts[0],
    )
    channels = ", ".join(channel.value for channel in contact.channels)
    return f"{text_in(contact.name, language)} ({channels})"


def ppc_report(incident: Incident, privacy_map: PrivacyMap, stage: str) -> str:
    organisation = privacy_map.organisation
    title = "個人情報の漏えい等事案に係る報告書" + ("（速報）" if stage == "preliminary" else "（確報）")
    people = incident.people()
    counts = _counts(incident, GROUP_JA, "、")
    lines = [
        title,
        "",
        f"報告者: {text_in(organisation.legal_name, 'ja')}（{text_in(organisation.address, 'ja')}）",
        f"事案番号: {incident.reference}",
        f"発覚日時: {_local(incident.aware_at, TOKYO)}（日本時間）",
        f"発生日時: {_local(incident.occurred_at, TOKYO) or '［調査中］'}",
        "",
        "1. 概要",
        f"{CAUSE_JA[incident.cause]}による個人データの{KIND_JA[incident.kind]}が発生しました。{incident.title}",
        "",
        "2. 漏えい等が発生し、又は発生したおそれがある個人データの項目",
        "、".join(_categories(incident, privacy_map, "ja")) or "［調査中］",
        "",
        "3. 漏えい等が発生し、又は発生したおそれがある個人データに係る本人の数",
        f"{people}人" + (f"（{counts}）" if counts else "") + ("" if stage == "final" else "（速報時点の見込み）"),
        "",
        "4. 原因",
        f"{CAUSE_JA[incident.cause]}。［詳細］",
        "",
        "5. 二次被害又はそのおそれの有無及びその内容",
        "［調査中］" if stage == "preliminary" else "［記入してください］",
        "",
        "6. 本人への対応の実施状況",
        "本人への通知を実施予定です。" if stage == "preliminary" else "［通知の実施状況］",
        "",
        "7. 公表の実施状況",
        "公表済み" if incident.public_notice_at else "未公表",
        "",
        "8. 再発防止のための措置",
        incident.actions_summary_ja or "［記入してください］",
        "",
        "9. その他参考となる事項",
        "暗号化: "
        + (
            "あり（鍵も取得されたおそれ）"
            if incident.encrypted and incident.key_compromised
            else "あり"
            if incident.encrypted
            else "なし"
        ),
        "不正の目的によるおそれ: " + ("あり" if incident.possibly_malicious else "なし"),
    ]
    return "\n".join(lines) + "\n"


def gdpr_report(incident: Incident, privacy_map: PrivacyMap, stage: str) -> str:
    organisation = privacy_map.organisation
    people = incident.people()
    counts = _counts(incident, GROUP_EN, ", ")
    phase = (
        "Initial notification (information may be provided in phases, Art. 33(4))"
        if stage == "preliminary"
        else "Complete notification"
    )
    lines = [
        f"Personal data breach notification under Article 33 GDPR — {phase}",
        "",
        f"Controller: {text_in(organisation.legal_name, 'en')}, {text_in(organisation.address, 'en')}",
        f"Reference: {incident.reference}",
        f"Became aware: {incident.aware_at.isoformat()}",
        f"Breach occurred: {incident.occurred_at.isoformat() if incident.occurred_at else '[under investigation]'}",
        "",
        "(a) Nature of the breach",
        f"{KIND_EN[incident.kind].capitalize()} caused by {CAUSE_EN[incident.cause]}. {incident.title}",
        "Categories of personal data: " + ("; ".join(_categories(incident, privacy_map, "en")) or "[to be determined]"),
        f"Approximate number of data subjects: {people}" + (f" ({counts})" if counts else ""),
        "Approximate number of records: [number of records]",
        "",
        "(b) Data protection officer or other contact point",
        _contact(privacy_map, "en"),
        "",
        "(c) Likely consequences",
        "[describe, e.g. phishing, fraud, identity theft, distress]",
        "",
        "(d) Measures taken or proposed, including to mitigate possible adverse effects",
        incident.actions_summary_en or "[describe]",
    ]
    return "\n".join(lines) + "\n"


def california_notice(incident: Incident, privacy_map: PrivacyMap, stage: str) -> str:
    organisation = privacy_map.organisation
    lines = [
        "Notice of Data Breach",
        "",
        "What Happened",
        f"On {_local(incident.aware_at, TOKYO)[:10]} {text_in(organisation.legal_name, 'en')} discovered "
        f"{KIND_EN[incident.kind]} of personal information caused by {CAUSE_EN[incident.cause]}. "
        + (f"It happened on or about {incident.occurred_at.date().isoformat()}. " if incident.occurred_at else ""),
        "",
        "What Information Was Involved",
        "; ".join(_categories(incident, privacy_map, "en")) or "[list the information]",
        "",
        "What We Are Doing",
        incident.actions_summary_en or "[describe the measures taken]",
        "",
        "What You Can Do",
        "Be careful with e-mails or calls that ask for your details or mention this incident; change your "
        "password if you reuse it elsewhere; review your account statements and credit reports.",
        "",
        "For More Information",
        _contact(privacy_map, "en"),
    ]
    return "\n".join(lines) + "\n"


FORMS = {"ppc": ("ja", ppc_report), "gdpr": ("en", gdpr_report), "california": ("en", california_notice)}


def render_draft(incident: Incident, privacy_map: PrivacyMap, form: str, stage: str) -> tuple[str, str]:
    language, build = FORMS[form]
    return language, build(incident, privacy_map, stage)
