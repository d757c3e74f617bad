"""Connectors: how the fulfilment engine reaches one kind of datastore (docs/fulfilment.md).

Each kind lives in its own package (`sql`, `webhook`, `manual`) and implements the small interface
of `base.py`. `connector_for(system, privacy_map, environ)` picks the right one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from mamori.fulfilment.connectors.base import Connector, ConnectorError, SystemNotConfigured

if TYPE_CHECKING:
    from mamori.catalog.mapfile import PrivacyMap
    from mamori.catalog.mapfile.schema import System


def connector_for(system: System, privacy_map: PrivacyMap, environ: Mapping[str, str]) -> Connector:
    if system.connector == "sql":
        # Imported per kind: each connector module imports this package (Connector), and a
        # map without SQL systems does not load SQLAlchemy.
        from mamori.fulfilment.connectors.sql import SqlConnector

        return SqlConnector.from_environment(system, privacy_map, environ)
    if system.connector == "webhook":
        from mamori.fulfilment.connectors.webhook import WebhookConnector

        return WebhookConnector.from_environment(system, environ)
    from mamori.fulfilment.connectors.manual import ManualConnector

    return ManualConnector(system)


__all__ = ["Connector", "ConnectorError", "SystemNotConfigured", "connector_for"]
