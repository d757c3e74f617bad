"""Words for what a fulfilment run stores as codes (step actions, results, run messages), so staff
read sentences in their language instead of dicts and internal codes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

STEP_ACTIONS = {
    "export": gettext_lazy("Export the person's data"),
    "erase": gettext_lazy("Erase"),
    "verify": gettext_lazy("Check that nothing is left"),
    "rectify": gettext_lazy("Correct"),
    "restrict": gettext_lazy("Restrict use"),
    "restrict_list": gettext_lazy("Add to the restriction list"),
    "manual": gettext_lazy("Task for staff"),
}

# The messages a run ends with (services.common.final_status, execution) are stored in English.
RUN_MESSAGES = {
    "verification found data left behind": gettext_lazy("The check after erasing found data left behind."),
    "manual tasks are waiting for staff": gettext_lazy("Tasks for staff are waiting to be done."),
    "interrupted": gettext_lazy("The run was interrupted; the remaining steps can be run again."),
}
UNREACHABLE_PREFIX = "systems not reachable: "


def step_action(code: str) -> str:
    return str(STEP_ACTIONS.get(code, code))


def run_message(message: str) -> str:
    if message.startswith(UNREACHABLE_PREFIX):
        return _("Systems that could not be reached: %(systems)s") % {"systems": message[len(UNREACHABLE_PREFIX) :]}
    return str(RUN_MESSAGES.get(message, message))


def _per_table(tables: Mapping[str, Any]) -> str:
    """`customers 1, orders 3` from {table: rows} or {system: {table: rows}}."""
    parts = []  # sorted: PostgreSQL's jsonb does not keep the order the rows were written in
    for name, value in sorted(tables.items()):
        if isinstance(value, Mapping):
            parts += [f"{name}.{table} {rows}" for table, rows in sorted(value.items())]
        else:
            parts.append(f"{name} {value}")
    return ", ".join(parts)


def step_result(step: Mapping[str, Any]) -> str:
    """One sentence for a step's stored result (see execution._run_step for the shapes)."""
    action, status = step.get("action", ""), step.get("status", "")
    if action == "manual":
        return _("Done by staff.") if status == "done" else _("Waiting for staff to do it and record evidence.")
    if status in ("pending", "running"):
        return _("Not run yet.") if status == "pending" else _("Running.")
    if step.get("already_done"):
        return _("Already done before an interruption; nothing left to do.")
    if action == "verify":
        residue = {table: rows for table, rows in (step.get("residue") or {}).items() if rows}
        if not residue:
            return _("Checked: nothing of the person is left.")
        return _("Data left behind (rows per table): %(tables)s") % {"tables": _per_table(residue)}
    if action == "restrict_list":
        count = int(step.get("restrictions") or 0)
        return ngettext(
            "%(count)d identity added to the restriction list.",
            "%(count)d identities added to the restriction list.",
            count,
        ) % {"count": count}
    tables = step.get("tables") or {}
    if not tables:
        return _("Nothing of the person was found here.")
    text = {
        "export": _("Exported (rows per table): %(tables)s"),
        "erase": _("Erased (rows changed per table): %(tables)s"),
        "rectify": _("Corrected (rows changed per table): %(tables)s"),
        "restrict": _("Restricted (rows changed per table): %(tables)s"),
    }.get(action, _("Rows per table: %(tables)s"))
    return text % {"tables": _per_table(tables)}


SYSTEM_KINDS = {
    "sql": gettext_lazy("database"),
    "webhook": gettext_lazy("web service"),
    "manual": gettext_lazy("done by hand"),
}


def system_kind(code: str) -> str:
    return str(SYSTEM_KINDS.get(code, code))
