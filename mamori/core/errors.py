"""The base of every domain error.

Each domain's services raise one error type (a subclass of DomainError) carrying a message
that is safe to show to the person who caused it: no personal data, no stack traces.

Messages are translatable: raise them with `gettext_lazy` and named parameters,

    raise RightsError(_("unknown data points: %(points)s"), code="bad_data_points", points="x, y")

and `exc.message` is the text in the language active where it is shown (a Japanese page, an
English API client), with the parameters filled in.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A service refused to do something; nothing was changed."""

    code = "domain_error"

    def __init__(self, message: Any, *, code: str | None = None, **params: Any) -> None:
        super().__init__(message)
        self._message = message  # a str, or a lazy translation (django.utils.functional.Promise)
        self.params = params
        if code is not None:
            self.code = code

    @classmethod
    def from_error(cls, other: DomainError) -> DomainError:
        """``other``'s message (still translatable) and code as this domain's error: a service that
        reports another domain's refusal keeps its text in the language where it is shown."""
        return cls(other._message, code=other.code, **other.params)

    @property
    def message(self) -> str:
        text = str(self._message)  # a lazy translation is translated now, in the active language
        return text % self.params if self.params else text

    def __str__(self) -> str:
        return self.message
