"""The access package's `index.html`: the person's data itself, in readable tables labelled from the
privacy map (category names in the person's language, not table and column names), dates in the
person's time zone, and what the map says about those categories.

Rendered once when the package closes, from rows the writer already holds for small tables (it
never fetches or copies rows itself): the per-row export path stays as fast as it was.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from html import escape
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from mamori.notices import labels
from mamori.notices.wording import say

if TYPE_CHECKING:
    from mamori.catalog.mapfile import PrivacyMap

SHOWN_ROWS = 2000  # rows shown in index.html across all tables; the rest are in the JSON and CSV files
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")


@dataclass
class ShownTable:
    """A table whose rows index.html shows (the writer's own list of them, not a copy)."""

    system: str
    table: str
    columns: Sequence[str]
    categories: dict[str, str]
    rows: Sequence[Sequence[Any]]


def column_labels(privacy_map: PrivacyMap, language: str, columns: Sequence[str], categories: dict[str, str]) -> list:
    """Each column's heading: its category's name; the column's own name is added only where two
    columns of one table share a category (a home and a work phone) or the map gives none."""

    def name(column: str) -> str:
        found = privacy_map.find("data_categories", categories.get(column, ""))
        return found.name.get(language) if found is not None else ""

    names = [name(column) for column in columns]
    repeated = Counter(names)
    return [
        {
            "text": label or column.replace("_", " "),
            "detail": column.replace("_", " ") if label and repeated[label] > 1 else "",
        }
        for column, label in zip(columns, names, strict=True)
    ]


def readable(value: Any, zone: ZoneInfo) -> str:
    """A cell as a person reads it: instants in their zone, nothing for a missing value."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str) and _ISO_DATETIME.match(value):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    if isinstance(value, datetime):
        if value.tzinfo is None:  # a naive value from a datastore is UTC (mamori's convention)
            value = value.replace(tzinfo=ZoneInfo("UTC"))
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def retention_line(rule: Any, language: str) -> str:
    """One rule as the privacy policy says it: a legal hold is how long the data is really kept
    ("kept 7 years under the tax law"), a zero period is "deleted after …", never "0 days"."""
    if rule.legal_hold is not None:
        return _("kept %(period)s under %(basis)s") % {
            "period": labels.duration(rule.legal_hold.period, language),
            "basis": rule.legal_hold.basis.get(language),
        }
    trigger = labels.label(labels.TRIGGERS, rule.trigger, language) if rule.trigger else ""
    if rule.period is None:
        return ""
    if rule.period.amount == 0:
        return say("retention.immediately", language, trigger=trigger)
    return say("retention.period", language, period=labels.duration(rule.period, language), trigger=trigger).strip()


def _table_head(labels_: Sequence[dict[str, str]]) -> SafeString:
    """A section's column headings (see _table_body)."""
    return mark_safe(  # noqa: S308 (every value is escaped here)
        "".join(
            '<th scope="col">'
            + escape(label["text"])
            + ("<small>" + escape(label["detail"]) + "</small>" if label["detail"] else "")
            + "</th>"
            for label in labels_
        )
    )


def _table_body(rows: Sequence[Sequence[Any]], kept: Sequence[int], zone: ZoneInfo) -> SafeString:
    """A section's table rows, written here rather than by a template loop over every cell (the
    loops were most of the cost of rendering the summary of a small package): each cell escaped as
    the template escaped `{{ value }}` (Django's escape is html.escape of the text)."""
    return mark_safe(  # noqa: S308 (every value is escaped here)
        "".join(
            "<tr>" + "".join(["<td>" + escape(readable(row[index], zone)) + "</td>" for index in kept]) + "</tr>"
            for row in rows
        )
    )


def render_summary(
    privacy_map: PrivacyMap,
    language: str,
    time_zone: str,
    created: datetime,
    tables: Sequence[dict[str, Any]],
    shown: Sequence[ShownTable],
    about: str,
) -> str:
    zone = ZoneInfo(time_zone)
    systems = {system.id: system.name.get(language) for system in privacy_map.systems}
    budget = SHOWN_ROWS
    sections = []
    with translation.override(language):
        for table in shown:
            rows = table.rows[:budget]
            budget -= len(rows)
            # Columns the map gives no category (row ids, links between tables) are technical: they
            # stay in the JSON and CSV files. A table the map says nothing about shows every column.
            kept = [index for index, column in enumerate(table.columns) if column in table.categories]
            kept = kept or list(range(len(table.columns)))
            columns = [table.columns[index] for index in kept]
            labels_ = column_labels(privacy_map, language, columns, table.categories)
            names = list(dict.fromkeys(label["text"] for label in labels_))
            title = ("・" if language == "ja" else ", ").join(names[:3]) + ("…" if len(names) > 3 else "")
            sections.append(
                {
                    "system_name": systems.get(table.system, table.system),
                    "title": title,
                    "head": _table_head(labels_),
                    "body": _table_body(rows, kept, zone),
                    "more": len(table.rows) - len(rows),
                    "files": f"data/{table.system}/{table.table}",
                }
            )
        listed = {(table.system, table.table) for table in shown}
        return render_to_string(
            "fulfilment/package_summary.html",
            {
                "language": language,
                "organisation": privacy_map.organisation.legal_name.get(language),
                "created": created.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                "time_zone": time_zone,
                "sections": sections,
                # Tables too large to show here: their rows are in the JSON and CSV files.
                "large": [
                    {**table, "system_name": systems.get(table["system"], table["system"])}
                    for table in tables
                    if table["rows"] and (table["system"], table["table"]) not in listed
                ],
                "about": about,
            },
        )
