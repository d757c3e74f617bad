"""The package's rows, converted a column at a time: the same JSON text as one json.dumps of a dict
per row, and the same CSV text as the csv module writing each value converted on its own, for
every type a datastore or a webhook returns (NULLs, mixed columns, odd column names, text the CSV
file quotes, one column, no columns at all)."""

from __future__ import annotations

import csv
import io
import ipaddress
import json
import math
import uuid
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from enum import IntEnum
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mamori.fulfilment.package_rows import RowChunks, chunks_of, encode_rows, jsonable, row_template


class Level(IntEnum):
    LOW = 1


class Tag(str):
    pass


def reference(columns: list[str], rows: list[list[Any]]) -> tuple[list[list[Any]], str]:
    """What the package wrote before: each value converted on its own, one dict per row."""
    converted = [[jsonable(value) for value in row] for row in rows]
    text = ",".join(
        "\n  " + json.dumps(dict(zip(columns, row, strict=True)), ensure_ascii=False, default=str) for row in converted
    )
    return converted, text


def csv_text(rows: Any) -> str:
    out = io.StringIO(newline="")
    csv.writer(out).writerows(rows)
    return out.getvalue()


def check(columns: list[str], rows: list[list[Any]]) -> None:
    encoded = encode_rows(row_template(columns), len(columns), rows, converted_rows=True)
    expected_rows, expected_text = reference(columns, rows)
    assert encoded.json == expected_text
    assert [list(row) for row in encoded.rows] == expected_rows
    assert encoded.csv == csv_text(expected_rows)
    if rows and columns:
        assert json.loads("[" + encoded.json + "]") == json.loads("[" + expected_text + "]")


ODD_VALUES = [
    "plain",
    'quote " and, comma\nnewline\ttab \\ backslash \x00 \x1f',
    "名前 %s %(x)s %% {}",
    "\u2028\u2029 emoji \U0001f600",
    "",
    0,
    -(2**70),
    True,
    False,
    1.5,
    -0.0,
    1e300,
    math.nan,
    math.inf,
    -math.inf,
    None,
    datetime(2026, 11, 30, 6, 5, 4, 123456),
    datetime(2026, 11, 30, 6, 5, tzinfo=UTC),
    datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=9))),
    date(2026, 2, 28),
    time(23, 59, 59, 1),
    Decimal("12.50"),
    Decimal("NaN"),
    Decimal("1E+2"),
    uuid.UUID("12345678-1234-5678-1234-567812345678"),
    b"\x00\xff",
    bytearray(b"ab"),
    memoryview(b"cd"),
    {"nested": [1, "two", None, {"三": 3.0}]},
    [1, 2],
    ipaddress.ip_address("192.0.2.1"),
    Level.LOW,
    Tag("a str subclass"),
]


def test_every_kind_of_value_alone_in_its_column_with_and_without_nulls() -> None:
    for value in ODD_VALUES:
        check(["v"], [[value], [value]])
        check(["v", "w"], [[value, None], [None, value], [value, 1]])


def test_mixed_columns_and_odd_column_names() -> None:
    columns = ["id", 'na"me', "per%cent", "%s", "名前", "back\\slash"]
    rows = [[index, *ODD_VALUES[index : index + 5]] for index in range(len(ODD_VALUES) - 5)]
    check(columns, rows)
    check(columns, [list(reversed(row)) for row in rows])


def test_no_columns_and_no_rows() -> None:
    check([], [[], [], []])
    assert encode_rows(row_template(["a"]), 1, []) == ([], "", "")


def test_left_out_columns_are_neither_converted_nor_written() -> None:
    rows = [[1, "secret", datetime(2026, 1, 1)], [2, None, datetime(2026, 1, 2)]]
    encoded = encode_rows(row_template(["id", "at"]), 2, rows, kept=[0, 2], converted_rows=True)
    assert encoded.rows == [(1, "2026-01-01T00:00:00"), (2, "2026-01-02T00:00:00")]
    assert "secret" not in encoded.json + encoded.csv
    assert reference(["id", "at"], [[row[0], row[2]] for row in rows])[1] == encoded.json
    assert encoded.csv == "1,2026-01-01T00:00:00\r\n2,2026-01-02T00:00:00\r\n"


def test_a_row_of_another_width_is_an_error() -> None:
    for rows in ([[1, 2], [3]], [[1], [2]]):
        try:
            encode_rows(row_template(["a", "b"]), 2, rows)
        except ValueError:
            continue
        raise AssertionError(f"{rows} accepted")


def test_chunks_keep_a_fetch_as_it_came_and_iterate_as_rows() -> None:
    fetched = [[(1,), (2,)], [(3,)]]
    assert list(chunks_of(RowChunks(fetched), 1000)) == fetched
    assert list(RowChunks(fetched)) == [(1,), (2,), (3,)]
    assert list(chunks_of(iter([(n,) for n in range(5)]), 2)) == [[(0,), (1,)], [(2,), (3,)], [(4,)]]


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
    st.text(alphabet=',"\r\n a%', max_size=4),  # what the CSV file quotes, often
    st.datetimes(timezones=st.one_of(st.none(), st.just(UTC))),
    st.dates(),
    st.times(),
    st.decimals(allow_nan=False),
    st.uuids(),
    st.binary(max_size=8),
)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=1, max_value=4).flatmap(
        lambda width: st.tuples(
            st.lists(st.text(min_size=1, max_size=6), min_size=width, max_size=width, unique=True),
            st.lists(st.lists(SCALARS, min_size=width, max_size=width), max_size=6),
        )
    )
)
def test_any_rows_are_written_as_a_dict_per_row_and_the_csv_module_wrote_them(
    table: tuple[list[str], list[list[Any]]],
) -> None:
    check(*table)


def test_a_streamed_entry_is_written_in_order_from_its_thread_and_its_errors_reach_the_caller() -> None:
    from mamori.fulfilment.package import WRITES_QUEUED, _InThread

    out = io.BytesIO()
    with _InThread(out) as writer:
        for number in range(10 * WRITES_QUEUED):
            writer.write(b"%d," % number)
    assert out.getvalue() == b"".join(b"%d," % number for number in range(10 * WRITES_QUEUED))

    class Full(io.BytesIO):
        def write(self, data: Any) -> int:
            raise OSError("no space left on device")

    raised = None
    try:
        with _InThread(Full()) as writer:
            for _number in range(10 * WRITES_QUEUED):
                writer.write(b"x")
    except OSError as exc:
        raised = exc
    assert raised is not None and "no space" in str(raised)
