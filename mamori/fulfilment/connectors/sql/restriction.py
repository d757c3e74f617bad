"""Restriction of use recorded in the company's own database (GDPR Art. 18, APPI Art. 35).

The map names how the system records it (`restriction:` on the system):

- `flag: customers.restricted` — a boolean column on a root table, set for the person's rows;
- `keys: restricted_customers.customer_id` — a table of restricted keys: the person's root keys
  are inserted (those not there yet) and deleted again when the restriction is lifted.

Set-based: one statement per root table (flag) or one read and one insert (keys).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from django.utils.translation import gettext_lazy as _

from mamori.fulfilment.connectors.base import ConnectorError

if TYPE_CHECKING:
    from mamori.fulfilment.connectors.sql.connector import SqlConnector


def record_restriction(
    connector: SqlConnector, state: Mapping[str, Any], index: int, *, restricted: bool
) -> dict[str, int]:
    restriction = connector.system.restriction
    if restriction is None:
        return {}
    layout = connector.layout
    with connector.engine.begin() as connection:
        if restriction.flag:
            table_name, column = restriction.flag.split(".", 1)
            table = layout.tables.get(table_name)
            if table is None or table.key is None or table.root != table_name:
                raise ConnectorError(
                    _("system %(system)s: restriction flag %(flag)s is not on a root table"),
                    system=connector.system_id,
                    flag=restriction.flag,
                )
            keys = connector._keys(state, table_name, index)
            if not keys:
                return {table_name: 0}
            statement = (
                sa.update(table.table)
                .where(
                    table.table.c[table.key].in_(keys),
                    sa.or_(table.table.c[column].is_(None), table.table.c[column] != restricted),
                )
                .values({column: restricted})
            )
            return {table_name: connection.execute(statement).rowcount}
        assert restriction.keys is not None
        table_name, column = restriction.keys.split(".", 1)
        keys_table = layout.metadata.tables.get(table_name)
        if keys_table is None or column not in keys_table.c:
            raise ConnectorError(
                _("system %(system)s: restriction table %(table)s does not exist"),
                system=connector.system_id,
                table=restriction.keys,
            )
        keys = sorted({key for root in layout.roots() for key in connector._keys(state, root, index)}, key=str)
        if not keys:
            return {table_name: 0}
        target = keys_table.c[column]
        if not restricted:
            return {table_name: connection.execute(sa.delete(keys_table).where(target.in_(keys))).rowcount}
        present = {row[0] for row in connection.execute(sa.select(target).where(target.in_(keys)))}
        missing = [{column: key} for key in keys if key not in present]
        if missing:
            connection.execute(sa.insert(keys_table), missing)
        return {table_name: len(missing)}
