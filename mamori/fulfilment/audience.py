"""The people in the company's own systems, told about a material change of the notices.

A notice audience (`notices.audiences`): every address in a column the map names as an `email`
identity of a `sql` system, read through the fulfilment connector (its reflected layout and
ownership rules, as for requests): all rows of a root table (customers), and the rows without an
owner elsewhere (a visitor's inquiry; a row with a customer number is that customer's, whatever
address was typed into it).

Set-based and in batches: per column, one short query per BATCH rows, by keyset (`WHERE column >
last ORDER BY column LIMIT BATCH`), so nobody's list sits in memory and no read transaction stays
open while mail is sent. The same address in two columns (or two systems) comes twice; the notices
job sends once per person anyway (its claim is per release and keyed hash of the address).

Language: the map's `residence.language` column where it is on the same table as the address
(`customers.preferred_language`), else the system's default: Japanese for people taken to be in
Japan (`residence.default`, else the organisation's country), English otherwise.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from mamori.catalog.in_force import NoMapApplied, map_in_force
from mamori.catalog.mapfile import PrivacyMap
from mamori.catalog.mapfile.schema import System
from mamori.fulfilment.connectors.base import ConnectorError
from mamori.fulfilment.services.common import engine_for

logger = logging.getLogger(__name__)

BATCH = 500


def language_of(value: Any, default: str) -> str:
    text = str(value or "").strip().lower()
    if text.startswith("ja"):
        return "ja"
    if text.startswith("en"):
        return "en"
    return default


def default_language(system: System, privacy_map: PrivacyMap) -> str:
    residence = system.residence
    country = residence.default if residence is not None and residence.default != "unknown" else None
    return "ja" if (country or privacy_map.organisation.country) == "JP" else "en"


def email_columns(layout: Any) -> list[tuple[str, str]]:
    """(table, column) of every `email` identity column, in map order."""
    return list(layout.identity_columns.get("email", []))


def _batches(connector: Any, system: System, privacy_map: PrivacyMap) -> Iterator[list[tuple[str, str]]]:
    layout = connector.layout
    default = default_language(system, privacy_map)
    language_ref = system.residence.language if system.residence is not None else None
    for table_name, column_name in email_columns(layout):
        table = layout.sa_table(table_name)
        column = table.c[column_name]
        language = None
        if language_ref and language_ref.split(".", 1)[0] == table_name:
            language = table.c[language_ref.split(".", 1)[1]]
        where: list[sa.ColumnElement[bool]] = [column.is_not(None)]
        if not layout.finds_roots(table_name):
            owner = layout.owner_column(table_name)
            if owner is None or not any(found == column_name for _kind, found in layout.visitor_columns(table_name)):
                continue  # every row has an owner, found through the root's own address
            where.append(table.c[owner].is_(None))
        selected = [column, language if language is not None else sa.null()]
        last: Any = None
        while True:
            statement = sa.select(*selected).where(*where)
            if last is not None:
                statement = statement.where(column > last)
            statement = statement.order_by(column).limit(BATCH)
            with connector.engine.connect() as connection:
                rows = connection.execute(statement).all()
            if not rows:
                break
            last = rows[-1][0]
            yield [(str(row[0]).strip(), language_of(row[1], default)) for row in rows if "@" in str(row[0])]
            if len(rows) < BATCH:
                break


def company_people(organisation: str) -> Iterator[tuple[str, str]]:
    """(e-mail, language) of everyone in the organisation's sql systems, batch by batch.

    A system that cannot be read is skipped so the others are still told; at the end the error is
    raised, naming the systems (never a person), so the job records that its audience was incomplete.
    """
    try:
        _version, privacy_map = map_in_force(organisation)
    except NoMapApplied:
        return
    systems = [system for system in privacy_map.systems if system.connector == "sql" and "email" in system.identities]
    if not systems:
        return
    _number, engine = engine_for(organisation)
    unreached: list[str] = []
    for system in systems:
        try:
            connector = engine.connector(system.id)
            for batch in _batches(connector, system, privacy_map):
                yield from batch
        except (ConnectorError, SQLAlchemyError) as exc:
            logger.warning("notice audience: system %s cannot be read (%s)", system.id, type(exc).__name__)
            unreached.append(system.id)
    if unreached:
        raise ConnectorError(f"systems not read: {', '.join(unreached)}", code="audience_incomplete")
