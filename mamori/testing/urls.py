"""Every URL the application serves, read from the URL resolver, for the access guard-rail tests.

A test that lists URLs by hand misses the next one someone adds; `every_url()` cannot. Each URL
comes with a concrete path (converters filled with a value that names no object, so a refusal
that depends on a lookup shows as 404, never as a page) and, for API operations, the HTTP methods
the operation accepts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

# A value for each converter that matches no stored object.
SAMPLE_VALUES = {"int": "999999", "slug": "no-such-slug", "str": "no-such-thing", "path": "no/such/path"}
_CONVERTER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


@dataclass(frozen=True)
class Url:
    name: str  # "namespace:name", or the route itself when the pattern has no name
    route: str  # the pattern, e.g. "console/requests/<int:request_id>/"
    path: str  # a concrete path, e.g. "/console/requests/999999/"
    methods: tuple[str, ...]  # for API operations: what they accept; else ("GET", "POST")

    def __str__(self) -> str:
        return f"{' '.join(self.methods)} {self.route}"


def _concrete(route: str) -> str:
    def value(match: re.Match[str]) -> str:
        return SAMPLE_VALUES.get(match.group("converter") or "str", "x")

    return "/" + _CONVERTER.sub(value, route)


def _methods(callback: Any, name: str | None) -> tuple[str, ...]:
    # django-ninja's view is a closure over its PathView, which holds every operation of the path;
    # each operation has its own URL name (by default its function's name) and methods.
    for cell in getattr(callback, "__closure__", None) or ():
        operations = getattr(cell.cell_contents, "operations", None)
        if operations:
            own = [op for op in operations if (getattr(op, "url_name", None) or op.view_func.__name__) == name]
            return tuple(sorted({method for operation in own or operations for method in operation.methods}))
    return ("GET", "POST")


def _walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[Url]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else route
            yield Url(name=name, route=route, path=_concrete(route), methods=_methods(pattern.callback, pattern.name))


def every_url() -> list[Url]:
    """Every URL of the project, in the order the resolver tries them."""
    return list(_walk(get_resolver().url_patterns, "", ""))
