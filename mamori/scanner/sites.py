"""Which hosts are the same site: registrable domains from the public suffix list.

A cookie or request is third-party when its registrable domain (eTLD+1) differs from the page's,
the way browsers draw the line (the port does not count). Debian's `publicsuffix` package ships
the list; without it a small built-in rule keeps common two-level suffixes (co.jp, co.uk) right.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

PUBLIC_SUFFIX_LIST = Path("/usr/share/publicsuffix/public_suffix_list.dat")
_FALLBACK_SECOND_LEVEL = {"co", "ne", "or", "ac", "go", "ed", "gr", "lg", "com", "net", "org", "gov", "edu"}


@lru_cache(maxsize=1)
def _rules() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(plain rules, wildcard parents, exceptions) of the list; empty when it is not installed."""
    plain: set[str] = set()
    wild: set[str] = set()
    exceptions: set[str] = set()
    try:
        text = PUBLIC_SUFFIX_LIST.read_text("utf-8")
    except OSError:
        return frozenset(), frozenset(), frozenset()
    for line in text.splitlines():
        rule = line.strip().split(" ")[0].lower()
        if not rule or rule.startswith("//"):
            continue
        if rule.startswith("!"):
            exceptions.add(rule[1:])
        elif rule.startswith("*."):
            wild.add(rule[2:])
        else:
            plain.add(rule)
    return frozenset(plain), frozenset(wild), frozenset(exceptions)


def _suffix_length(labels: list[str]) -> int:
    plain, wild, exceptions = _rules()
    if not plain:
        tld_is_country = len(labels[-1]) == 2
        return 2 if len(labels) > 2 and tld_is_country and labels[-2] in _FALLBACK_SECOND_LEVEL else 1
    best = 1  # an unlisted TLD is a suffix of its own ("*" rule)
    for size in range(1, len(labels) + 1):
        candidate = ".".join(labels[-size:])
        if candidate in exceptions:
            return size - 1
        if candidate in plain or (size > 1 and ".".join(labels[-size + 1 :]) in wild):
            best = size
    return best


@lru_cache(maxsize=4096)
def site_of(host: str) -> str:
    """The registrable domain of a host name; an IP address or single label is its own site."""
    host = host.strip().lower().rstrip(".").lstrip(".")
    if not host:
        return ""
    try:
        ipaddress.ip_address(host.strip("[]"))
        return host
    except ValueError:
        pass
    labels = host.split(".")
    if len(labels) == 1:
        return host
    size = _suffix_length(labels)
    return ".".join(labels[-(size + 1) :]) if len(labels) > size else host


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def same_site(host_a: str, host_b: str) -> bool:
    return site_of(host_a) == site_of(host_b)


def without_query(url: str) -> str:
    """A URL as evidence: query and fragment dropped (they may carry identifiers)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return parts.scheme + ":" if parts.scheme else ""
    return f"{parts.scheme}://{parts.netloc}{parts.path}"
