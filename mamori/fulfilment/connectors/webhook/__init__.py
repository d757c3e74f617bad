"""The company's own services behind an HTTPS webhook (see connector.py)."""

from mamori.fulfilment.connectors.webhook.connector import WebhookConnector, secret_env_name, sign

__all__ = ["WebhookConnector", "secret_env_name", "sign"]
