"""Words for the codes of an erasure plan (see plan_text.py), for the plan partial."""

from __future__ import annotations

import contextlib
from typing import Any

from django import template
from django.core.exceptions import PermissionDenied

from mamori.fulfilment import access, labels, plan_text
from mamori.fulfilment.models import RecipientNotice
from mamori.fulfilment.recipient_notices import EVENT_LABELS, KIND_LABELS, KINDS
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
def hold_period(period: str, language: str) -> str:
    """A hold's period as the plan stores it ("7 years"), in the viewer's language (7年)."""
    return plan_text.period_text(period or "", "ja" if str(language).startswith("ja") else "en")


@register.filter
def dated_hold(table: Any, language: str) -> str:
    """A table's dated legal hold in words: rows kept under which hold until when, rows past it."""
    return plan_text.dated_hold_text(table, "ja" if str(language).startswith("ja") else "en")


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


@register.filter
def notice_kind(code: str) -> Any:
    return KIND_LABELS.get(code, code)


@register.filter
def notice_event(action: str) -> Any:
    return EVENT_LABELS.get(action, action)


@register.filter
def notice_channel(code: str) -> Any:
    return dict(RecipientNotice.Channel.choices).get(code, code)


@register.filter
def notice_status(code: str) -> Any:
    return dict(RecipientNotice.Status.choices).get(code, code)


@register.inclusion_tag("fulfilment/request_notices.html")
def request_notices(rights_request: Any, user: Any) -> dict[str, Any]:
    """The recipient notices of a request, on its page, for the staff who may open them (queried
    only for the rights that tell recipients)."""
    notices = []
    if rights_request.right in KINDS:
        with contextlib.suppress(PermissionDenied):  # other roles see no notices here
            notices = list(access.access_notices(user).filter(request_id=rights_request.pk))
    return {"notices": notices}
