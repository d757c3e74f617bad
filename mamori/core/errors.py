"""The base of every domain error.

Each domain's services raise one error type (a subclass of DomainError) carrying a message
that is safe to show to the person who caused it: no personal data, no stack traces.
"""


class DomainError(Exception):
    """A service refused to do something; nothing was changed."""

    code = "domain_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
