"""The erasure plan in words, for the CLI and the console (strings translatable)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from mamori.catalog.mapfile.values import Duration
from mamori.notices import labels

ACTIONS = {
    "delete": gettext_lazy("rows deleted"),
    "update": gettext_lazy("rows kept, personal fields erased"),
    "keep": gettext_lazy("rows kept unchanged"),
}
REASONS = {
    "": "",
    "legal_hold": gettext_lazy("legal hold"),
    "referenced": gettext_lazy("rows that stay point at these rows"),
    "no_erasable_fields": gettext_lazy("no field of this table is erased"),
}
STRATEGIES = {
    "delete": gettext_lazy("deleted with the row"),
    "null": gettext_lazy("emptied (NULL)"),
    "mask": gettext_lazy("masked"),
    "hash": gettext_lazy("replaced by its SHA-256 hash"),
    "keep": gettext_lazy("kept"),
    "hold": gettext_lazy("kept under the legal hold"),
}
SHARED = {
    "keep": gettext_lazy("%(count)s shared with %(people)s other people, kept"),
    "detach": gettext_lazy("%(count)s shared with %(people)s other people, kept; the person's reference removed"),
    "mask": gettext_lazy("%(count)s shared with %(people)s other people, masked in place"),
}
NOTES = {
    "": "",
    "legal_hold": gettext_lazy("legal hold"),
    "links_records": gettext_lazy("links records together"),
    "not_nullable": gettext_lazy("the column cannot be empty"),
    "not_text": gettext_lazy("not a text column"),
    "cannot_mask": gettext_lazy("cannot be masked"),
    "cannot_hash": gettext_lazy("cannot be hashed"),
}


def plan_lines(plan: Mapping[str, Any], language: str = "en") -> Iterator[str]:
    for system in plan["systems"]:
        yield _("System %(system)s (%(kind)s)") % {"system": system["system"], "kind": system["kind"]}
        if system.get("error"):
            yield "  " + _("not reachable: %(error)s") % {"error": system["error"]}
            continue
        if system["kind"] == "manual":
            instructions = system.get("instructions") or {}
            yield "  " + _("manual task for staff: %(text)s") % {"text": instructions.get(language, "")}
            continue
        for item in system.get("references_removed", []):
            yield "  " + _("%(table)s.%(column)s: reference to the erased person removed in %(rows)s rows") % item
        for item in system.get("detached", []):
            yield "  " + (
                _("%(table)s.%(column)s: the person's reference to a shared row emptied in %(rows)s rows") % item
            )
        for table in system["tables"]:
            reason = REASONS.get(table["reason"], table["reason"])
            line = _("  %(table)s: %(rows)s rows, %(action)s") % {
                "table": table["table"],
                "rows": table["rows"],
                "action": ACTIONS.get(table["action"], table["action"]),
            }
            if reason:
                line += f" ({reason})"
            if table.get("hold_basis"):
                line += " — " + _("retention rule %(rule)s: kept %(period)s under %(basis)s") % {
                    "rule": table["retention"],
                    "period": period_text(table["hold_period"], language),
                    "basis": table["hold_basis"].get(language, table["hold_basis"].get("en", "")),
                }
            if table.get("dated_hold"):
                line += " — " + dated_hold_text(table, language)
            if table.get("shared_rows"):
                line += " — " + SHARED.get(table.get("shared_action", "keep"), SHARED["keep"]) % {
                    "count": table["shared_rows"],
                    "people": table.get("sharers", 0),
                }
            if table.get("kept_rows"):
                line += " — " + _("%(count)s kept because rows that stay point at them, fields erased") % {
                    "count": table["kept_rows"]
                }
            yield line
            for field in table.get("fields", []):
                note = NOTES.get(field["note"], field["note"])
                text = (
                    f"    {field['name']} [{field['category']}]: {STRATEGIES.get(field['strategy'], field['strategy'])}"
                )
                yield text + (f" ({note})" if note else "")


def dated_hold_text(table: Mapping[str, Any], language: str = "en") -> str:
    """How many of the person's rows a dated hold keeps, under which hold, until when (the
    organisation's date the last of them leaves it), and what happens to the rows past it."""
    dated = table["dated_hold"]
    basis = table.get("hold_basis") or {}
    basis_text = basis.get(language, basis.get("en", "")) if isinstance(basis, Mapping) else str(basis)
    parts = []
    if dated["kept_rows"]:
        if dated["kept_until"]:
            parts.append(
                ngettext(
                    "%(count)s row kept under %(basis)s (%(period)s from %(column)s) until %(until)s at the latest",
                    "%(count)s rows kept under %(basis)s (%(period)s from %(column)s) until %(until)s at the latest",
                    dated["kept_rows"],
                )
                % {
                    "count": dated["kept_rows"],
                    "basis": basis_text,
                    "period": period_text(table.get("hold_period", ""), language),
                    "column": dated["counts_from"],
                    "until": dated["kept_until"],
                }
            )
        else:
            parts.append(
                ngettext(
                    "%(count)s row kept under %(basis)s: it has no %(column)s to count the hold from",
                    "%(count)s rows kept under %(basis)s: they have no %(column)s to count the hold from",
                    dated["kept_rows"],
                )
                % {"count": dated["kept_rows"], "basis": basis_text, "column": dated["counts_from"]}
            )
    if dated["expired_rows"]:
        past = (
            ngettext(
                "%(count)s row past the hold, deleted",
                "%(count)s rows past the hold, deleted",
                dated["expired_rows"],
            )
            if dated["expired_action"] == "delete"
            else ngettext(
                "%(count)s row past the hold, its personal fields erased",
                "%(count)s rows past the hold, their personal fields erased",
                dated["expired_rows"],
            )
        )
        parts.append(past % {"count": dated["expired_rows"]})
    return "; ".join(parts)


def period_text(text: str, language: str) -> str:
    """A hold's period as the map writes it ("7 years"), in the reader's language (7年)."""
    try:
        return labels.duration(Duration.parse(text), language)
    except ValueError:
        return text
