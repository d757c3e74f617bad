"""Words for the codes a request stores (identity methods, outcomes), for the console's pages:
staff read labels in their language, never `staff_review` or `needs_review`."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from mamori.rights.models import Channel

IDENTITY_METHODS = {
    "code_and_data_points": _("e-mail code and matching customer data"),
    "staff_review": _("documents reviewed by staff"),
    "minor_recorded": _("recorded by staff (a person under the minimum age)"),
}

OUTCOMES = {
    "planned": _("Planned, not executed yet."),
    "running": _("Running."),
    "completed": _("Finished: every step done and verified."),
    "needs_review": _("Partly done: finish the remaining steps or deny with a ground."),
    "failed": _("Failed: the work was not done."),
}
OUTCOME_BADGES = {
    "planned": "badge-info",
    "running": "badge-info",
    "completed": "badge-ok",
    "needs_review": "badge-warn",
    "failed": "badge-danger",
}

LANGUAGES = {"ja": "日本語", "en": "English"}


def identity_method(code: str) -> str:
    return str(IDENTITY_METHODS.get(code, code))


def outcome(code: str) -> str:
    return str(OUTCOMES.get(code, code))


def channel(code: str) -> str:
    return str(Channel(code).label) if code in Channel.values else code
