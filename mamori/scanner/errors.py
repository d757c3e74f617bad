from __future__ import annotations

from mamori.core.errors import DomainError


class ScannerError(DomainError):
    """A scan could not be scheduled, run or stored; nothing was changed."""

    code = "scanner_error"
