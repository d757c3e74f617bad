"""Translation without requiring Django.

The calendar core runs from the CLI with no Django settings, and inside the web application.
`_` marks a string for the message catalog (makemessages picks up `_("...")`) and translates it
into the active language when Django is configured; otherwise the English source is returned.
"""

from __future__ import annotations


def _(message: str) -> str:
    try:
        # Imported here: the calendars run without Django (`mamori calendar`); Django is optional.
        from django.conf import settings
    except ImportError:  # pragma: no cover - Django is a dependency, but the core does not need it
        return message
    if not settings.configured:
        return message
    from django.utils.translation import gettext

    return gettext(message)
