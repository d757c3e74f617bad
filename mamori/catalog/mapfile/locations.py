"""Where each part of a map came from, and the problems reported against those places."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# A path into the loaded document: keys (str) and list indices (int), e.g.
# ("purposes", 3, "legal_basis", "EU").
Path = tuple[str | int, ...]


@dataclass(frozen=True, order=True)
class Location:
    file: str
    line: int  # 1-based
    col: int  # 1-based

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    col: int
    message: str

    @classmethod
    def at(cls, location: Location, message: str) -> Problem:
        return cls(location.file, location.line, location.col, message)

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file, self.line, self.col, self.message)

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "col": self.col, "message": self.message}

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.message}"


@dataclass
class SourceIndex:
    """Maps every path of the document to the place of its key and of its value."""

    keys: dict[Path, Location] = field(default_factory=dict)
    values: dict[Path, Location] = field(default_factory=dict)
    # Where a document with no content at all should be blamed.
    fallback: Location = Location("<map>", 1, 1)

    def key(self, path: Path) -> Location:
        """The key of `path` (list items have no key: their value is used)."""
        if path in self.keys:
            return self.keys[path]
        return self.value(path)

    def value(self, path: Path) -> Location:
        """The value at `path`, or the nearest enclosing value that exists."""
        probe = tuple(path)
        while probe:
            if probe in self.values:
                return self.values[probe]
            probe = probe[:-1]
        return self.values.get((), self.fallback)
