# ruff: noqa: RUF001  (Japanese text uses full-width punctuation on purpose)
"""The record of processing activities (GDPR Art. 30) and the Japanese personal-data inventory
(個人データ管理台帳), generated from an applied map version.

Like the notices, these are documents with legal weight in two languages, so their wording is held
here in both languages (as `mamori.notices.labels` does) rather than in the gettext catalog. The
same `Ropa` structure is written as XLSX (`ropa_files.to_xlsx`) and HTML (`ropa_files.to_html`),
and it names the map version it was made from, so an export is versioned with the map.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from mamori.catalog.in_force import parsed_map
from mamori.catalog.mapfile import PrivacyMap
from mamori.catalog.mapfile.values import Duration
from mamori.catalog.models import MapVersion
from mamori.notices import labels
from mamori.notices.labels import Bilingual, pick

SEP = "\n"

WORDS: dict[str, Bilingual] = {
    "title": ("Record of processing activities (GDPR Art. 30)", "処理活動の記録（GDPR第30条）"),
    "inventory": ("Personal data inventory (個人データ管理台帳)", "個人データ管理台帳"),
    "controller": ("Controller", "管理者"),
    "recipients_sheet": ("Recipients and transfers", "提供先・移転"),
    "map_version": ("Privacy map version", "プライバシーマップのバージョン"),
    "applied_at": ("Applied at", "適用日時"),
    "legal_name": ("Name", "名称"),
    "address": ("Address", "住所"),
    "head": ("Representative", "代表者"),
    "contacts": ("Contacts", "窓口"),
    "eu_reps": ("Representatives in the EU/UK (Art. 27)", "EU/英国における代理人（第27条）"),
    "authorities": ("Supervisory authorities", "監督機関"),
    "security": ("Security measures (Art. 32)", "安全管理措置（第32条）"),
    "jurisdictions": ("Jurisdictions", "対象法域"),
    "purpose": ("Purpose of processing", "処理の目的"),
    "description": ("Description", "説明"),
    "legal_basis": ("Legal basis", "法的根拠"),
    "subjects": ("Categories of data subjects", "本人の区分"),
    "categories": ("Categories of personal data", "個人データの項目"),
    "recipients": ("Recipients", "提供先・委託先"),
    "transfers": ("Transfers to third countries and safeguards", "外国への移転と保護措置"),
    "retention": ("Time limits for erasure", "消去までの期間"),
    "recipient": ("Recipient", "提供先"),
    "kind": ("Kind", "区分"),
    "country": ("Country", "国"),
    "basis": ("Basis of provision", "提供の根拠"),
    "safeguard": ("Safeguard", "保護措置"),
    "note": ("Information given (APPI Art. 28)", "提供した情報（個人情報保護法第28条）"),
    "purposes": ("Purposes", "利用目的"),
    "item": ("Item", "項目"),
    "class": ("Class (APPI)", "区分（個人情報保護法）"),
    "held_in": ("Where held", "保管場所"),
    "access": ("Who may access", "アクセス権者"),
    "provision": ("Provision to third parties", "第三者提供"),
    "entrustment": ("Entrustment", "委託"),
    "none": ("none", "なし"),
    "unknown_country": ("unknown (told to the person before consent)", "不明（同意取得前にご本人に説明）"),
    "staff_access": ("Staff whose work serves the purposes above", "上記の利用目的に必要な業務の担当者"),
    "sensitive": ("sensitive", "要配慮・特別な種類"),
    "legal_hold": ("kept longer by law", "法令による保存"),
    "not_applied": ("not applied (generated from the files)", "未適用（ファイルから作成）"),
}


@dataclass
class Sheet:
    title: str
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Ropa:
    organisation: str
    language: str
    version: int
    content_hash: str
    title: str
    controller: list[tuple[str, str]]
    sheets: list[Sheet]


def w(key: str, language: str) -> str:
    return pick(WORDS[key], language)


def _names(items: Sequence[Any], language: str) -> str:
    """The map entries' names (each has a bilingual `name`), one per line."""
    return SEP.join(item.name.get(language) for item in items)


def _retention_text(privacy_map: PrivacyMap, category_ids: set[str], language: str) -> str:
    lines = []
    for rule in privacy_map.retention:
        if not category_ids & set(rule.categories):
            continue
        period = labels.duration(Duration.parse(str(rule.period)), language) if rule.period else ""
        trigger = labels.label(labels.TRIGGERS, rule.trigger, language) if rule.trigger else ""
        text = f"{rule.name.get(language)}: {period} ({trigger})" if trigger else f"{rule.name.get(language)}: {period}"
        if rule.legal_hold is not None:
            hold = labels.duration(Duration.parse(str(rule.legal_hold.period)), language)
            text += f"; {w('legal_hold', language)}: {hold}"
        lines.append(text)
    return SEP.join(lines)


def _basis(basis: str | None, language: str) -> str:
    return labels.label(labels.PROVISION_BASES, basis or "", language)


def _country(code: str, language: str) -> str:
    return w("unknown_country", language) if code == "unknown" else code


