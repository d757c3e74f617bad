# ruff: noqa: RUF001  (Japanese text uses full-width punctuation on purpose)
"""Transfers abroad (APPI Art. 28, NP6): what a person must be told before consenting.

Providing personal data to a recipient in a foreign country needs the person's prior consent after
being told the country, its personal-information protection system and the measures the recipient
takes (Rules Art. 17) — unless the country is one the PPC designates as having an equivalent system
(the EEA and the UK) or the recipient keeps an equivalent system itself (`equivalent_measures`).
These words are part of the texts whose hash the consent ledger records, so they are pinned here in
both languages rather than taken from the translation catalog.
"""

from __future__ import annotations

from dataclasses import dataclass

from mamori.calendars import EU_MEMBER_STATES
from mamori.catalog.mapfile import PrivacyMap
from mamori.catalog.mapfile.schema import Recipient

# Countries the PPC designates as having a system equivalent to Japan's (Rules Art. 15, PPC notice 2019).
DESIGNATED = frozenset({*EU_MEMBER_STATES, "IS", "LI", "NO", "UK", "GB"})

Bilingual = tuple[str, str]

COUNTRY_NAMES: dict[str, Bilingual] = {
    "US": ("the United States", "米国"),
    "SG": ("Singapore", "シンガポール"),
    "CN": ("China", "中国"),
    "KR": ("South Korea", "韓国"),
    "IN": ("India", "インド"),
    "TW": ("Taiwan", "台湾"),
    "HK": ("Hong Kong", "香港"),
    "AU": ("Australia", "オーストラリア"),
    "CA": ("Canada", "カナダ"),
}

# A short, conservative description of each country's system, after the PPC's survey of foreign
# systems; a country not listed gets the general sentence below and the officer should add one.
SYSTEMS: dict[str, Bilingual] = {
    "US": (
        "There is no comprehensive federal personal-information protection law; sector-specific federal laws "
        "and state laws (such as California's CCPA/CPRA) apply. The PPC has not recognised the system as "
        "equivalent to Japan's.",
        "連邦レベルの包括的な個人情報保護法はなく、分野別の連邦法と州法（カリフォルニア州のCCPA/CPRAなど）が"
        "適用されます。個人情報保護委員会は日本と同等の制度とは認めていません。",
    ),
    "SG": (
        "The Personal Data Protection Act 2012 (PDPA) applies, supervised by the Personal Data Protection "
        "Commission; it is not designated by the PPC as equivalent to Japan's system.",
        "個人データ保護法（PDPA、2012年）が適用され、個人データ保護委員会が監督しています。"
        "個人情報保護委員会による日本と同等の制度との認定は受けていません。",
    ),
    "CN": (
        "The Personal Information Protection Law (2021) applies; government access to data under other laws "
        "(such as national security laws) may affect the rights of the person.",
        "個人情報保護法（2021年）が適用されます。国家安全法等の他の法令に基づく政府のデータへのアクセスが"
        "ご本人の権利利益に影響する可能性があります。",
    ),
    "KR": (
        "The Personal Information Protection Act applies, supervised by the Personal Information Protection "
        "Commission.",
        "個人情報保護法が適用され、個人情報保護委員会が監督しています。",
    ),
}

_GENERAL: Bilingual = (
    "Its personal-information protection system is not recognised by the PPC as equivalent to Japan's; "
    "ask us and we will explain it.",
    "同国の個人情報保護制度は、個人情報保護委員会により日本と同等とは認められていません。"
    "お問い合わせいただければご説明します。",
)
_UNKNOWN: Bilingual = (
    "The country is not known when we ask for your consent (it depends on the booking); we tell you the "
    "country and its system as soon as it is known, and on request.",
    "同意をいただく時点では提供先の国は確定していません（ご予約により異なります）。"
    "確定し次第、またはお求めに応じて、国名とその国の制度をお知らせします。",
)


@dataclass(frozen=True)
class TransferNotice:
    recipient: str
    country: str
    system: str
    measures: str

    def sentence(self, language: str) -> str:
        if language == "ja":
            return f"{self.recipient}（{self.country}）：{self.system} 提供先の措置：{self.measures}"
        return f"{self.recipient} ({self.country}): {self.system} The recipient's measures: {self.measures}"


def _pick(pair: Bilingual, language: str) -> str:
    return pair[1] if language == "ja" else pair[0]


def needs_transfer_consent(recipient: Recipient, home: str) -> bool:
    """A recipient abroad, outside the designated countries, without an equivalent system of its own."""
    if recipient.country == home or recipient.country in DESIGNATED:
        return False
    safeguard = recipient.transfer.safeguard if recipient.transfer else None
    return safeguard not in ("equivalent_measures", "adequacy")


def transfer_notice(recipient: Recipient, language: str) -> TransferNotice:
    code = recipient.country
    if code == "unknown":
        country, system = _pick(("country not yet known", "国は未確定"), language), _pick(_UNKNOWN, language)
    else:
        country = _pick(COUNTRY_NAMES.get(code, (code, code)), language)
        system = _pick(SYSTEMS.get(code, _GENERAL), language)
    note = recipient.transfer.note if recipient.transfer and recipient.transfer.note else None
    measures = (
        note.get(language)
        if note
        else _pick(("as agreed in our contract with the recipient", "提供先との契約で定めるとおり"), language)
    )
    return TransferNotice(recipient.name.get(language), country, system, measures)


def notices_for(privacy_map: PrivacyMap, recipient_ids: list[str], language: str) -> list[TransferNotice]:
    """The transfer notices a consent covering these recipients must show, in map order, once each."""
    home = privacy_map.organisation.country
    wanted = dict.fromkeys(recipient_ids)
    return [
        transfer_notice(recipient, language)
        for recipient in privacy_map.recipients
        if recipient.id in wanted and needs_transfer_consent(recipient, home)
    ]
