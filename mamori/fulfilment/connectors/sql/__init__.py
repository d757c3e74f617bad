"""SQL datastores through SQLAlchemy Core (see connector.py, layout.py, erasure.py)."""

from mamori.fulfilment.connectors.sql.connector import SqlConnector, normalise_url

__all__ = ["SqlConnector", "normalise_url"]
