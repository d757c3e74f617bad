# ruff: noqa: RUF001  (Japanese notice text uses full-width punctuation on purpose)
"""Names of the map's coded values (legal bases, rights, kinds, ...) as notices print them, en and ja.

Notices are legal texts in two languages: the wording is written here in both languages rather than
left to the gettext catalog, so a Japanese notice never falls back to English prose. Every table
holds both languages for every code; `tests/notices` checks it.
"""

from __future__ import annotations

from mamori.catalog.mapfile.values import Duration

Bilingual = tuple[str, str]  # (en, ja)

LEGAL_BASES: dict[str, Bilingual] = {
    "consent": ("Consent", "ご本人の同意"),
    "contract": ("Performance of a contract", "契約の履行"),
    "legal_obligation": ("Compliance with a legal obligation", "法的義務の遵守"),
    "vital_interests": ("Protection of vital interests", "生命等の重大な利益の保護"),
    "public_task": ("Performance of a task in the public interest", "公共の利益のための業務の遂行"),
    "legitimate_interests": ("Legitimate interests", "正当な利益"),
    "published_purpose": ("Use within the published purposes of use", "公表した利用目的の範囲内での利用"),
    "legal_exception": ("Cases permitted by law", "法令に基づく場合"),
    "business_purpose": ("Business purpose", "事業目的"),
    "notice_at_collection": ("Notice at collection", "収集時の通知"),
}

LAWS: dict[str, Bilingual] = {
    "APPI": ("Act on the Protection of Personal Information (Japan)", "個人情報の保護に関する法律（日本）"),
    "GDPR": ("General Data Protection Regulation (EU/EEA)", "一般データ保護規則（EU/EEA）"),
    "UK GDPR": ("UK General Data Protection Regulation", "英国一般データ保護規則"),
    "FADP": ("Federal Act on Data Protection (Switzerland)", "連邦データ保護法（スイス）"),
    "CCPA/CPRA": (
        "California Consumer Privacy Act, as amended by the CPRA",
        "カリフォルニア州消費者プライバシー法（CPRAによる改正後）",
    ),
}

JURISDICTIONS: dict[str, Bilingual] = {
    "JP": ("Japan", "日本"),
    "EU": ("European Union", "欧州連合"),
    "EEA": ("European Economic Area", "欧州経済領域"),
    "UK": ("United Kingdom", "英国"),
    "CH": ("Switzerland", "スイス"),
    "US-CA": ("California", "カリフォルニア州"),
}

RIGHTS: dict[str, Bilingual] = {
    "access": ("Access to (disclosure of) your personal data", "保有個人データの開示"),
    "portability": (
        "Data portability: a copy in a structured, machine-readable format",
        "データポータビリティ（構造化された機械可読形式での写しの提供）",
    ),
    "rectification": ("Correction of inaccurate data", "内容の訂正"),
    "addition": ("Addition to incomplete data", "内容の追加"),
    "erasure": ("Deletion", "削除（消去）"),
    "restriction": ("Restriction (suspension) of use", "利用の停止（処理の制限）"),
    "objection": (
        "Objection to processing, including direct marketing",
        "処理への異議（ダイレクトマーケティングを含む）",
    ),
    "withdraw_consent": ("Withdrawal of consent at any time", "同意のいつでもの撤回"),
    "cease_third_party_provision": ("Cessation of provision to third parties", "第三者提供の停止"),
    "provision_records": ("Disclosure of records of provision to third parties", "第三者提供記録の開示"),
    "opt_out_sale_sharing": (
        "Opt out of the sale or sharing of personal information",
        "個人情報の販売・共有のオプトアウト",
    ),
    "limit_sensitive": ("Limit the use of sensitive personal information", "センシティブ個人情報の利用制限"),
    "usage_report": ("A report on how your data is used", "利用目的の通知（利用状況の報告）"),
}

# The rights each law gives, in the order notices list them (RULES.md, "Rights by jurisdiction").
RIGHTS_BY_LAW: dict[str, tuple[str, ...]] = {
    "GDPR": ("access", "portability", "rectification", "erasure", "restriction", "objection", "withdraw_consent"),
    "UK GDPR": ("access", "portability", "rectification", "erasure", "restriction", "objection", "withdraw_consent"),
    "FADP": ("access", "portability", "rectification", "erasure", "restriction", "objection", "withdraw_consent"),
    "APPI": (
        "usage_report",
        "access",
        "rectification",
        "addition",
        "erasure",
        "restriction",
        "cease_third_party_provision",
        "provision_records",
    ),
    "CCPA/CPRA": ("access", "erasure", "rectification", "opt_out_sale_sharing", "limit_sensitive"),
}

