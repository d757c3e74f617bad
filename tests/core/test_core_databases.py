"""MAMORI_DATABASE_URL chooses the database: the schema migrates on MariaDB/MySQL too."""

from __future__ import annotations

import secrets
from pathlib import Path

import pymysql
import pytest

from tests.core.test_core_settings import GOOD_KEY, run_mamori

MARIADB = {"host": "127.0.0.1", "port": 3306, "user": "root", "password": ""}


@pytest.fixture
def mariadb_database():
    try:
        connection = pymysql.connect(**MARIADB)  # type: ignore[arg-type]
    except pymysql.err.OperationalError as exc:
        pytest.skip(f"MariaDB is not reachable on 127.0.0.1:3306 ({exc.args[-1]})")
    name = f"mamori_t_{secrets.token_hex(4)}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    try:
        yield name
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        connection.close()


def test_migrates_on_mariadb(tmp_path: Path, mariadb_database: str) -> None:
    url = f"mysql://root@127.0.0.1:3306/{mariadb_database}"
    env = {"MAMORI_SECRET_KEY": GOOD_KEY, "MAMORI_DATA_DIR": str(tmp_path), "MAMORI_DATABASE_URL": url}
    result = run_mamori("migrate", "-v", "0", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    shown = run_mamori("showmigrations", "accounts", env=env, cwd=tmp_path)
    assert "[X] 0001_initial" in shown.stdout
