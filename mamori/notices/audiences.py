"""Who is told by e-mail about a material change of the notices, and who asked not to be.

Other domains register providers; each yields (email, language) pairs for an organisation, lazily:
the consent domain its confirmed marketing subscribers, the fulfilment domain the people in the
company's own systems (found through the map's identity columns, batch by batch). Nothing here
collects them into a list: an audience may be every customer of the company. The same address may
come from two providers; the job tells each person once by its claim (per release and keyed hash).

Exclusions: a provider `exclusion(organisation, addresses)` returns which of a batch of addresses
(lower-cased) must not be mailed (the consent domain: people who unsubscribed from the
organisation's mail). Each domain hashes them with its own key; only a batch is ever in memory.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable, Iterator

logger = logging.getLogger(__name__)

AudienceProvider = Callable[[str], Iterable[tuple[str, str]]]
ExclusionProvider = Callable[[str, Collection[str]], Collection[str]]

_providers: list[AudienceProvider] = []
_exclusions: list[ExclusionProvider] = []


def register_audience(provider: AudienceProvider) -> None:
    """Add a provider; registering the same provider again has no effect (ready() may run twice)."""
    if provider not in _providers:
        _providers.append(provider)


def unregister_audience(provider: AudienceProvider) -> None:
    if provider in _providers:
        _providers.remove(provider)


def register_exclusion(provider: ExclusionProvider) -> None:
    if provider not in _exclusions:
        _exclusions.append(provider)


def unregister_exclusion(provider: ExclusionProvider) -> None:
    if provider in _exclusions:
        _exclusions.remove(provider)


def provider_name(provider: object) -> str:
    return str(getattr(provider, "__qualname__", provider))


def audience_for(organisation: str, failed: list[str] | None = None) -> Iterator[tuple[str, str]]:
    """Every (email, language) to tell, provider by provider, as they come (not de-duplicated).

    A provider that fails (before or after some of its people) does not silence the others; its
    name goes into `failed` and the log, never a person's address.
    """
    for provider in list(_providers):
        try:
            for email, language in provider(organisation):
                address = str(email).strip()
                if address:
                    yield address, "ja" if str(language).startswith("ja") else "en"
        except Exception:
            logger.exception("notice audience provider %s failed", provider_name(provider))
            if failed is not None:
                failed.append(provider_name(provider))


def excluded(organisation: str, addresses: Collection[str]) -> set[str]:
    """The addresses of a batch (lower-cased) that must not be mailed."""
    lowered = {address.strip().lower() for address in addresses}
    found: set[str] = set()
    for provider in list(_exclusions):
        found.update(address.strip().lower() for address in provider(organisation, lowered))
    return found & lowered
