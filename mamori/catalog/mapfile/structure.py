"""Structure checks: pydantic validation, with its errors turned into located, human messages."""

from __future__ import annotations

import types
import typing
from datetime import date
from difflib import get_close_matches
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from .i18n import _
from .locations import Path, Problem, SourceIndex
from .schema import PrivacyMap
from .values import LocalText, suggestion

_KEY_MARKER = "[key]"


def validate(data: dict[str, Any], index: SourceIndex) -> tuple[PrivacyMap | None, list[Problem]]:
    try:
        return PrivacyMap.model_validate(data), []
    except ValidationError as exc:
        errors = _drop_missing_explained_by_typos(exc.errors(include_url=False))
        return None, [_translate(error, index) for error in errors]


def _drop_missing_explained_by_typos(errors: list[ErrorDetails]) -> list[ErrorDetails]:
    """`legal_bases:` for `legal_basis:` is one mistake: report the typo, not also the missing key."""
    suggested = set()
    for error in errors:
        if error["type"] == "extra_forbidden":
            parent = tuple(error["loc"][:-1])
            close = get_close_matches(str(error["loc"][-1]), _keys_at(parent), n=1, cutoff=0.6)
            if close:
                suggested.add((*parent, close[0]))
    return [error for error in errors if not (error["type"] == "missing" and tuple(error["loc"]) in suggested)]


# ---------------------------------------------------------------- annotations along a path


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated[...] and `X | None` down to the interesting type."""
    while True:
        origin = get_origin(annotation)
        if origin is typing.Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            members = [arg for arg in get_args(annotation) if arg is not type(None)]
            if len(members) != 1:
                return annotation
            annotation = members[0]
        else:
            return annotation


def _annotation_at(path: Path) -> Any:
    """The declared type at a path of the document, or None when it cannot be followed."""
    annotation: Any = PrivacyMap
    for part in path:
        annotation = _unwrap(annotation)
        origin = get_origin(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(str(part))
            if field is None:
                return None
            annotation = field.annotation
        elif origin is list:
            annotation = get_args(annotation)[0]
        elif origin is dict:
            annotation = get_args(annotation)[1]
        else:
            return None
    return _unwrap(annotation)


def _keys_at(path: Path) -> list[str]:
    annotation = _annotation_at(path)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return list(annotation.model_fields)
    return []


# ---------------------------------------------------------------- messages


def _got(value: Any) -> str:
    if value is None:
        return _("nothing (the value is empty)")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _("the number {value}").format(value=value)
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, dict):
        return _("a mapping")
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, date):
        return _("the date {value}").format(value=value.isoformat())
    return repr(value)


def _choices(path: Path, error: ErrorDetails) -> str:
    annotation = _annotation_at(path)
    if get_origin(annotation) is Literal:
        return ", ".join(str(arg) for arg in get_args(annotation))
    expected = str(error.get("ctx", {}).get("expected", ""))
    return expected.replace("'", "").replace(" or ", ", ")


def _message(error: ErrorDetails, path: Path) -> str:
    kind = error["type"]
    value = error.get("input")
    field = str(path[-1]) if path else ""
    if kind == "mamori":
        return str(error.get("ctx", {}).get("message", error["msg"]))
    if kind == "missing":
        return _("missing required key '{key}'").format(key=field)
    if kind == "extra_forbidden":
        message = _("unknown key '{key}'").format(key=field) + suggestion(field, _keys_at(path[:-1]))
        if value is None and _annotation_at(path[:-1]) is LocalText:
            message += _(": a comma inside {en: ..., ja: ...} starts a new key, so quote such texts")
        return message
    if kind == "literal_error":
        return _("expected one of {choices}; got {value}").format(choices=_choices(path, error), value=_got(value))
    if kind == "string_type":
        hint = _(" (put it in quotes)") if isinstance(value, int | float | bool | date) else ""
        return _("expected text; got {value}").format(value=_got(value)) + hint
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return _("expected a whole number; got {value}").format(value=_got(value))
    if kind in ("bool_type", "bool_parsing"):
        return _("expected true or false; got {value}").format(value=_got(value))
    if kind in ("list_type", "tuple_type", "set_type"):
        return _("expected a list; got {value}").format(value=_got(value))
    if kind in ("dict_type", "model_type", "model_attributes_type", "dataclass_type"):
        return _("expected a mapping; got {value}").format(value=_got(value))
    if kind.startswith("date"):
        return _("expected a date (YYYY-MM-DD); got {value}").format(value=_got(value))
    if kind == "too_short":
        minimum = error.get("ctx", {}).get("min_length", 1)
        return _("'{key}' needs at least {count} entry").format(key=field, count=minimum)
    if kind == "value_error":
        return str(error.get("ctx", {}).get("error", error["msg"]))
    return str(error["msg"])


def _translate(error: ErrorDetails, index: SourceIndex) -> Problem:
    loc = tuple(error["loc"])
    if loc and loc[-1] == _KEY_MARKER:
        # A dict key failed (e.g. an unknown jurisdiction code as a legal_basis key).
        path: Path = tuple(loc[:-1])
        return Problem.at(index.key(path), _message(error, path))
    path = tuple(loc)
    kind = error["type"]
    if kind == "missing":
        location = index.value(path[:-1])
    elif kind == "extra_forbidden":
        location = index.key(path)
    else:
        location = index.value(path)
    return Problem.at(location, _message(error, path))
