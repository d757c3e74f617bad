"""Words for the codes of an erasure plan (see plan_text.py), for the plan partial."""

from __future__ import annotations

from typing import Any

from django import template

from mamori.fulfilment import labels, plan_text
from mamori.rights.queue import right_short

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
        preferred = "ja" if str(language).startswith("ja") else "en"
        # A text written in one language only is still shown rather than an empty line.
        return str(text.get(preferred) or text.get("en") or next((v for v in text.values() if v), ""))
    return "" if text is None else str(text)


@register.filter
def step_action(code: str) -> str:
    return labels.step_action(code)


@register.filter
def step_result(step: Any) -> str:
    """A step (a run summary's dict, or a FulfilmentStep) as one sentence."""
    if not isinstance(step, dict):
        step = {"action": step.action, "status": step.status, **(step.result or {})}
    return labels.step_result(step)


@register.filter
def right_name(code: str) -> str:
    """A right's short name (Erasure, Access) in the viewer's language."""
    return right_short(code)


@register.filter
def run_message(message: str) -> str:
    return labels.run_message(message or "")


@register.filter
def system_kind(code: str) -> str:
    return labels.system_kind(code)
