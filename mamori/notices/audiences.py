"""Who is told by e-mail about a material change of the notices.

Other domains register providers; each yields (email, language) pairs for an organisation. The
consent domain registers its confirmed marketing subscribers (ConsentConfig.ready()).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

logger = logging.getLogger(__name__)

AudienceProvider = Callable[[str], Iterable[tuple[str, str]]]

_providers: list[AudienceProvider] = []


def register_audience(provider: AudienceProvider) -> None:
    """Add a provider; registering the same provider again has no effect (ready() may run twice)."""
    if provider not in _providers:
        _providers.append(provider)


def unregister_audience(provider: AudienceProvider) -> None:
    if provider in _providers:
        _providers.remove(provider)


def audience_for(organisation: str) -> list[tuple[str, str]]:
    """Every (email, language) to tell, each address once (case-insensitively), first provider wins."""
    seen: set[str] = set()
    people: list[tuple[str, str]] = []
    for provider in list(_providers):
        try:
            pairs = list(provider(organisation))
        except Exception:
            # One broken provider must not silence the others; the log names it, never a person.
            logger.exception("notice audience provider %s failed", getattr(provider, "__qualname__", provider))
            continue
        for email, language in pairs:
            key = email.strip().lower()
            if key and key not in seen:
                seen.add(key)
                people.append((email.strip(), "ja" if str(language).startswith("ja") else "en"))
    return people
