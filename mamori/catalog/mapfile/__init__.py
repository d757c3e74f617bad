"""Loading and checking privacy maps (docs/privacy-map.md). Pure Python: no Django needed.

    result = load_map(["examples/onemall"])
    if result.ok:
        privacy_map = result.map          # a PrivacyMap
    else:
        for problem in result.problems:   # each prints as FILE:LINE:COL: message
            print(problem)

`load_map` raises MapReadError when a file cannot be read at all.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field

from . import semantics, structure
from .i18n import _
from .locations import Location, Problem, SourceIndex
from .schema import LIST_SECTIONS, PrivacyMap
from .values import Duration, LocalText
from .yamlsource import MapReadError, load_document

MAX_PROBLEMS = 200


@dataclass
class LoadResult:
    map: PrivacyMap | None
    problems: list[Problem]
    sources: dict[str, str]  # display file name -> text, in reading order
    index: SourceIndex = field(default_factory=SourceIndex)

    @property
    def ok(self) -> bool:
        return self.map is not None and not self.problems


def load_map(paths: Sequence[str | os.PathLike[str]]) -> LoadResult:
    """Load the files and folders in `paths` as one map and check it.

    `map` is set when the structure is valid (even if meaning checks found problems); the meaning
    checks run only on a structurally valid map, and the structure checks only when every file
    parsed as YAML. Problems come sorted by file, line and column.
    """
    document = load_document(paths, LIST_SECTIONS)
    problems = list(document.problems)
    privacy_map: PrivacyMap | None = None
    if document.complete and not document.data and not problems:
        problems.append(
            Problem.at(
                document.index.value(()),
                _("the map is empty: it needs at least mamori, organisation and jurisdictions"),
            )
        )
    elif document.complete:
        privacy_map, structure_problems = structure.validate(document.data, document.index)
        problems.extend(structure_problems)
    if privacy_map is not None:
        problems.extend(semantics.check(privacy_map, document.index))
    problems.sort(key=lambda problem: problem.sort_key)
    if len(problems) > MAX_PROBLEMS:
        # A broken file can produce a problem per line; the first ones are what a person fixes first.
        hidden = len(problems) - MAX_PROBLEMS
        rest = problems[MAX_PROBLEMS]
        problems = [
            *problems[:MAX_PROBLEMS],
            Problem(
                rest.file,
                rest.line,
                rest.col,
                _("{count} more problems not shown (only the first {limit} are listed)").format(
                    count=hidden, limit=MAX_PROBLEMS
                ),
            ),
        ]
    return LoadResult(map=privacy_map, problems=problems, sources=document.sources, index=document.index)


__all__ = [
    "Duration",
    "LoadResult",
    "LocalText",
    "Location",
    "MapReadError",
    "PrivacyMap",
    "Problem",
    "load_map",
]
