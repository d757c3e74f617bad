"""Template filters for showing privacy-map documents to staff."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from mamori.accounts.access import AUDIT_READERS
from mamori.audit.labels import action_label
from mamori.catalog.diff import flatten, format_value
from mamori.console.labels import COUNT_LABELS, SECTION_LABELS
from mamori.notices import labels

register = template.Library()


@register.filter
def localized(value: Any) -> str:
    """A map text in the viewer's language: `{en, ja}` picks one (falling back to English), a plain string stays."""
    if value is None:
        return ""
    if isinstance(value, Mapping):
        language = (get_language() or "en").split("-")[0]
        for code in (language, "en", "ja"):
            if value.get(code):
                return str(value[code])
        return next((str(v) for v in value.values() if v), "")
    if isinstance(value, list):
        return ", ".join(localized(v) for v in value)
    return str(value)


@register.filter
def get(mapping: Any, key: Any) -> Any:
    """`{{ purpose.legal_basis|get:code }}`: a lookup with a key held in a variable."""
    if isinstance(mapping, Mapping):
        return mapping.get(key)
    return None


@register.filter
def value(item: Any) -> str:
    """A leaf value (a diff's old or new side, a commitment) as one short line."""
    return format_value(item)


@register.filter
def fields(item: Any) -> list[tuple[str, Any]]:
    """A nested mapping as (dotted path, leaf value) rows."""
    return list(flatten(item).items()) if item else []


@register.filter
def join_list(items: Any) -> str:
    if not items:
        return ""
    if isinstance(items, list):
        return ", ".join(str(i) for i in items)
    return str(items)


@register.filter
def section_label(name: str) -> str:
    return str(SECTION_LABELS.get(name, name))


@register.filter
def can_read_audit(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_role(*AUDIT_READERS))


@register.simple_tag
def count_rows(counts: Mapping[str, int]) -> list[tuple[str, str, int]]:
    """The dashboard's counts as (section, label, number), in a fixed order."""
    return [(name, str(label), counts.get(name, 0)) for name, label in COUNT_LABELS.items()]


@register.filter
def item_label(item: Any, key: str) -> str:
    """An item's name next to its key in a diff, unless the name is the key (cookies)."""
    name = item.get("name") if isinstance(item, Mapping) else None
    label = localized(name)
    return "" if label == key else label


@register.filter
def fields_without(item: Any, key: str) -> list[tuple[str, Any]]:
    """An added or removed item's fields, less the one that identifies it (already shown)."""
    if not isinstance(item, Mapping):
        return []
    return [(path, leaf) for path, leaf in fields(item) if item.get(path) != key]


@register.filter
def code(value: Any, table: str) -> str:
    """A map code (legal basis, recipient kind, trigger, ...) in the viewer's language, the code as a tooltip.

    The bilingual names are the notices' own (mamori.notices.labels), so the console and the published
    notices call each thing the same; unknown codes show as they are.
    """

    names = getattr(labels, table.upper())
    language = (get_language() or "en").split("-")[0]
    values = value if isinstance(value, list) else [value]
    shown = [(str(v), labels.label(names, str(v), language) if str(v) in names else str(v)) for v in values if v]
    return format_html_join(", ", '<span title="{}">{}</span>', shown) if shown else mark_safe("—")


@register.filter
def is_list(value: Any) -> bool:
    return isinstance(value, (list, tuple))


@register.filter
def audit_action(code: str) -> str:
    """An audit action's name in the viewer's language ("" when it has none: the code is shown)."""
    return action_label(code)
