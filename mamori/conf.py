"""Typed readers for environment variables.

Every setting comes from the environment so that one settings module serves the demo,
the tests and production. A bad value stops the process at start with a message naming
the variable, instead of surfacing later as a confusing failure.
"""

from __future__ import annotations

import os
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dj_database_url


class ConfigError(Exception):
    """A setting in the environment is missing or has a bad value."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None else value


def env_secret(name: str, default: str | None = None) -> str | None:
    """Read NAME, or the contents of the file named by NAME_FILE (for container secrets)."""
    direct = os.environ.get(name)
    file_name = os.environ.get(f"{name}_FILE")
    if direct is not None and file_name is not None:
        raise ConfigError(f"{name} and {name}_FILE are both set; set only one")
    if file_name is not None:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"{name}_FILE: cannot read {file_name}: {exc.strerror}") from exc
    return default if direct is None else direct


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigError(f"{name}={value!r} is not a boolean (use 1/0, true/false, yes/no, on/off)")


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{name}={value!r} is not a whole number") from None
    if minimum is not None and number < minimum:
        raise ConfigError(f"{name}={number} is below the minimum {minimum}")
    if maximum is not None and number > maximum:
        raise ConfigError(f"{name}={number} is above the maximum {maximum}")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name, default)
    if value not in choices:
        raise ConfigError(f"{name}={value!r} must be one of: {', '.join(choices)}")
    return value


def env_timezone(name: str, default: str) -> str:
    value = os.environ.get(name, default)
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{name}={value!r} is not a known time zone (e.g. Asia/Tokyo)") from None
    return value


def database_config(url: str, *, base_dir: Path) -> dict[str, object]:
    """Turn MAMORI_DATABASE_URL into Django's DATABASES entry, failing loudly on nonsense."""

    scheme = url.split(":", 1)[0].lower()
    supported = {"sqlite", "postgres", "postgresql", "pgsql", "mysql", "mariadb"}
    if scheme not in supported:
        raise ConfigError(
            f"MAMORI_DATABASE_URL has unsupported scheme {scheme!r}; use sqlite:///PATH, "
            "postgres://USER@HOST:PORT/NAME or mysql://USER@HOST:PORT/NAME"
        )
    if scheme == "mariadb":
        url = "mysql" + url[len("mariadb") :]
    try:
        config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=60))
    except Exception as exc:  # dj-database-url raises plain ValueError/KeyError variants
        raise ConfigError(f"MAMORI_DATABASE_URL cannot be parsed: {exc}") from None
    if scheme == "sqlite":
        name = str(config.get("NAME") or "")
        if not name or name == ":memory:":
            raise ConfigError("MAMORI_DATABASE_URL: a SQLite URL needs a file path (sqlite:///path/db.sqlite3)")
        path = Path(name)
        if not path.is_absolute():
            path = base_dir / path
        path.parent.mkdir(parents=True, exist_ok=True)
        config["NAME"] = str(path)
        config["CONN_MAX_AGE"] = 0
        # WAL lets the web server read while the embedded worker writes.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=10000;",
            "transaction_mode": "IMMEDIATE",
        }
    elif config.get("ENGINE") == "django.db.backends.mysql":
        config["OPTIONS"] = {"charset": "utf8mb4", "init_command": "SET sql_mode='STRICT_TRANS_TABLES'"}
    return config
