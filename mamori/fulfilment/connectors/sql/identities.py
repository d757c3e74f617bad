"""Identities as people type them and as databases store them.

A request says `kenji.sato@example.com`; the database holds `Kenji.Sato@Example.COM`. A request
says `+81 80 1234 5678`; the database holds `080-1234-5678`. Matching must not depend on the
dialect (MariaDB's collation folds case, SQLite's does not, PostgreSQL's does not), and the values
the database returns must map back to the subject in Python the same way, or the plan counts rows
the run does not change (or the other way round).

So every identity is brought to one form on both sides:

- input: NFKC (full-width digits and letters typed in Japanese become ASCII), trimmed;
- e-mail: lower-case; the column is compared as `lower(column)`;
- phone: E.164 (`phonenumbers`, default region from the map); the column is compared with its
  separators (`-`, space, `+`, `(`, `)`, `.`) removed, against the number's national and
  international digit forms;
- anything else: as given (typed like the column: integers for integer columns).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import phonenumbers
import sqlalchemy as sa

PHONE_SEPARATORS = ("-", " ", "+", "(", ")", ".")
_DIGITS = re.compile(r"\D")


def clean(value: Any) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip()


def e164(value: str, region: str) -> str | None:
    """The number in E.164, or None when it is not a phone number."""
    return _e164(clean(value), region)[0]


def _e164(text: str, region: str) -> tuple[str | None, phonenumbers.PhoneNumber | None]:
    """E.164 of a cleaned text, with the number parsed (None when it does not parse)."""
    try:
        number = phonenumbers.parse(text, region or None)
    except phonenumbers.NumberParseException:
        return None, None
    if not phonenumbers.is_possible_number(number):
        return None, number
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), number


def normalise(kind: str, value: Any, region: str = "") -> Any:
    """The one form an identity of `kind` is compared in (a value from a request or from a row)."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = clean(value)
    if kind == "email":
        return text.lower()
    if kind == "phone":
        return e164(text, region) or _DIGITS.sub("", text)
    return text


def phone_digit_forms(number: str) -> list[str]:
    """How an E.164 number may be stored once its separators are dropped: 818012345678,
    08012345678 (national, with the trunk prefix) and 8012345678."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return [_DIGITS.sub("", number)] if _DIGITS.sub("", number) else []
    return _digit_forms(parsed)


def _digit_forms(parsed: phonenumbers.PhoneNumber) -> list[str]:
    national = _DIGITS.sub("", phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL))
    significant = phonenumbers.national_significant_number(parsed)
    international = f"{parsed.country_code}{significant}"
    return sorted({international, national, significant})


def folds_case(column: sa.Column[Any], dialect: str) -> bool:
    """MySQL/MariaDB compare text case-insensitively under their default (`_ci`) collations, so
    the plain column (and its index) serves; a binary or case-sensitive collation does not."""
    collation = (getattr(column.type, "collation", None) or "").lower()
    return dialect in ("mysql", "mariadb") and not collation.endswith(("_bin", "_cs")) and collation != "binary"


def column_expression(kind: str, column: sa.Column[Any], dialect: str = "") -> sa.ColumnElement[Any]:
    """The column brought to the form `candidates` produces, inside the database.

    The separators are written into the SQL as constants, not sent as parameters: PostgreSQL uses
    an index on an expression only when the query holds the very same expression, so
    `index_statement` below can give the index that serves these look-ups."""
    if kind == "email":
        return column if folds_case(column, dialect) else sa.func.lower(column)
    if kind == "phone":
        expression: sa.ColumnElement[Any] = column
        for separator in PHONE_SEPARATORS:
            expression = sa.func.replace(expression, sa.literal_column(f"'{separator}'"), sa.literal_column("''"))
        return expression
    return column


def index_expression(kind: str, column: str) -> str | None:
    """The SQL of the expression a text column of this identity kind is compared through (see
    `column_expression`), or None when the plain column is compared."""
    if kind == "email":
        return f"lower({column})"
    if kind == "phone":
        expression = column
        for separator in PHONE_SEPARATORS:
            expression = f"replace({expression}, '{separator}', '')"
        return expression
    return None


def index_statement(kind: str, table: str, column: str) -> str | None:
    """`CREATE INDEX` for the expression look-ups of a text identity column use (PostgreSQL, and
    SQLite too); None when a plain index on the column serves."""
    expression = index_expression(kind, column)
    if expression is None:
        return None
    suffix = "lower" if kind == "email" else "digits"
    return f"CREATE INDEX ix_{table}_{column}_{suffix} ON {table} (({expression}))"


def candidates(kind: str, value: Any, column: sa.Column[Any], region: str = "") -> list[Any]:
    """The values `column_expression(kind, column)` is compared with for one identity value."""
    found = lookup_forms(kind, value, column, region)
    return found[1] if found else []


def lookup_forms(kind: str, value: Any, column: sa.Column[Any], region: str = "") -> tuple[Any, list[Any]] | None:
    """One identity value's normal form (as `normalise` gives it; for an integer column the
    integer) and the values `candidates` compares the column with; None when there are none.

    A phone number is parsed once when it is already in E.164 (the identities a located subject
    carries are): parsing cost most of a bulk verification's look-up by 3,000 digit forms."""
    try:
        python_type = column.type.python_type
    except NotImplementedError:
        python_type = str
    if python_type is int:
        text = clean(value)
        return (int(text), [int(text)]) if re.fullmatch(r"-?\d+", text) else None
    if value is None or not clean(value):
        return None
    text = clean(value)
    if kind != "phone":
        normal = normalise(kind, text, region)
        return normal, [normal]
    formatted, parsed = _e164(text, region)
    normal = formatted or _DIGITS.sub("", text)
    if not normal.startswith("+"):
        return (normal, [normal]) if normal else None
    if parsed is not None and normal == text:
        return normal, _digit_forms(parsed)  # the same number parse(normal) would give
    return normal, phone_digit_forms(normal)


def matches_column(kind: str, column: sa.Column[Any]) -> bool:
    """Whether the identity is compared through an expression (text columns of e-mail/phone)."""
    try:
        python_type = column.type.python_type
    except NotImplementedError:
        python_type = str
    return kind in ("email", "phone") and python_type is str
