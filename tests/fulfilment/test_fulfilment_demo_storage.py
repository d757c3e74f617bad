"""The demo's object-storage adapter speaks the webhook protocol, checked by the real connector."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.test import Client, override_settings

from mamori.catalog.mapfile import load_map
from mamori.fulfilment.connectors.base import ConnectorError
from mamori.fulfilment.connectors.webhook.connector import WebhookConnector
from mamori.fulfilment.demo_storage import URL_ENV, configure_for_demo, store_path

ONEMALL = Path(__file__).resolve().parents[2] / "examples" / "onemall"
HANAKO = {"email": "hanako.yamada@example.jp"}


@pytest.fixture
def storage(live_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> WebhookConnector:  # type: ignore[no-untyped-def]
    monkeypatch.delenv(URL_ENV, raising=False)
    monkeypatch.delenv(URL_ENV.replace("_URL", "_SECRET"), raising=False)
    with override_settings(MAMORI_DEMO=True, DATA_DIR=tmp_path):
        configure_for_demo(live_server.url)
        system = load_map([ONEMALL]).map.system("alibaba-oss")  # type: ignore[union-attr]
        yield WebhookConnector.from_environment(system, os.environ)
    os.environ.pop(URL_ENV, None)
    os.environ.pop(URL_ENV.replace("_URL", "_SECRET"), None)


@pytest.mark.django_db(transaction=True)
def test_find_export_erase_through_the_signed_webhook(storage: WebhookConnector, tmp_path: Path) -> None:
    storage.test_connection()
    located = storage.locate([HANAKO])
    assert located["counts"] == {"objects": {"0": 2}}
    plan = storage.plan_erasure(located)
    assert storage.erase(plan, idempotency_key="erase-1") == {"objects": 2}
    assert storage.erase(plan, idempotency_key="erase-1") == {"objects": 2}  # a retry: same answer, no effect
    assert storage.verify(plan) == {"objects": 0}
    assert "taro.suzuki@example.jp" in store_path().read_text()  # nobody else's objects touched


@pytest.mark.django_db(transaction=True)
def test_wrong_secret_is_refused(storage: WebhookConnector) -> None:
    storage.secret = b"not-the-secret"
    with pytest.raises(ConnectorError):
        storage.locate([HANAKO])


def test_adapter_is_off_outside_the_demo(client: Client) -> None:
    assert client.post("/demo/onemall-storage/", data="{}", content_type="application/json").status_code == 404
