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
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
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


# By exact type: (conversion for CSV and index.html, or None when the value stays as it is; JSON
# text of the converted value). Any other type, or a column of mixed types, goes value by value.
_BY_TYPE: dict[type, tuple[Callable[[Any], Any] | None, Callable[[Any], str]]] = {
    str: (None, _encode_string),
    int: (None, int.__repr__),
    bool: (None, _BOOLEANS),
    float: (None, _float_text),
    datetime: (datetime.isoformat, _quoted),
    date: (date.isoformat, _quoted),
    time: (time.isoformat, _quoted),
    Decimal: (str, _quoted),
    UUID: (str, _quoted),
    bytes: (_hex, _quoted),
    bytearray: (_hex, _quoted),
    memoryview: (_hex, _quoted),
}


def _column(values: Sequence[Any]) -> tuple[Sequence[Any], list[str]]:
    """One column of a chunk: its converted values and their JSON texts."""
    kinds = set(map(type, values))
    nulls = type(None) in kinds
    if nulls:
        kinds.discard(type(None))
        if not kinds:
            return values, [NULL] * len(values)
    if len(kinds) == 1:
        found = _BY_TYPE.get(kinds.pop())
        if found is not None:
            convert, text = found
            if not nulls:
                converted = values if convert is None else list(map(convert, values))
                return converted, list(map(text, converted))
            if convert is not None:
                values = [None if value is None else convert(value) for value in values]
            return values, [NULL if value is None else text(value) for value in values]
    converted = [jsonable(value) for value in values]
    return converted, [encode_json(value) for value in converted]


def row_template(columns: Sequence[str]) -> str:
    """A row's JSON object with a `%s` for each value, on its own line as the JSON file writes it."""
    fields = ", ".join(_encode_string(column).replace("%", "%%") + ": %s" for column in columns)
    return "\n  {" + fields + "}"


def encode_rows(
    template: str, width: int, rows: Sequence[Sequence[Any]], kept: Sequence[int] | None = None
) -> tuple[list[Sequence[Any]], str]:
    """A chunk of rows: the converted rows (for the CSV writer and index.html) and their JSON
    objects joined by commas. `kept`: the indexes of the columns written (others are left out)."""
    if not rows:
        return [], ""
    columns = list(zip(*rows, strict=True))
    if kept is not None:
        columns = [columns[index] for index in kept]
    if len(columns) != width:  # a row of another width: strict as dict(zip(..., strict=True)) was
        raise ValueError(f"rows have {len(columns)} values, the table {width} columns")
    if not columns:
        return [() for _row in rows], ",".join([template] * len(rows))
    converted, texts = zip(*map(_column, columns), strict=True)
    return list(zip(*converted, strict=True)), ",".join(map(template.__mod__, zip(*texts, strict=True)))


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