# What the law says when the company commits to no number (RULES.md, "Request deadlines").
LAW_DEADLINES: dict[str, Bilingual] = {
    "GDPR": (
        "We respond within one month of receipt; for complex or numerous requests by up to two further months, "
        "telling you within the first month and why.",
        "受付から1か月以内に回答します。複雑な請求や多数の請求の場合はさらに最大2か月延長することがあり、"
        "その場合は最初の1か月以内に理由とともにお知らせします。",
    ),
    "UK GDPR": (
        "We respond within one month of receipt; for complex or numerous requests by up to two further months, "
        "telling you within the first month and why.",
        "受付から1か月以内に回答します。複雑な請求や多数の請求の場合はさらに最大2か月延長することがあり、"
        "その場合は最初の1か月以内に理由とともにお知らせします。",
    ),
    "FADP": (
        "We respond within 30 days of receipt; if we cannot, we tell you within that time and say by when you "
        "will have our answer.",
        "受付から30日以内に回答します。期間内に回答できない場合は、その期間内にお知らせし、回答の時期をお伝えします。",
    ),
    "CCPA/CPRA": (
        "We confirm receipt within 10 business days and respond within 45 calendar days of receipt, "
        "extendable once by 45 days (90 days in total) with notice and the reason.",
        "受付から10営業日以内に受領を確認し、45日以内に回答します。理由を通知したうえで1回に限り45日"
        "（合計90日）まで延長することがあります。",
    ),
    "APPI": ("We respond without delay.", "遅滞なく対応します。"),
}

RECIPIENT_KINDS: dict[str, Bilingual] = {
    "affiliate": ("Group company", "グループ会社"),
    "processor": ("Service provider (entrusted processing)", "委託先"),
    "third_party": ("Third party", "第三者"),
    "joint_user": ("Joint user", "共同利用者"),
    "authority": ("Public authority", "公的機関"),
    "successor": ("Successor in a business transfer", "事業承継先"),
}

PROVISION_BASES: dict[str, Bilingual] = {
    "consent": ("With your consent", "ご本人の同意に基づく提供"),
    "opt_out": ("Opt-out provision (you may ask us to stop)", "オプトアウトによる提供（お申出により停止）"),
    "law": ("Where required or permitted by law", "法令に基づく提供"),
    "entrustment": ("Entrustment of processing", "取扱いの委託"),
    "succession": ("Business succession", "事業の承継"),
    "joint_use": ("Joint use", "共同利用"),
    "contract": ("Under contract", "契約に基づく提供"),
}

SAFEGUARDS: dict[str, Bilingual] = {
    "adequacy": ("Adequacy decision", "十分性認定"),
    "scc": ("Standard contractual clauses", "標準契約条項"),
    "bcr": ("Binding corporate rules", "拘束的企業準則"),
    "equivalent_measures": ("Equivalent measures taken by the recipient", "相当措置を継続的に講ずる体制"),
    "consent": ("Your consent", "ご本人の同意"),
    "derogation": ("A derogation for specific situations", "特定の状況における例外"),
}

SOURCE_KINDS: dict[str, Bilingual] = {
    "data_subject": ("From you", "ご本人から"),
    "third_party": ("From a third party", "第三者から"),
    "automatic": ("Collected automatically", "自動的に取得"),
    "public": ("From public sources", "公開情報から"),
}

APPI_CLASSES: dict[str, Bilingual] = {
    "personal_information": ("Personal information", "個人情報"),
    "history_characteristic": ("History and characteristic information", "履歴情報・特性情報"),
    "pseudonymous": ("Pseudonymously processed information", "仮名加工情報"),
    "anonymous": ("Anonymously processed information", "匿名加工情報"),
}

SENSITIVITY: dict[str, Bilingual] = {
    "gdpr_special": ("Special category (GDPR)", "特別な種類の個人データ（GDPR）"),
    "appi_special_care": ("Special care-required (APPI)", "要配慮個人情報（個人情報保護法）"),
    "cpra_sensitive": ("Sensitive personal information (CPRA)", "センシティブ個人情報（CPRA）"),
}

