"""Systems nobody can reach automatically (paper files, a SaaS console): see connector.py."""

from mamori.fulfilment.connectors.manual.connector import ManualConnector

__all__ = ["ManualConnector"]
