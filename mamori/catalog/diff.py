"""Item-by-item differences between two normalized privacy maps.

A privacy officer reviewing a change wants to read "purpose `analytics` added; cookie `_ga`
removed; retention rule `inquiry-data`: period 0 days → 30 days", not a line diff of YAML. List
sections are matched item by item on their identifying key (ids; cookies by name; jurisdictions
by code), mapping sections (organisation, commitments, notices) field by field, both reported
with dotted paths (`contacts[privacy-desk].hours.open`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from mamori.catalog.mapfile.schema import PrivacyMap

# The order sections are reported in: the map's own (docs/privacy-map.md), as the schema declares it.
SECTION_ORDER: tuple[str, ...] = tuple(PrivacyMap.model_fields)

# The key that identifies an item of a list section; anything else is keyed by `id`.
SECTION_KEYS = {"cookies": "name", "jurisdictions": "code"}

# Keys that identify items of nested lists (contacts, tables, fields, ...), in order of preference.
_NESTED_KEYS = ("id", "name", "code", "column")

_MISSING: Any = object()

ItemKind = Literal["added", "removed", "changed"]


@dataclass(frozen=True)
class FieldChange:
    """One leaf value that differs; `old`/`new` is None when the field is absent on that side."""

    path: str
    old: Any
    new: Any

    @property
    def kind(self) -> ItemKind:
        if self.old is None:
            return "added"
        if self.new is None:
            return "removed"
        return "changed"


@dataclass(frozen=True)
class ItemChange:
    key: str
    kind: ItemKind
    old: Any = None
    new: Any = None
    fields: tuple[FieldChange, ...] = ()

    @property
    def item(self) -> Any:
        return self.new if self.new is not None else self.old


@dataclass(frozen=True)
class SectionDiff:
    section: str
    items: tuple[ItemChange, ...] = ()  # list sections
    fields: tuple[FieldChange, ...] = ()  # mapping and scalar sections

    @property
    def added(self) -> list[ItemChange]:
        return [i for i in self.items if i.kind == "added"]

    @property
    def removed(self) -> list[ItemChange]:
        return [i for i in self.items if i.kind == "removed"]

    @property
    def changed(self) -> list[ItemChange]:
        return [i for i in self.items if i.kind == "changed"]

    @property
    def empty(self) -> bool:
        return not self.items and not self.fields


@dataclass(frozen=True)
class MapDiff:
    sections: tuple[SectionDiff, ...] = field(default_factory=tuple)

    @property
    def empty(self) -> bool:
        return not self.sections

    def section(self, name: str) -> SectionDiff:
        for section in self.sections:
            if section.section == name:
                return section
        return SectionDiff(section=name)


def diff_documents(old: Mapping[str, Any], new: Mapping[str, Any]) -> MapDiff:
    """Compare two normalized map documents; sections without changes are left out."""
    names = [s for s in SECTION_ORDER if s in old or s in new]
    names += sorted((set(old) | set(new)) - set(SECTION_ORDER))
    sections = []
    for name in names:
        section = _diff_section(name, old.get(name), new.get(name))
        if not section.empty:
            sections.append(section)
    return MapDiff(sections=tuple(sections))


def _diff_section(name: str, old: Any, new: Any) -> SectionDiff:
    key = SECTION_KEYS.get(name, "id")
    old_items = _keyed(old, key) if isinstance(old, list) or old is None else None
    new_items = _keyed(new, key) if isinstance(new, list) or new is None else None
    if old_items is not None and new_items is not None and (old is not None or new is not None):
        return SectionDiff(section=name, items=tuple(_diff_items(old_items, new_items)))
    return SectionDiff(section=name, fields=tuple(diff_fields(old, new)))


def _diff_items(old: dict[str, Any], new: dict[str, Any]) -> Iterable[ItemChange]:
    # New items in the new document's order, then removed ones in the old document's order.
    for key, item in new.items():
        if key not in old:
            yield ItemChange(key=key, kind="added", new=item)
        elif old[key] != item:
            yield ItemChange(key=key, kind="changed", old=old[key], new=item, fields=tuple(diff_fields(old[key], item)))
    for key, item in old.items():
        if key not in new:
            yield ItemChange(key=key, kind="removed", old=item)


def diff_fields(old: Any, new: Any, prefix: str = "") -> list[FieldChange]:
    """Every leaf that differs between two values, by dotted path."""
    flat_old = flatten(old, prefix) if old is not None else {}
    flat_new = flatten(new, prefix) if new is not None else {}
    changes = []
    # Paths in the order they appear: new first (so additions read in document order), then removals.
    for path, value in flat_new.items():
        before = flat_old.get(path, _MISSING)
        if before is _MISSING:
            changes.append(FieldChange(path=path, old=None, new=value))
        elif before != value:
            changes.append(FieldChange(path=path, old=before, new=value))
    for path, value in flat_old.items():
        if path not in flat_new:
            changes.append(FieldChange(path=path, old=value, new=None))
    return changes


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """A nested value as {dotted path: leaf}; lists of identified items are keyed `[id]`."""
    if isinstance(value, Mapping):
        if not value:
            return {prefix: value} if prefix else {}
        flat: dict[str, Any] = {}
        for k, v in value.items():
            if v is None:
                continue  # an absent optional field and an explicit null read the same
            flat.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return flat
    if isinstance(value, list) and value:
        key = _nested_key(value)
        if key is not None:
            flat = {}
            for item in value:
                flat.update(flatten({k: v for k, v in item.items() if k != key}, f"{prefix}[{item[key]}]"))
            # An item whose only field is its key would vanish; keep its presence visible.
            for item in value:
                if len(item) == 1:
                    flat[f"{prefix}[{item[key]}]"] = item[key]
            return flat
    return {prefix: value}


def _nested_key(items: list[Any]) -> str | None:
    if not all(isinstance(i, Mapping) for i in items):
        return None
    for key in _NESTED_KEYS:
        values = [i.get(key) for i in items]
        if all(isinstance(v, str) and v for v in values) and len(set(values)) == len(values):
            return key
    return None


def _keyed(items: list[Any] | None, key: str) -> dict[str, Any] | None:
    """Items of a list section by their key, or None when they cannot be told apart."""
    if items is None:
        return {}
    keyed: dict[str, Any] = {}
    for item in items:
        if not isinstance(item, Mapping) or not isinstance(item.get(key), str) or item[key] in keyed:
            return None
        keyed[item[key]] = item
    return keyed


def format_value(value: Any) -> str:
    """A leaf value as one short line: strings bare, everything else as compact JSON."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return ", ".join(value)
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "), sort_keys=True)


def render_text(diff: MapDiff) -> str:
    """The diff as plain text: `+` added, `-` removed, `~` changed, one field change per line."""
    if diff.empty:
        return "no changes\n"
    lines: list[str] = []
    for section in diff.sections:
        lines.append(f"{section.section}:")
        for item in section.items:
            sign = {"added": "+", "removed": "-", "changed": "~"}[item.kind]
            lines.append(f"  {sign} {item.key}")
            lines.extend(f"      {_render_field(change)}" for change in item.fields)
        lines.extend(f"  {_render_field(change)}" for change in section.fields)
    return "\n".join(lines) + "\n"


def _render_field(change: FieldChange) -> str:
    path = change.path or "(value)"
    if change.kind == "added":
        return f"+ {path}: {format_value(change.new)}"
    if change.kind == "removed":
        return f"- {path}: {format_value(change.old)}"
    return f"~ {path}: {format_value(change.old)} → {format_value(change.new)}"
