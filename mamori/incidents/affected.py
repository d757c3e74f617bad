"""Who was affected: the people whose rows were in the breached tables, found in the company's data.

Reads through the fulfilment engine's SQL connector (its reflected layout and ownership rules), so
a row is its owner's, as for requests: an inquiry with a customer number is that customer's, an
inquiry without one is its sender's (found by the identity it carries). Set-based: one statement
for the breached rows, one per batch of owners for their contact and residence; nothing per row.

What comes back is used twice: staff see counts and keyed hashes; the contact addresses are kept
encrypted and read only by the notice job.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from django.utils.translation import gettext as _
from sqlalchemy.exc import SQLAlchemyError

from mamori.core import crypto
from mamori.core.errors import DomainError
from mamori.incidents.rules import jurisdiction_group

BATCH = 1000


class AffectedError(DomainError):
    code = "incident_scope"


@dataclass(frozen=True)
class Selector:
    """Rows of `table` in `system`, optionally only those whose `column` lies in [low, high]."""

    system: str
    table: str
    column: str = ""
    low: str = ""
    high: str = ""


@dataclass(frozen=True)
class Person:
    subject_hash: str
    system: str
    jurisdiction: str
    language: str
    contact: str  # e-mail address, or "" when there is none


def _chunks(values: Sequence[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(values), BATCH):
        yield list(values[start : start + BATCH])


def _bound(column: sa.Column[Any], raw: str) -> Any:
    """The window's bound in the column's own type (a string compared with a timestamp fails on
    PostgreSQL; a date compared as text sorts wrongly elsewhere)."""
    try:
        python_type = column.type.python_type
    except NotImplementedError:
        return raw
    try:
        if python_type is datetime:
            return datetime.fromisoformat(raw)
        if python_type is date:
            return date.fromisoformat(raw[:10])
        if python_type is int:
            return int(raw)
    except ValueError:
        raise AffectedError(
            _("'%(value)s' is not a value of column %(column)s.") % {"value": raw, "column": column.name}
        ) from None
    return raw


def language_for(group: str) -> str:
    """Notices go out in Japanese to people in Japan and in English elsewhere."""
    return "ja" if group == "JP" else "en"


def find_people(connector: Any, selector: Selector) -> list[Person]:
    """The people whose rows `selector` names, with their jurisdiction and contact address."""
    layout = getattr(connector, "layout", None)
    if layout is None or not hasattr(connector, "snapshot"):
        raise AffectedError(
            _("System %(system)s is not a SQL system: count its people by hand.") % {"system": selector.system}
        )
    if selector.table not in layout.tables:
        raise AffectedError(
            _("System %(system)s has no table %(table)s in the map.")
            % {"system": selector.system, "table": selector.table}
        )
    system = layout.system
    residence = system.residence
    default = residence.default if residence else "unknown"
    table = layout.sa_table(selector.table)
    where: list[sa.ColumnElement[bool]] = []
    if selector.column:
        if selector.column not in table.c:
            raise AffectedError(
                _("Table %(table)s has no column %(column)s.") % {"table": selector.table, "column": selector.column}
            )
        column = table.c[selector.column]
        if selector.low:
            where.append(column >= _bound(column, selector.low))
        if selector.high:
            where.append(column <= _bound(column, selector.high))
    visitor_columns = [name for _kind, name in layout.visitor_columns(selector.table)]
    email_roots = [
        (t, c)
        for kind, refs in layout.identity_columns.items()
        if kind == "email"
        for t, c in refs
        if layout.finds_roots(t)
    ]
    try:
        with connector.snapshot() as connection:
            owners: set[Any] = set()
            visitors: set[str] = set()
            if layout.tables[selector.table].owned:
                source, owner = layout.owner_join(selector.table)
                columns = [owner, *(table.c[name] for name in visitor_columns)]
                statement = sa.select(*columns).select_from(source).where(*where).distinct()
                for row in connection.execute(statement):
                    if row[0] is not None:
                        owners.add(row[0])
                    else:
                        visitors.update(str(value).strip().lower() for value in row[1:] if value)
            else:
                raise AffectedError(
                    _("Table %(table)s has no owner in the map: whose rows they are is unknown.")
                    % {"table": selector.table}
                )
            contacts = _contacts(connection, layout, email_roots, sorted(owners, key=str))
            places = _residences(connection, layout, residence, sorted(owners, key=str))
    except SQLAlchemyError as exc:
        raise AffectedError(
            _("System %(system)s: the query failed (%(error)s).")
            % {"system": selector.system, "error": type(exc).__name__}
        ) from None
    people = []
    for key in sorted(owners, key=str):
        country, region = places.get(key, (default, ""))
        group = jurisdiction_group(country, region)
        people.append(
            Person(
                crypto.keyed_identifier_hash("incident.person", f"{selector.system}:owner:{key}"),
                selector.system,
                group,
                language_for(group),
                contacts.get(key, ""),
            )
        )
    known = {person.contact.lower() for person in people if person.contact}
    for address in sorted(visitors - known):
        group = jurisdiction_group(default)
        people.append(
            Person(
                crypto.keyed_identifier_hash("incident.person", f"{selector.system}:email:{address}"),
                selector.system,
                group,
                language_for(group),
                address,
            )
        )
    return people


def _contacts(
    connection: sa.Connection, layout: Any, email_roots: list[tuple[str, str]], owners: list[Any]
) -> dict[Any, str]:
    found: dict[Any, str] = {}
    for table_name, column_name in email_roots:
        source, owner = layout.owner_join(table_name)
        column = layout.sa_table(table_name).c[column_name]
        for chunk in _chunks(owners):
            for key, address in connection.execute(
                sa.select(owner, column).select_from(source).where(owner.in_(chunk))
            ):
                if address and key not in found:
                    found[key] = str(address).strip()
    return found


def _residences(
    connection: sa.Connection, layout: Any, residence: Any, owners: list[Any]
) -> dict[Any, tuple[str, str]]:
    """Owner key -> (country, region) from the map's residence columns (the first row found)."""
    if residence is None or residence.country is None:
        return {}
    table_name, country_column = residence.country.split(".", 1)
    if table_name not in layout.tables or not layout.tables[table_name].owned:
        return {}
    source, owner = layout.owner_join(table_name)
    table = layout.sa_table(table_name)
    columns = [owner, table.c[country_column]]
    if residence.region and residence.region.split(".", 1)[0] == table_name:
        columns.append(table.c[residence.region.split(".", 1)[1]])
    found: dict[Any, tuple[str, str]] = {}
    for chunk in _chunks(owners):
        for row in connection.execute(sa.select(*columns).select_from(source).where(owner.in_(chunk))):
            if row[0] not in found and row[1]:
                found[row[0]] = (str(row[1]), str(row[2]) if len(row) > 2 and row[2] else "")
    return found


def count_by_group(people: Sequence[Person]) -> dict[str, int]:
    counts = {"JP": 0, "EEA_UK": 0, "US-CA": 0, "other": 0}
    for person in people:
        counts[person.jurisdiction] = counts.get(person.jurisdiction, 0) + 1
    return counts


def merge_counts(many: Sequence[Mapping[str, int]]) -> dict[str, int]:
    total = {"JP": 0, "EEA_UK": 0, "US-CA": 0, "other": 0}
    for counts in many:
        for key, value in counts.items():
            total[key] = total.get(key, 0) + value
    return total
