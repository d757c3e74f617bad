"""Reading map files into plain values while remembering where every key and value came from.

PyYAML's composer gives nodes with marks (file, line, column); we build the Python values from
those nodes ourselves so that every path of the document maps to a place in a file, duplicate keys
are caught (PyYAML would silently keep the last one), and several files merge into one document.

Scalars follow YAML 1.2 rather than PyYAML's YAML 1.1 defaults, because the 1.1 rules corrupt
privacy maps silently: the country code `NO` (Norway) would read as false, `on`/`off`/`yes`
as booleans, and `18:00` as the sexagesimal number 1080.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .i18n import _
from .locations import Location, Path, Problem, SourceIndex

YAML_SUFFIXES = (".yaml", ".yml")

# A map is input like any other: these bounds keep a hostile or broken file from exhausting memory
# (aliases that expand exponentially, the "billion laughs"), the stack (deep nesting) or the terminal.
MAX_FILE_BYTES = 2 * 1024 * 1024  # the largest example map is a few dozen kilobytes
MAX_DEPTH = 64  # mappings and lists inside each other
MAX_VALUES = 200_000  # values after expanding aliases, over all files of one map

_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"


class MapReadError(Exception):
    """A map file cannot be read at all (missing, not UTF-8, not text): `mamori check` exits 2."""

    def __init__(self, file: str, reason: str) -> None:
        super().__init__(file, reason)
        self.file = file
        self.reason = reason

    def __str__(self) -> str:  # in the language active where it is shown (English without Django)
        return _("{file}: cannot read: {reason}").format(file=self.file, reason=self.reason)


class _MapLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 core-schema booleans and numbers, and a bound on nesting."""

    _depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        # PyYAML's composer recurses once per level: refuse deep nesting before Python's stack runs out.
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    _("nested more than {limit} levels deep").format(limit=MAX_DEPTH),
                    self.peek_event().start_mark,
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_MapLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in (_BOOL, _INT, _FLOAT)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_MapLoader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
_MapLoader.add_implicit_resolver(_INT, re.compile(r"^(?:[-+]?(?:0|[1-9][0-9]*)|0x[0-9a-fA-F]+)$"), list("-+0123456789"))
_MapLoader.add_implicit_resolver(
    _FLOAT,
    re.compile(r"^(?:[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+0123456789."),
)


@dataclass
class SourceDocument:
    """The merged plain document of one map, with its source index."""

    data: dict[str, Any]
    index: SourceIndex
    problems: list[Problem] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # display file name -> text
    # False when a file could not be parsed: its sections are missing, so the structure
    # checks would only report consequences of the syntax error.
    complete: bool = True


def display_name(path: FsPath) -> str:
    """The file name shown in problems: relative to the current directory when inside it."""
    if path.is_absolute():
        try:
            return str(path.relative_to(FsPath.cwd()))
        except ValueError:
            return str(path)
    return os.path.normpath(str(path))


def find_files(paths: Sequence[str | os.PathLike[str]]) -> list[FsPath]:
    """Expand each path: a file as is, a folder to its YAML files (recursively, in name order)."""
    files: list[FsPath] = []
    for raw in paths:
        path = FsPath(raw)
        if path.is_dir():
            found = sorted(
                (
                    candidate
                    for candidate in path.rglob("*")
                    if candidate.suffix in YAML_SUFFIXES
                    and candidate.is_file()
                    and not any(part.startswith(".") for part in candidate.relative_to(path).parts)
                ),
                key=lambda candidate: candidate.relative_to(path).as_posix(),
            )
            if not found:
                raise MapReadError(display_name(path), _("the folder holds no *.yaml or *.yml file"))
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            raise MapReadError(display_name(path), _("no such file or folder"))
    return files


def _read_text(path: FsPath, name: str) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MapReadError(name, exc.strerror or str(exc)) from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise MapReadError(
            name, _("not UTF-8 text (line {line}, byte {column})").format(line=line, column=column)
        ) from exc


def _location(node: Node) -> Location:
    mark = node.start_mark
    return Location(mark.name, mark.line + 1, mark.column + 1)


def _compose(text: str, name: str) -> tuple[Node | None, Problem | None]:
    try:
        loader = _MapLoader(text)  # the reader rejects control characters right here
    except yaml.reader.ReaderError as exc:
        raise MapReadError(name, _("not a text file ({reason})").format(reason=exc.reason)) from exc
    loader.name = name
    try:
        return loader.get_single_node(), None
    except yaml.reader.ReaderError as exc:
        raise MapReadError(name, _("not a text file ({reason})").format(reason=exc.reason)) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if (exc.problem or "").startswith("but found another document"):
            message = _("a map file holds one YAML document; another one starts here")
        elif isinstance(exc, yaml.composer.ComposerError) and exc.problem and exc.context is None:
            message = exc.problem
        else:
            message = _("invalid YAML: {problem}").format(problem=exc.problem or exc.context or "")
            if exc.context and exc.problem:
                message += f" ({exc.context})"
        if mark is None:
            return None, Problem(name, 1, 1, message)
        return None, Problem(name, mark.line + 1, mark.column + 1, message)
    finally:
        loader.dispose()


