"""The access / portability package: a ZIP with JSON and CSV per system and table (for machines),
plus `index.html` for the person: their data in readable tables and what the map says about it
(`package_summary.py`).

A table of up to SMALL_TABLE_ROWS rows (one person's table, nearly always) is built in memory and
added in one go. A larger table is written as its rows arrive from the datastore: JSON straight
into the ZIP entry, CSV into a spooled temporary file (kept in memory up to a small size, then on
disk) copied in afterwards, because a ZIP can only be written one entry at a time. Memory stays
bounded however many rows. Both ways write the same files.
"""

from __future__ import annotations

import csv
import functools
import io
import itertools
import json
import queue
import shutil
import tempfile
import threading
import zipfile
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from django.template.loader import render_to_string
from django.utils import translation

from mamori.fulfilment.package_rows import Encoded, chunks_of, encode_rows, row_template
from mamori.fulfilment.package_summary import ShownTable, render_summary, retention_line

if TYPE_CHECKING:
    from mamori.catalog.mapfile import PrivacyMap

SPOOL_BYTES = 1 << 20  # CSV kept in memory up to 1 MiB, then spilled to a temporary file
COPY_BYTES = 1 << 20  # the spooled CSV is copied into its entry this much at a time
SMALL_TABLE_ROWS = 1000  # a table with at most this many rows is built in memory, not streamed
ABOUT_CACHE_SIZE = 256  # rendered "about your data" sections kept (per map, language, categories)
# What the map says about the categories found (purposes, recipients, sources, retention) is the
# same for every package with those categories: rendered once, not per package. Each entry keeps
# its map, so an id() is never mistaken for another map's.
_about_cache: OrderedDict[tuple[int, str, frozenset[str]], tuple[PrivacyMap, str]] = OrderedDict()
_about_lock = threading.Lock()


STREAM_CHUNK_ROWS = 1000  # rows encoded and written at once when a table is streamed (when not chunked already)
# Deflate level of a streamed (large) table's files. Level 1 deflates several times faster than
# the default 6, which on a large table cost more than reading the rows; the files come out
# somewhat larger. Small tables keep the default: they cost little either way.
STREAM_LEVEL = 1
WRITES_QUEUED = 4  # chunks of a streamed table's JSON waiting to be deflated, at most


class _InThread:
    """Writes to a ZIP entry from a thread of its own, so that deflating a large table's JSON (zlib
    lets go of the GIL while it compresses) overlaps converting its next rows. At most
    WRITES_QUEUED writes wait, so memory stays bounded; leaving the block waits for every write,
    and an error in the thread is raised in the caller."""

    def __init__(self, out: IO[bytes]) -> None:
        self._out = out
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=WRITES_QUEUED)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="mamori-package-deflate", daemon=True)

    def __enter__(self) -> _InThread:
        self._thread.start()
        return self

    def _run(self) -> None:
        while (data := self._queue.get()) is not None:
            if self._error is None:
                try:
                    self._out.write(data)
                except BaseException as exc:  # raised again in the caller's thread
                    self._error = exc

    def write(self, data: bytes) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put(data)

    def __exit__(self, *exc_info: object) -> None:
        self._queue.put(None)
        self._thread.join()
        if self._error is not None and exc_info[0] is None:
            raise self._error


@functools.lru_cache(maxsize=1024)
def _table_form(
    system_id: str,
    table: str,
    columns: tuple[str, ...],
    categories: tuple[tuple[str, str], ...],
    others_data: tuple[str, ...],
    kept: tuple[int, ...] | None,
) -> tuple[str, _TableRows]:
    """A table's JSON header (up to its rows) and row template: the same for every package of the
    same table, so built once (json.dumps of the header was a tenth of a small package's cost)."""
    header: dict[str, Any] = {
        "system": system_id,
        "table": table,
        "columns": list(columns),
        "categories": dict(categories),
    }
    if others_data:
        # Columns holding what someone else told us (a payer's name typed by another person):
        # the package says so, so the reader knows it is not data about them.
        header["others_data"] = [column for column in columns if column in others_data]
    return json.dumps(header, ensure_ascii=False)[:-1] + ', "rows": [', _TableRows(columns, kept)


