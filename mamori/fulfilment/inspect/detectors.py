"""Does a column look personal? By its name, and by a bounded sample of its values.

Values are only classified here, never returned or printed: callers get the detector's name.
Detectors: e-mail, phone (`phonenumbers`, the map's region), Japan's My Number (individual
number) and corporate number (`python-stdnum`, check digits), Japanese postal codes, card numbers
(Luhn), IP addresses, Japanese addresses and Japanese names.

Japanese addresses and names are told by shape alone (no dictionary of names, no address database):
- address: a prefecture (the 47 names) followed by a municipality (市, 区, 町, 村, 郡), or a
  municipality followed by a block number (`渋谷区神南1-2-3`, `…丁目`, `…番地`), or text after a
  〒 postal code;
- name: family and given name in kanji, hiragana or katakana with a space between them
  (`佐藤 健二`, `サトウ ケンジ`), the way forms ask for 氏名 and フリガナ.
What they cannot tell: a name written without the space (`佐藤健二` looks like any kanji word) or
in romaji (`Sato Kenji`), and an address with neither prefecture nor block number; such columns
are still flagged by their name (`name`, `kana`, `shimei`, `furigana`, `住所`, `氏名` …).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from typing import Any

import phonenumbers
from stdnum import luhn
from stdnum.jp import cn as corporate_number
from stdnum.jp import in_ as my_number

SAMPLE_ROWS = 200  # rows read per table: enough to see a pattern, bounded on any table
SHARE = 0.5  # a column is flagged when at least this share of its non-empty sampled values match

PERSONAL_NAME = re.compile(
    r"(^|_)(e?mail|phone|tel|mobile|fax|address|addr|street|city|zip|postal|postcode|name|kana|"
    r"birth|dob|gender|sex|ip|ip_address|card|ccn|iban|account_number|passport|licen[cs]e|"
    r"my_?number|individual_number|ssn|national_id|payer|recipient|note|notes|comment|memo|"
    r"shimei|seimei|sei|mei|furigana|jusho|juusho|yubin)(_|$|s$)"
    r"|氏名|姓|名前|フリガナ|ふりがな|カナ|住所|所在地|郵便番号|電話|生年月日|メール",
    re.IGNORECASE,
)
NOT_PERSONAL_NAME = re.compile(r"(^|_)(id|created|updated|status|type|kind|count|total|amount)$", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_POSTAL = re.compile(r"^〒?\s*\d{3}-?\d{4}$")
_DIGITS = re.compile(r"^[\d\s-]+$")
PREFECTURES = (
    "北海道|青森県|岩手県|宮城県|秋田県|山形県|福島県|茨城県|栃木県|群馬県|埼玉県|千葉県|東京都|神奈川県|"
    "新潟県|富山県|石川県|福井県|山梨県|長野県|岐阜県|静岡県|愛知県|三重県|滋賀県|京都府|大阪府|兵庫県|"
    "奈良県|和歌山県|鳥取県|島根県|岡山県|広島県|山口県|徳島県|香川県|愛媛県|高知県|福岡県|佐賀県|長崎県|"
    "熊本県|大分県|宮崎県|鹿児島県|沖縄県"
)
_KANJI = "\u4e00-\u9fff\u3005"  # CJK ideographs and 々
_MUNICIPALITY = f"[{_KANJI}\u3041-\u3096\u30a1-\u30fa\u30fc]{{1,8}}?[市区町村郡]"
_ADDRESS = re.compile(
    f"^(?:(?:{PREFECTURES})\\s*{_MUNICIPALITY}"  # 東京都渋谷区…
    f"|{_MUNICIPALITY}.*?(?:\\d+(?:[-\u2212\u30fc\uff0d]\\d+)+|丁目|番地)"  # 渋谷区神南1-2-3
    f"|〒\\s*\\d{{3}}-?\\d{{4}}\\s*\\S)"  # 〒150-0002 東京都…
)
_NAME = re.compile(
    f"^(?:[{_KANJI}]{{1,4}}[ \u3000][{_KANJI}\u3041-\u3096]{{1,5}}"  # 佐藤 健二
    "|[\u30a1-\u30fa\u30fc]{1,10}[ \u3000][\u30a1-\u30fa\u30fc]{1,10}"  # サトウ ケンジ
    "|[\u3041-\u3096\u30fc]{1,10}[ \u3000][\u3041-\u3096\u30fc]{1,10})$"  # さとう けんじ
)


def name_looks_personal(column: str) -> bool:
    return bool(PERSONAL_NAME.search(column)) and not NOT_PERSONAL_NAME.search(column)


def _is_phone(text: str, region: str) -> bool:
    if not re.fullmatch(r"[+\d][\d\s().-]{6,}", text):
        return False
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(text, region or None))
    except phonenumbers.NumberParseException:
        return False


def _is_card(text: str) -> bool:
    digits = re.sub(r"[\s-]", "", text)
    return 13 <= len(digits) <= 19 and digits.isdigit() and luhn.is_valid(digits)


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def classify(value: str, region: str) -> str | None:
    """The kind of personal data `value` looks like, or None."""
    text = value.strip()
    if not text or len(text) > 320:
        return None
    if _EMAIL.match(text):
        return "email"
    if _is_ip(text):
        return "ip_address"
    if _DIGITS.match(text):
        digits = re.sub(r"\D", "", text)
        if len(digits) == 12 and my_number.is_valid(digits):
            return "my_number"
        if len(digits) == 13 and corporate_number.is_valid(digits):
            return "corporate_number"
        if _is_card(text):
            return "card_number"
        if _POSTAL.match(text) and "-" in text:
            return "postal_code"
    if _is_phone(text, region):
        return "phone"
    if _POSTAL.match(text):
        return "postal_code"
    if _ADDRESS.match(text):
        return "japanese_address"
    if _NAME.match(text):
        return "japanese_name"
    return None


def detect(values: Iterable[Any], region: str) -> str | None:
    """The detector most sampled values of a column match (at least SHARE of them), or None."""
    found: dict[str, int] = {}
    total = 0
    for value in values:
        if value is None or isinstance(value, bytes | bytearray | memoryview):
            continue
        text = str(value)
        if not text.strip():
            continue
        total += 1
        kind = classify(text, region)
        if kind:
            found[kind] = found.get(kind, 0) + 1
    if not total or not found:
        return None
    kind, hits = max(found.items(), key=lambda item: item[1])
    return kind if hits >= SHARE * total else None