class _Builder:
    """Turns composed nodes into plain values, recording every path's location."""

    def __init__(self) -> None:
        self.index = SourceIndex()
        self.problems: list[Problem] = []
        self._constructor = _MapLoader("")
        self._active: set[int] = set()
        self._budget = MAX_VALUES
        self.exhausted = False

    def problem(self, node: Node, message: str) -> None:
        self.problems.append(Problem.at(_location(node), message))

    def build(self, node: Node, path: Path) -> Any:
        if self.exhausted:
            return None
        self._budget -= 1
        if self._budget < 0:
            self.exhausted = True
            self.problem(
                node,
                _(
                    "the map expands to more than {limit} values (aliases repeated too often?); reading stopped here"
                ).format(limit=MAX_VALUES),
            )
            return None
        self.index.values[path] = _location(node)
        if id(node) in self._active:
            self.problem(node, _("an alias refers to the mapping or list that contains it"))
            return None
        if isinstance(node, MappingNode):
            self._active.add(id(node))
            try:
                return self.build_mapping(node.value, path)
            finally:
                self._active.discard(id(node))
        if isinstance(node, SequenceNode):
            self._active.add(id(node))
            try:
                return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
            finally:
                self._active.discard(id(node))
        try:
            return self._constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError):
            # e.g. a date that cannot exist (2024-02-30): keep the text, the schema will say why.
            return node.value

    def build_mapping(self, pairs: Iterable[tuple[Node, Node]], path: Path) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, Location] = {}
        for key_node, value_node in pairs:
            if not isinstance(key_node, ScalarNode):
                self.problem(key_node, _("a key must be plain text, not a mapping or a list"))
                continue
            key = str(key_node.value)
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.problem(key_node, _("YAML merge keys (<<) are not supported: write the keys out"))
                continue
            if key in first_seen:
                self.problem(
                    key_node,
                    _("duplicate key '{key}' (first defined at {first})").format(key=key, first=first_seen[key]),
                )
                continue
            first_seen[key] = _location(key_node)
            self.index.keys[(*path, key)] = _location(key_node)
            result[key] = self.build(value_node, (*path, key))
        return result


def load_document(paths: Sequence[str | os.PathLike[str]], list_sections: Iterable[str]) -> SourceDocument:
    """Read and merge the files of one map.

    Top-level list sections may appear in several files and are concatenated in file order; any
    other top-level key appearing in two files is reported at its second occurrence.
    """
    list_sections = frozenset(list_sections)
    files = find_files(paths)
    problems: list[Problem] = []
    sources: dict[str, str] = {}
    pairs: list[tuple[Node, Node]] = []
    seen: dict[str, tuple[Node, Node]] = {}
    root_location: Location | None = None
    complete = True
    for path in files:
        name = display_name(path)
        size = path.stat().st_size if path.is_file() else 0
        if size > MAX_FILE_BYTES:
            message = _("the file is larger than {limit} bytes; a map file may not be")
            problems.append(Problem(name, 1, 1, message.format(limit=MAX_FILE_BYTES)))
            complete = False
            continue
        text = _read_text(path, name)
        sources[name] = text
        root, syntax_problem = _compose(text, name)
        if syntax_problem is not None:
            problems.append(syntax_problem)
            complete = False
            continue
        if root_location is None:
            root_location = _location(root) if root is not None else Location(name, 1, 1)
        if root is None or (isinstance(root, ScalarNode) and root.tag == "tag:yaml.org,2002:null"):
            continue  # an empty file adds nothing
        if not isinstance(root, MappingNode):
            problems.append(
                Problem.at(
                    _location(root),
                    _("the top level of a map file must be a mapping of sections (mamori:, organisation:, ...)"),
                )
            )
            complete = False
            continue
        for key_node, value_node in root.value:
            key = str(key_node.value) if isinstance(key_node, ScalarNode) else None
            if key is None or key not in seen:
                if key is not None:
                    seen[key] = (key_node, value_node)
                pairs.append((key_node, value_node))
                continue
            first_key, first_value = seen[key]
            if first_key.start_mark.name == key_node.start_mark.name:
                pairs.append((key_node, value_node))  # same file: reported as a duplicate key
            elif (
                key in list_sections and isinstance(first_value, SequenceNode) and isinstance(value_node, SequenceNode)
            ):
                first_value.value.extend(value_node.value)
            else:
                problems.append(
                    Problem.at(
                        _location(key_node),
                        _(
                            "section '{key}' is already defined at {first} "
                            "(only list sections can be split across files)"
                        ).format(key=key, first=_location(first_key)),
                    )
                )
    builder = _Builder()
    if root_location is not None:
        builder.index.values[()] = root_location
        builder.index.fallback = root_location
    elif files:
        builder.index.fallback = Location(display_name(files[0]), 1, 1)
    data = builder.build_mapping(pairs, ())
    return SourceDocument(
        data=data,
        index=builder.index,
        problems=problems + builder.problems,
        sources=sources,
        complete=complete and not builder.exhausted,
    )
