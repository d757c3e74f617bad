from mamori.core.errors import DomainError


class ConsentError(DomainError):
    """A consent service refused; nothing was recorded."""

    code = "consent_error"
