"""Reading provision or receipt records from a CSV file: one line per person, grouped into records
by `client_key` (docs/records.md). The grouped records go through the same checks as the API, and
every problem is reported with the line of the file it comes from.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from mamori.disclosures.rules import RowError

RECORD_COLUMNS = (
    "client_key",
    "recipient",
    "source",
    "basis",
    "categories",
    "items",
    "transferred_on",
    "made_from",
    "ppc_publication",
    "consent_document",
)
PROVIDER_COLUMNS = ("provider_name", "provider_address", "provider_representative", "provider_how_obtained")
PERSON_COLUMNS = ("person_consent_event", "person_consent_document")
IDENTITY_PREFIX = "identity."
MAX_BYTES = 50 * 1024 * 1024
_PERSON_FIELD = re.compile(r"^people\[(\d+)\]")


@dataclass
class ParsedFile:
    records: list[dict[str, Any]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # each record's first line
    person_lines: list[list[int]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def locate(self, error: RowError) -> RowError:
        """Point an error at the person's own line where it names one."""
        error.line = self.lines[error.index] if error.index < len(self.lines) else None
        found = _PERSON_FIELD.match(error.field)
        if found and error.index < len(self.person_lines):
            people = self.person_lines[error.index]
            position = int(found.group(1))
            if position < len(people):
                error.line = people[position]
        return error


def parse(data: bytes) -> ParsedFile:
    parsed = ParsedFile()
    if len(data) > MAX_BYTES:
        parsed.errors.append(RowError(0, "", _("the file is larger than 50 MB; split it"), "too_large", line=1))
        return parsed
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        parsed.errors.append(RowError(0, "", _("the file is not UTF-8 text"), "bad_encoding", line=1))
        return parsed
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        parsed.errors.append(RowError(0, "", _("must not contain NUL characters"), "nul", line=line))
        return parsed
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    known = set(RECORD_COLUMNS) | set(PROVIDER_COLUMNS) | set(PERSON_COLUMNS)
    unknown = [name for name in header if name not in known and not name.startswith(IDENTITY_PREFIX)]
    if "client_key" not in header or unknown:
        message = (
            _("unknown column(s): {names}").format(names=", ".join(unknown))
            if unknown
            else _("the header must name the column client_key")
        )
        parsed.errors.append(RowError(0, "", message, "bad_header", line=1))
        return parsed
    groups: dict[str, int] = {}
    try:
        for row in reader:
            _add_row(parsed, groups, row, reader.line_num)
    except csv.Error as exc:
        parsed.errors.append(RowError(0, "", str(exc), "bad_csv", line=reader.line_num))
    return parsed


def _add_row(parsed: ParsedFile, groups: dict[str, int], row: dict[str, Any], line: int) -> None:
    if None in row:  # more cells than the header names
        parsed.errors.append(RowError(len(parsed.records), "", _("more cells than columns"), "bad_row", line=line))
        return
    key = (row.get("client_key") or "").strip()
    record: dict[str, Any] = {}
    for name in RECORD_COLUMNS:
        value = (row.get(name) or "").strip()
        if value:
            record[name] = value.split() if name == "categories" else value
    provider = {
        name.removeprefix("provider_"): row[name].strip() for name in PROVIDER_COLUMNS if (row.get(name) or "").strip()
    }
    if provider:
        record["provider"] = provider
    person: dict[str, Any] = {
        "identities": {
            name.removeprefix(IDENTITY_PREFIX): value.strip()
            for name, value in row.items()
            if name.startswith(IDENTITY_PREFIX) and value.strip()
        }
    }
    if (row.get("person_consent_event") or "").strip():
        person["consent_event"] = row["person_consent_event"].strip()
    if (row.get("person_consent_document") or "").strip():
        person["consent_document"] = row["person_consent_document"].strip()
    if key in groups:
        index = groups[key]
        first = {name: value for name, value in parsed.records[index].items() if name != "people"}
        if first != record:
            parsed.errors.append(
                RowError(
                    index,
                    "",
                    _("the record's columns differ from its first line {line}").format(line=parsed.lines[index]),
                    "inconsistent",
                    line=line,
                )
            )
        parsed.records[index]["people"].append(person)
        parsed.person_lines[index].append(line)
        return
    groups[key] = len(parsed.records)
    record["people"] = [person]
    parsed.records.append(record)
    parsed.lines.append(line)
    parsed.person_lines.append([line])