CPRA_CATEGORIES: dict[str, Bilingual] = {
    "identifiers": ("Identifiers", "識別子"),
    "customer_records": (
        "Customer records (Cal. Civ. Code § 1798.80(e))",
        "顧客記録（カリフォルニア州民法1798.80条(e)）",
    ),
    "protected_characteristics": ("Characteristics of protected classifications", "保護される分類の特性"),
    "commercial": ("Commercial information", "商業情報"),
    "biometric": ("Biometric information", "生体情報"),
    "internet_activity": (
        "Internet or other electronic network activity",
        "インターネットその他の電子ネットワーク上の活動情報",
    ),
    "geolocation": ("Geolocation data", "位置情報"),
    "sensory": ("Audio, electronic, visual or similar information", "音声・電子・視覚その他これに類する情報"),
    "professional": ("Professional or employment-related information", "職業・雇用に関する情報"),
    "education": ("Education information", "教育情報"),
    "inferences": ("Inferences drawn to create a profile", "プロファイル作成のための推論"),
    "sensitive": ("Sensitive personal information", "センシティブ個人情報"),
    "other": ("Other personal information", "その他の個人情報"),
}

TRIGGERS: dict[str, Bilingual] = {
    "collected": ("after collection", "取得から"),
    "account_closed": ("after the account is closed", "アカウント削除から"),
    "inquiry_resolved": ("after the inquiry is resolved", "お問い合わせの解決から"),
    "payment_completed": ("after payment is completed", "決済完了から"),
    "claim_expired": ("after the claim expires", "請求権の消滅から"),
    "campaign_closed": ("after the campaign closes", "キャンペーン終了から"),
    "consent_withdrawn": ("after consent is withdrawn", "同意の撤回から"),
    "last_activity": ("after the last activity", "最終利用から"),
    "contract_ended": ("after the contract ends", "契約終了から"),
    "request_closed": ("after the request is closed", "請求の完了から"),
}

CHANNEL_KINDS: dict[str, Bilingual] = {
    "email": ("E-mail", "電子メール"),
    "phone": ("Phone", "電話"),
    "post": ("Post", "郵送"),
    "fax": ("Fax", "FAX"),
    "form": ("Online form", "オンラインフォーム"),
    "in_person": ("In person", "窓口"),
}

HANDLES: dict[str, Bilingual] = {
    "privacy_requests": ("requests about your data", "保有個人データに関するご請求"),
    "complaints": ("complaints", "苦情"),
    "questions": ("questions", "お問い合わせ"),
    "security": ("security matters", "セキュリティに関するご連絡"),
}

OPENING_DAYS: dict[str, Bilingual] = {
    "business_days": ("business days", "営業日"),
    "every_day": ("every day", "毎日"),
    "weekdays": ("Monday to Friday", "月曜日〜金曜日"),
}

CALENDARS: dict[str, Bilingual] = {
    "JP": (
        "Japanese national holidays and December 29 – January 3 are closed",
        "土日祝日および年末年始（12月29日〜1月3日）は休業",
    ),
    "US-CA": ("US and California holidays are closed", "米国およびカリフォルニア州の祝日は休業"),
    "UK": ("UK (England) bank holidays are closed", "英国（イングランド）の祝日は休業"),
    "CH": ("Swiss federal holidays are closed", "スイスの連邦祝日は休業"),
}

COOKIE_PARTIES: dict[str, Bilingual] = {
    "first": ("First party", "ファーストパーティ"),
    "third": ("Third party", "サードパーティ"),
}

_UNITS_JA = {"day": "日", "business_day": "営業日", "week": "週間", "month": "か月", "year": "年"}
_UNITS_EN = {"day": "day", "business_day": "business day", "week": "week", "month": "month", "year": "year"}


def pick(pair: Bilingual, language: str) -> str:
    return pair[1] if language == "ja" else pair[0]


def label(table: dict[str, Bilingual], code: str, language: str) -> str:
    """The name of a code; an unknown code (a newer map format) is shown as is rather than hidden."""
    pair = table.get(code)
    return pick(pair, language) if pair else code


def duration(value: Duration | None, language: str, *, cookie: bool = False) -> str:
    if value is None:
        return ""
    if value.is_session:
        return pick(("End of browser session", "ブラウザのセッション終了まで"), language)
    if language == "ja":
        return f"{value.amount}{_UNITS_JA[value.unit]}"
    unit = _UNITS_EN[value.unit]
    return f"{value.amount} {unit}{'' if value.amount == 1 else 's'}"
