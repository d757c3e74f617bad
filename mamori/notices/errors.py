from __future__ import annotations

from mamori.core.errors import DomainError


class NoticesError(DomainError):
    """Notices could not be published or sent; nothing was changed."""

    code = "notices_error"