def build(version: MapVersion, language: str) -> Ropa:
    privacy_map = parsed_map(version) if version.pk else PrivacyMap.from_document(version.document)
    org = privacy_map.organisation
    controller = [
        (w("legal_name", language), org.legal_name.get(language)),
        (w("address", language), org.address.get(language)),
        (w("head", language), org.representative.name.get(language) if org.representative else ""),
        (
            w("contacts", language),
            SEP.join(
                f"{contact.name.get(language)}: " + ", ".join(channel.value for channel in contact.channels)
                for contact in org.contacts
            ),
        ),
        (
            w("eu_reps", language),
            SEP.join(
                f"{rep.region}: {rep.name.get(language)}, {rep.address.get(language)}" for rep in org.representatives
            )
            or w("none", language),
        ),
        (
            w("authorities", language),
            SEP.join(authority.name.get(language) for authority in org.supervisory_authorities),
        ),
        (
            w("jurisdictions", language),
            ", ".join(labels.label(labels.JURISDICTIONS, code, language) for code in privacy_map.jurisdiction_codes),
        ),
        (w("security", language), SEP.join(measure.get(language) for measure in org.security_measures)),
        (w("map_version", language), f"{version.organisation} v{version.number} ({version.short_hash})"),
        (
            w("applied_at", language),
            version.applied_at.strftime("%Y-%m-%d %H:%M UTC") if version.number else w("not_applied", language),
        ),
    ]
    return Ropa(
        organisation=version.organisation,
        language=language,
        version=version.number,
        content_hash=version.content_hash,
        title=w("title", language),
        controller=controller,
        sheets=[
            _activities(privacy_map, language),
            _recipients(privacy_map, language),
            _inventory(privacy_map, language),
        ],
    )


def _activities(privacy_map: PrivacyMap, language: str) -> Sheet:
    sheet = Sheet(
        w("title", language),
        [
            w(key, language)
            for key in (
                "purpose",
                "description",
                "legal_basis",
                "subjects",
                "categories",
                "recipients",
                "transfers",
                "retention",
            )
        ],
    )
    home = privacy_map.organisation.country
    for purpose in privacy_map.purposes:
        categories = [privacy_map.category(ident) for ident in purpose.categories]
        recipients = [recipient for recipient in privacy_map.recipients if purpose.id in recipient.purposes]
        transfers = [
            f"{recipient.name.get(language)}: {_country(recipient.country, language)} — "
            + (
                labels.label(labels.SAFEGUARDS, recipient.transfer.safeguard, language)
                if recipient.transfer
                else labels.label(labels.PROVISION_BASES, recipient.provision_basis or "consent", language)
            )
            for recipient in recipients
            if recipient.country != home
        ]
        sheet.rows.append(
            [
                purpose.name.get(language),
                purpose.description.get(language) if purpose.description else "",
                SEP.join(
                    f"{code}: {labels.label(labels.LEGAL_BASES, basis, language)}"
                    for code, basis in purpose.legal_basis.items()
                ),
                _names([privacy_map.subject(ident) for ident in purpose.subjects], language),
                SEP.join(
                    category.name.get(language) + (f" ({w('sensitive', language)})" if category.sensitive else "")
                    for category in categories
                ),
                SEP.join(
                    f"{r.name.get(language)} ({labels.label(labels.RECIPIENT_KINDS, r.kind, language)})"
                    for r in recipients
                ),
                SEP.join(transfers) or w("none", language),
                _retention_text(privacy_map, set(purpose.categories), language),
            ]
        )
    return sheet


def _recipients(privacy_map: PrivacyMap, language: str) -> Sheet:
    sheet = Sheet(
        w("recipients_sheet", language),
        [
            w(key, language)
            for key in ("recipient", "kind", "country", "basis", "safeguard", "note", "purposes", "categories")
        ],
    )
    for recipient in privacy_map.recipients:
        sheet.rows.append(
            [
                recipient.name.get(language),
                labels.label(labels.RECIPIENT_KINDS, recipient.kind, language),
                _country(recipient.country, language),
                labels.label(labels.PROVISION_BASES, recipient.provision_basis, language)
                if recipient.provision_basis
                else "",
                labels.label(labels.SAFEGUARDS, recipient.transfer.safeguard, language) if recipient.transfer else "",
                recipient.transfer.note.get(language) if recipient.transfer and recipient.transfer.note else "",
                _names([privacy_map.purpose(ident) for ident in recipient.purposes], language),
                _names([privacy_map.category(ident) for ident in recipient.categories], language),
            ]
        )
    return sheet


def _inventory(privacy_map: PrivacyMap, language: str) -> Sheet:
    """個人データ管理台帳: per item, its purposes, where it is held, who may access it, how long it is
    kept, and to whom it is provided or entrusted."""
    sheet = Sheet(
        w("inventory", language),
        [
            w(key, language)
            for key in ("item", "class", "purposes", "held_in", "access", "retention", "provision", "entrustment")
        ],
    )
    for category in privacy_map.data_categories:
        held = [
            f"{system.name.get(language)} ({table.name}.{column.name})"
            for system in privacy_map.systems
            for table in system.tables
            for column in table.fields
            if column.category == category.id
        ]
        recipients = privacy_map.recipients_of(category.id)
        provided = [
            r
            for r in recipients
            if r.kind in ("third_party", "affiliate", "joint_user", "authority")
            and r.provision_basis not in ("entrustment",)
        ]
        entrusted = [r for r in recipients if r.kind == "processor" or r.provision_basis == "entrustment"]
        sheet.rows.append(
            [
                category.name.get(language),
                labels.label(labels.APPI_CLASSES, category.appi_class, language),
                _names(privacy_map.purposes_using(category.id), language),
                SEP.join(held),
                SEP.join([w("staff_access", language)] + [r.name.get(language) for r in entrusted]),
                _retention_text(privacy_map, {category.id}, language),
                SEP.join(f"{r.name.get(language)} ({_basis(r.provision_basis, language)})" for r in provided)
                or w("none", language),
                _names(entrusted, language) or w("none", language),
            ]
        )
    return sheet
