"""Rows as the access package writes them: each value converted once, for the CSV file and for the
JSON file, a column at a time.

A datastore's column holds values of one type (sometimes with NULLs), so a chunk of rows is turned
into columns and each column is converted by one C-level `map` (datetime.isoformat, the JSON string
encoder, int.__repr__) instead of a Python-level dispatch per value. Each row's JSON object is then
one `%` of the table's row template with the column names already encoded: no dict per row, and
the same text `json.dumps(dict(zip(columns, row)), ensure_ascii=False, default=str)` gives.

Converted values (what the CSV writer and index.html get) are what `jsonable` returns: dates and
times in ISO form, decimals and UUIDs as text, bytes as hex; other values as they are. Converting
a value already converted changes nothing, so rows a webhook returned (plain JSON values) pass
through unchanged.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, NamedTuple
from uuid import UUID

NULL = "null"


def _row_encoder() -> Callable[[Any], str]:
    """One JSON encoder for every value, as json.dumps(value, ensure_ascii=False, default=str) writes
    it: json.dumps with options builds a new encoder per call, and JSONEncoder.encode a new C
    encoder per call; this builds the C encoder once (the pure-Python one where there is none)."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return json.JSONEncoder(ensure_ascii=False, default=str).encode
    encode = make(None, str, json.encoder.encode_basestring, None, ": ", ", ", False, False, True)
    return lambda value: "".join(encode(value, 0))


encode_json = _row_encoder()
# How the encoder above writes a string (ensure_ascii=False: only quotes, backslashes and control
# characters are escaped); the C function where there is one.
_encode_string: Callable[[str], str] = json.encoder.encode_basestring
_quoted = '"%s"'.__mod__  # ISO dates, decimals, UUIDs and hex hold nothing JSON escapes
_BOOLEANS = {True: "true", False: "false"}.__getitem__


def jsonable(value: Any) -> Any:
    """A value as a package writes it: dates and times in ISO form, decimals and UUIDs as text,
    bytes as hex; anything else as it is (the JSON encoder writes an unknown type as str())."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    return value


def _float_text(value: float) -> str:
    return float.__repr__(value) if math.isfinite(value) else encode_json(value)  # NaN, Infinity


def _hex(value: bytes | bytearray | memoryview) -> str:
    return bytes(value).hex()


def _csv_field(value: Any) -> str:
    """A converted value as the csv module writes it (before quoting)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return repr(value) if isinstance(value, float) else str(value)


_AS_IS = None  # the converted value is its own text
# By exact type: (conversion for CSV and index.html, or _AS_IS; JSON text of the converted value;
# CSV text of the converted value, or _AS_IS). Only a text column can need quoting in the CSV file:
# ISO dates, numbers, decimals, UUIDs and hex hold no comma, quote or line break. Any other type,
# or a column of mixed types, goes value by value.
_BY_TYPE: dict[type, tuple[Callable[[Any], Any] | None, Callable[[Any], str], Callable[[Any], str] | None]] = {
    str: (_AS_IS, _encode_string, _AS_IS),
    int: (_AS_IS, int.__repr__, int.__repr__),
    bool: (_AS_IS, _BOOLEANS, str),
    float: (_AS_IS, _float_text, float.__repr__),
    datetime: (datetime.isoformat, _quoted, _AS_IS),
    date: (date.isoformat, _quoted, _AS_IS),
    time: (time.isoformat, _quoted, _AS_IS),
    Decimal: (str, _quoted, _AS_IS),
    UUID: (str, _quoted, _AS_IS),
    bytes: (_hex, _quoted, _AS_IS),
    bytearray: (_hex, _quoted, _AS_IS),
    memoryview: (_hex, _quoted, _AS_IS),
}
# What makes the csv module quote a field (excel dialect, QUOTE_MINIMAL): the delimiter, the
# quote character, a character of the line terminator.
_CSV_SPECIAL = re.compile(r'[,"\r\n]')


def _csv_quoted(texts: list[str]) -> list[str]:
    """The column's CSV fields quoted where the csv module quotes them (one search for the column)."""
    if not _CSV_SPECIAL.search("".join(texts)):
        return texts
    search = _CSV_SPECIAL.search
    return ['"' + text.replace('"', '""') + '"' if search(text) else text for text in texts]


