"""`mamori fulfil access|erase` on the demo shop (SQLite)."""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from .conftest import ONEMALL


@pytest.fixture
def shop(sqlite_shop: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("MAMORI_ONEMALL_SHOP_URL", sqlite_shop)
    monkeypatch.delenv("MAMORI_ONEMALL_OSS_WEBHOOK_URL", raising=False)
    return sqlite_shop


def count(url: str, sql: str) -> int:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
        return int(connection.execute(sql).fetchone()[0])


def test_access_writes_the_package_and_names_unreachable_systems(
    shop: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "hanako.zip"
    call_command("fulfil", "access", str(ONEMALL), "--email", "hanako.yamada@example.jp", "--out", str(out))
    captured = capsys.readouterr()
    assert "shop-db.orders: 2" in captured.out
    assert "skipped alibaba-oss" in captured.err and "MAMORI_ONEMALL_OSS_WEBHOOK_URL" in captured.err
    with zipfile.ZipFile(out) as archive:
        assert "data/shop-db/customers.csv" in archive.namelist()


def test_erase_dry_run_prints_the_plan_and_changes_nothing(shop: str, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("fulfil", "erase", str(ONEMALL), "--customer-id", "1", "--dry-run")
    out = capsys.readouterr().out
    assert "login_sessions: 2 rows, rows deleted" in out
    assert "payments: 1 rows, rows kept unchanged" in out and "order-records" in out
    assert "paper-request-forms" in out
    assert count(shop, "SELECT count(*) FROM login_sessions WHERE customer_id = 1") == 2


def test_erase_then_counts(shop: str, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("fulfil", "erase", str(ONEMALL), "--email", "hanako.yamada@example.jp")
    assert "shop-db.login_sessions: 2 rows changed, 0 left" in capsys.readouterr().out
    assert count(shop, "SELECT count(*) FROM login_sessions WHERE customer_id = 1") == 0


def test_bad_input_is_a_clear_error(shop: str, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="at least one identity"):
        call_command("fulfil", "erase", str(ONEMALL), "--dry-run")
    broken = tmp_path / "broken.yaml"
    broken.write_text("mamori: 1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="problems"):
        call_command("fulfil", "erase", str(broken), "--email", "a@example.jp")
    with pytest.raises(CommandError, match="cannot read"):
        call_command("fulfil", "erase", str(tmp_path / "missing"), "--email", "a@example.jp")