def _csv_header(columns: Sequence[str]) -> str:
    text = io.StringIO(newline="")
    csv.writer(text).writerow(columns)
    return text.getvalue()


class _TableRows:
    """One table's row template and the columns it keeps, built once per table."""

    def __init__(self, columns: Sequence[str], kept: Sequence[int] | None) -> None:
        self.template = row_template(columns)
        self.width = len(columns)
        self.kept = kept

    def encode(self, rows: Sequence[Sequence[Any]], *, converted_rows: bool = False) -> Encoded:
        return encode_rows(self.template, self.width, rows, self.kept, converted_rows=converted_rows)


class PackageWriter:
    """Implements `PackageSink`; use as a context manager, then `close()` writes the summary."""

    def __init__(
        self,
        path: Path,
        privacy_map: PrivacyMap,
        language: str,
        leave_out: frozenset[str] = frozenset(),
        time_zone: str | None = None,
    ) -> None:
        self.path = path
        self.map = privacy_map
        # The person's zone (from where they live); the company's when unknown.
        self.time_zone = time_zone or privacy_map.organisation.time_zone
        # Categories the package leaves out (APPI disclosure: "history and characteristic
        # information", NP1); their columns are not written at all.
        self.leave_out = leave_out
        self.language = "ja" if language.startswith("ja") else "en"
        self.zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True)
        self.tables: list[dict[str, Any]] = []
        self.shown: list[ShownTable] = []  # small tables with rows, shown in index.html
        self.categories: set[str] = set()

    def __enter__(self) -> PackageWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if exc_info[0] is not None:
            self.zip.close()
            self.path.unlink(missing_ok=True)
            return
        self.close()

    def write_table(
        self,
        system_id: str,
        table: str,
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
        categories: Mapping[str, str],
        others_data: Sequence[str] = (),
    ) -> int:
        """Write one table's JSON and CSV files. `rows`: values as the datastore gives them (converted
        here, package_rows.jsonable); a RowChunks is taken a fetched list at a time."""
        kept = None
        if self.leave_out and any(categories.get(column) in self.leave_out for column in columns):
            kept = tuple(index for index, column in enumerate(columns) if categories.get(column) not in self.leave_out)
            columns = [columns[index] for index in kept]
            categories = {column: category for column, category in categories.items() if column in columns}
        base = f"data/{system_id}/{table}"
        opening, table_rows = _table_form(
            system_id, table, tuple(columns), tuple(categories.items()), tuple(others_data), kept
        )
        chunks = chunks_of(rows, STREAM_CHUNK_ROWS)
        # Most tables of one person hold a few rows: build them in memory and add each file in one
        # go. Only a larger table is streamed, so memory stays bounded by SMALL_TABLE_ROWS rows
        # (and one fetched chunk).
        first: list[Sequence[Sequence[Any]]] = []
        seen = 0
        for chunk in chunks:
            first.append(chunk)
            seen += len(chunk)
            if seen > SMALL_TABLE_ROWS:
                break
        if seen <= SMALL_TABLE_ROWS:
            converted = self._write_small(base, opening, columns, table_rows, [row for chunk in first for row in chunk])
            if converted:  # the rows already converted, kept for index.html (no copy, no extra work per row)
                self.shown.append(ShownTable(system_id, table, list(columns), dict(categories), converted))
            count = len(converted)
        else:
            count = self._write_streamed(base, opening, columns, table_rows, itertools.chain(first, chunks))
        self.tables.append({"system": system_id, "table": table, "rows": count})
        if count:
            self.categories |= {category for column, category in categories.items() if column in columns}
        return count

    def _write_small(
        self, base: str, opening: str, columns: Sequence[str], table_rows: _TableRows, rows: Sequence[Sequence[Any]]
    ) -> list[Sequence[Any]]:
        encoded = table_rows.encode(rows, converted_rows=True)
        self.zip.writestr(f"{base}.json", opening + encoded.json + "\n]}\n")
        self.zip.writestr(f"{base}.csv", _csv_header(columns) + encoded.csv)
        return encoded.rows

    def _write_streamed(
        self,
        base: str,
        opening: str,
        columns: Sequence[str],
        table_rows: _TableRows,
        chunks: Iterable[Sequence[Sequence[Any]]],
    ) -> int:
        count = 0
        # The CSV file waits in a spooled temporary file (a ZIP is written one entry at a time),
        # as UTF-8 bytes, so it is copied into its entry without decoding and encoding again.
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, mode="w+b") as spool:
            spool.write(_csv_header(columns).encode())
            with self._open_streamed(f"{base}.json") as entry, _InThread(entry) as out:
                out.write(opening.encode())
                for chunk in chunks:
                    if not chunk:
                        continue
                    # One conversion per chunk, one write to the JSON entry and one to the CSV spool.
                    encoded = table_rows.encode(chunk)
                    out.write((("," if count else "") + encoded.json).encode())
                    spool.write(encoded.csv.encode())
                    count += len(chunk)
                out.write(b"\n]}\n")
            spool.seek(0)
            with self._open_streamed(f"{base}.csv") as out:
                shutil.copyfileobj(spool, out, COPY_BYTES)
        return count

    def _open_streamed(self, name: str) -> IO[bytes]:
        """A ZIP entry written as it goes (size unknown: ZIP64), deflated at STREAM_LEVEL."""
        level = self.zip.compresslevel
        self.zip.compresslevel = STREAM_LEVEL  # read once, by open(), into the entry's ZipInfo
        try:
            return self.zip.open(name, "w", force_zip64=True)
        finally:
            self.zip.compresslevel = level

    def write_records(self, system_id: str, records: Mapping[str, list[Mapping[str, Any]]]) -> dict[str, int]:
        """Records a webhook returned: {name: [row dicts]} (columns are the union of the keys)."""
        written = {}
        for name, rows in records.items():
            columns = list(dict.fromkeys(key for row in rows for key in row))
            written[name] = self.write_table(
                system_id, name, columns, ([row.get(column) for column in columns] for row in rows), {}
            )
        return written

    def add_file(self, name: str, data: bytes) -> None:
        self.zip.writestr(name, data)

    def close(self) -> None:
        now = datetime.now(UTC)
        manifest: dict[str, Any] = {
            "organisation": self.map.organisation.id,
            "created": now.isoformat(timespec="seconds"),
            "language": self.language,
            "tables": self.tables,
        }
        self.zip.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
        self.zip.writestr("index.html", self.summary_html(now))
        self.zip.close()

    def summary_html(self, created: datetime) -> str:
        return render_summary(
            self.map,
            self.language,
            self.time_zone,
            created,
            self.tables,
            self.shown,
            about_html(self.map, self.language, frozenset(self.categories)),
        )


