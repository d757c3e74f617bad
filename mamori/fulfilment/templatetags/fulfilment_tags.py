"""Words for the codes of an erasure plan (see plan_text.py), for the plan partial."""

from __future__ import annotations

from typing import Any

from django import template

from mamori.fulfilment import plan_text

register = template.Library()


@register.filter
def plan_action(code: str) -> Any:
    return plan_text.ACTIONS.get(code, code)


@register.filter
def plan_reason(code: str) -> Any:
    return plan_text.REASONS.get(code, code)


@register.filter
def plan_strategy(code: str) -> Any:
    return plan_text.STRATEGIES.get(code, code)


@register.filter
def plan_note(code: str) -> Any:
    return plan_text.NOTES.get(code, code)


@register.filter
def in_language(text: Any, language: str) -> str:
    """A {en, ja} dict from a stored plan in the viewer's language."""
    if isinstance(text, dict):
        return str(text.get("ja" if str(language).startswith("ja") else "en") or text.get("en") or "")
    return "" if text is None else str(text)


@register.filter
def dated_hold(table: Any, language: str) -> str:
    """A table's dated legal hold in words: rows kept under which hold until when, rows past it."""
    return plan_text.dated_hold_text(table, "ja" if str(language).startswith("ja") else "en")
