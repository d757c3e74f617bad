"""Does a column look personal? By its name, and by a bounded sample of its values.

Values are only classified here, never returned or printed: callers get the detector's name.
Detectors: e-mail, phone (`phonenumbers`, the map's region), Japan's My Number (individual
number) and corporate number (`python-stdnum`, check digits), Japanese postal codes, card numbers
(Luhn), IP addresses.
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
    r"my_?number|individual_number|ssn|national_id|payer|recipient|note|notes|comment|memo)(_|$|s$)",
    re.IGNORECASE,
)
NOT_PERSONAL_NAME = re.compile(r"(^|_)(id|created|updated|status|type|kind|count|total|amount)$", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_POSTAL = re.compile(r"^〒?\s*\d{3}-?\d{4}$")
_DIGITS = re.compile(r"^[\d\s-]+$")


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