def about_html(privacy_map: PrivacyMap, language: str, found: frozenset[str]) -> str:
    """The summary's sections on the categories found: purposes, recipients, sources, retention."""
    key = (id(privacy_map), language, found)
    with _about_lock:
        entry = _about_cache.get(key)
        if entry is not None and entry[0] is privacy_map:
            _about_cache.move_to_end(key)
            return entry[1]
    categories = [privacy_map.category(ident) for ident in sorted(found) if privacy_map.find("data_categories", ident)]
    ids = {category.id for category in categories}
    purposes = [purpose for purpose in privacy_map.purposes if ids & set(purpose.categories)]
    recipients = [recipient for recipient in privacy_map.recipients if ids & set(recipient.categories)]
    sources = [source for source in privacy_map.sources if ids & set(source.categories)]
    retention = [rule for rule in privacy_map.retention if ids & set(rule.categories)]
    with translation.override(language):
        html = render_to_string(
            "fulfilment/package_summary_about.html",
            {
                "categories": [category.name.get(language) for category in categories],
                "purposes": [purpose.name.get(language) for purpose in purposes],
                "recipients": [
                    {"name": recipient.name.get(language), "country": recipient.country, "kind": recipient.kind}
                    for recipient in recipients
                ],
                "sources": [source.name.get(language) for source in sources],
                "retention": [
                    {"name": rule.name.get(language), "line": retention_line(rule, language)} for rule in retention
                ],
            },
        )
    with _about_lock:
        _about_cache[key] = (privacy_map, html)
        while len(_about_cache) > ABOUT_CACHE_SIZE:
            _about_cache.popitem(last=False)
    return html