def _column(values: Sequence[Any]) -> tuple[Sequence[Any], list[str], list[str]]:
    """One column of a chunk: its converted values, their JSON texts and their CSV fields."""
    kinds = set(map(type, values))
    nulls = type(None) in kinds
    if nulls:
        kinds.discard(type(None))
        if not kinds:
            return values, [NULL] * len(values), [""] * len(values)
    if len(kinds) == 1:
        kind = kinds.pop()
        found = _BY_TYPE.get(kind)
        if found is not None:
            convert, json_text, csv_text = found
            converted: Sequence[Any]
            if nulls:
                converted = values if convert is None else [None if v is None else convert(v) for v in values]
                texts = [NULL if v is None else json_text(v) for v in converted]
                fields = ["" if v is None else v if csv_text is None else csv_text(v) for v in converted]
            else:
                converted = values if convert is None else list(map(convert, values))
                texts = list(map(json_text, converted))
                fields = (
                    list(converted)
                    if csv_text is None
                    else texts
                    if csv_text is json_text
                    else list(map(csv_text, converted))
                )
            return converted, texts, _csv_quoted(fields) if kind is str else fields
    converted = [jsonable(value) for value in values]
    return converted, [encode_json(value) for value in converted], _csv_quoted([_csv_field(v) for v in converted])


def row_template(columns: Sequence[str]) -> tuple[str, ...]:
    """A row's JSON object, on its own line as the JSON file writes it, as the texts around its
    values: before the first value, between each two, after the last (one text: no columns)."""
    if not columns:
        return ("\n  {}",)
    keys = [_encode_string(column) + ": " for column in columns]
    return ("\n  {" + keys[0], *(", " + key for key in keys[1:]), "}")


class Encoded(NamedTuple):
    rows: list[Sequence[Any]]  # converted (index.html shows them); empty unless asked for
    json: str  # the rows' JSON objects, joined by commas
    csv: str  # the rows' CSV lines


def encode_rows(
    template: Sequence[str],
    width: int,
    rows: Sequence[Sequence[Any]],
    kept: Sequence[int] | None = None,
    *,
    converted_rows: bool = False,
) -> Encoded:
    """A chunk of rows as the JSON and CSV files hold them (the same text json.dumps of a dict per
    row and the csv module give), and with `converted_rows` the converted rows themselves. `kept`:
    the indexes of the columns written (the others are left out). Each row's text is one join of
    its values with the texts around them (several times faster than a `%` template)."""
    if not rows:
        return Encoded([], "", "")
    columns = list(zip(*rows, strict=True))
    if kept is not None:
        columns = [columns[index] for index in kept]
    if len(columns) != width:  # a row of another width: strict as dict(zip(..., strict=True)) was
        raise ValueError(f"rows have {len(columns)} values, the table {width} columns")
    if not columns:
        return Encoded(
            [() for _row in rows] if converted_rows else [], ",".join([template[0]] * len(rows)), "\r\n" * len(rows)
        )
    converted, texts, fields = zip(*map(_column, columns), strict=True)
    if width == 1:  # the csv module quotes a record that would otherwise be an empty line
        fields = (['""' if field == "" else field for field in fields[0]],)
    parts: list[Iterable[str]] = []
    for around, values in zip(template, texts, strict=False):  # the template has one text more
        parts += [itertools.repeat(around), values]
    parts.append(itertools.repeat(template[-1]))
    return Encoded(
        list(zip(*converted, strict=True)) if converted_rows else [],
        ",".join(map("".join, zip(*parts, strict=False))),  # the repeated texts end with the values
        "\r\n".join(map(",".join, zip(*fields, strict=True))) + "\r\n",
    )


class RowChunks:
    """Rows that arrive in lists (a datastore's fetches, raw values): iterated, the rows; the
    package writer takes the lists as they are, so no row goes through a generator on its own."""

    def __init__(self, chunks: Iterable[Sequence[Sequence[Any]]]) -> None:
        self._chunks = chunks

    def chunks(self) -> Iterator[Sequence[Sequence[Any]]]:
        return iter(self._chunks)

    def __iter__(self) -> Iterator[Sequence[Any]]:
        return itertools.chain.from_iterable(self._chunks)


def chunks_of(rows: Iterable[Sequence[Any]], size: int) -> Iterator[Sequence[Sequence[Any]]]:
    """The rows in lists of up to `size` (a RowChunks' own lists when it is one)."""
    if isinstance(rows, RowChunks):
        return rows.chunks()
    remaining = iter(rows)
    return iter(lambda: list(itertools.islice(remaining, size)), [])
