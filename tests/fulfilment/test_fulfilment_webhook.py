"""The webhook connector against a real local HTTP server: signatures, retries, idempotency keys."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest

from mamori.fulfilment.connectors import ConnectorError, SystemNotConfigured
from mamori.fulfilment.connectors.webhook import WebhookConnector, secret_env_name
from mamori.fulfilment.package import PackageWriter

from .conftest import onemall_map
from .fulfilment_webhook_server import SECRET

HANAKO = {"email": "hanako.yamada@example.jp"}


def make(url: str, secret: str = SECRET) -> WebhookConnector:
    system = onemall_map().system("alibaba-oss")
    return WebhookConnector(system, url, secret, backoff=0.01)


def test_signed_find_export_erase_verify(storage_adapter: tuple[Any, str], tmp_path: Path) -> None:
    adapter, url = storage_adapter
    oss = make(url)
    oss.test_connection()
    located = oss.locate([HANAKO, {"email": "taro.suzuki@example.jp"}])
    assert located["counts"] == {"objects": {"0": 2, "1": 1}}
    with PackageWriter(tmp_path / "p.zip", onemall_map(), "en") as package:
        assert oss.export(located, 0, package, idempotency_key="k-export") == {"objects": 2}
    with zipfile.ZipFile(tmp_path / "p.zip") as archive:
        assert b"profiles/1/photo.jpg" in archive.read("data/alibaba-oss/objects.csv")
    plan = oss.plan_erasure(oss.locate([HANAKO]))
    assert plan["tables"][0]["rows"] == 2 and plan["tables"][0]["action"] == "delete"
    assert oss.erase(plan, idempotency_key="run-1-step-3") == {"objects": 2}
    assert oss.verify(plan) == {"objects": 0}
    assert "taro.suzuki@example.jp" in adapter.objects
    assert all(call["signed"] for call in adapter.calls)


def test_retries_on_503_with_the_same_idempotency_key(storage_adapter: tuple[Any, str]) -> None:
    adapter, url = storage_adapter
    oss = make(url)
    plan = oss.plan_erasure(oss.locate([HANAKO]))
    adapter.fail_next = 2
    assert oss.erase(plan, idempotency_key="run-7-step-1") == {"objects": 2}
    erase_calls = [call for call in adapter.calls if call["action"] == "erase"]
    assert len(erase_calls) == 3 and {call["key"] for call in erase_calls} == {"run-7-step-1"}
    # A resumed run repeats the call with the same key: the adapter answers without erasing again.
    assert oss.erase(plan, idempotency_key="run-7-step-1") == {"objects": 2}


def test_wrong_secret_is_refused_without_retrying(storage_adapter: tuple[Any, str]) -> None:
    adapter, url = storage_adapter
    with pytest.raises(ConnectorError, match="HTTP 401"):
        make(url, secret="wrong").locate([HANAKO])
    assert len(adapter.calls) == 1


def test_gives_up_after_the_retries(storage_adapter: tuple[Any, str]) -> None:
    adapter, url = storage_adapter
    adapter.fail_next = 10
    with pytest.raises(ConnectorError, match="HTTP 503"):
        make(url).locate([HANAKO])
    assert len(adapter.calls) == 4


def test_plain_http_only_to_this_machine_and_configuration_from_the_environment() -> None:
    system = onemall_map().system("alibaba-oss")
    with pytest.raises(ConnectorError, match="https"):
        WebhookConnector(system, "http://storage.example.com/hook", SECRET)
    assert secret_env_name("MAMORI_ONEMALL_OSS_WEBHOOK_URL") == "MAMORI_ONEMALL_OSS_WEBHOOK_SECRET"
    with pytest.raises(SystemNotConfigured, match="MAMORI_ONEMALL_OSS_WEBHOOK_SECRET"):
        WebhookConnector.from_environment(system, {"MAMORI_ONEMALL_OSS_WEBHOOK_URL": "https://x.example/h"})
