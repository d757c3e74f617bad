"""The one error type the catalog's services raise."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mamori.core.errors import DomainError


class CatalogError(DomainError):
    """A privacy map could not be applied; nothing was stored.

    `problems` holds the map's problems (objects printing as `FILE:LINE:COL: message`) when the
    map was invalid, so a caller can list every one of them.
    """

    code = "catalog_error"

    def __init__(self, message: Any, *, code: str | None = None, problems: Sequence[Any] = (), **params: Any) -> None:
        super().__init__(message, code=code, **params)
        self.problems = list(problems)
