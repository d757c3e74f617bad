"""The `mamori` command.

Commands that need no database (checking a privacy map) run without Django settings, so
`mamori check` works on a fresh clone with nothing configured. Everything else is a Django
management command (`mamori migrate`, `mamori map apply`, `mamori demo`, ...).
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

# Django's own `check` (system checks) stays reachable under this name.
DJANGO_SYSTEM_CHECK = "system-check"


def _run_check(argv: Sequence[str]) -> int:
    # Imported per command: `mamori check|calendar|notices` start without loading Django.
    from mamori.catalog.mapfile.cli import main as check_main

    return check_main(list(argv), prog="mamori check")


def _run_calendar(argv: Sequence[str]) -> int:
    from mamori.calendars.cli import main as calendar_main

    return calendar_main(list(argv), prog="mamori calendar")


def _run_notices(argv: Sequence[str]) -> int:
    from mamori.notices.cli import main as notices_main

    return notices_main(list(argv), prog="mamori notices")


def _run_scan(argv: Sequence[str]) -> int:
    from mamori.scanner.cli import main as scan_main

    return scan_main(list(argv), prog="mamori scan")


PURE_COMMANDS: dict[str, Callable[[Sequence[str]], int]] = {
    "check": _run_check,
    "calendar": _run_calendar,
    "notices": _run_notices,
    "scan": _run_scan,
}


def _use_demo_secret(*, create: bool) -> bool:
    """The demo must start with no set-up: keep a generated key in the data folder.

    Returns True when the demo's own key is in use, i.e. this is the demo's data folder.
    """
    if os.environ.get("MAMORI_SECRET_KEY") or os.environ.get("MAMORI_SECRET_KEY_FILE"):
        return False
    data_dir = Path(os.environ.get("MAMORI_DATA_DIR", "data")).resolve()
    key_file = data_dir / "secret_key"
    if not key_file.exists():
        if not create:
            return False
        data_dir.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        key_file.chmod(0o600)
    os.environ["MAMORI_SECRET_KEY_FILE"] = str(key_file)
    if not os.environ.get("MAMORI_ENCRYPTION_KEYS") and not os.environ.get("MAMORI_ENCRYPTION_KEYS_FILE"):
        encryption_file = data_dir / "encryption_keys"
        if not encryption_file.exists():
            # Imported here: only the demo's first start needs it.
            from cryptography.fernet import Fernet

            encryption_file.write_text(Fernet.generate_key().decode("ascii"), encoding="utf-8")
            encryption_file.chmod(0o600)
        os.environ["MAMORI_ENCRYPTION_KEYS_FILE"] = str(encryption_file)
    return True


def _run_map_inspect(argv: Sequence[str]) -> int:
    from mamori.fulfilment.inspect.cli import main as inspect_main

    return inspect_main(list(argv), prog="mamori map inspect")


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in PURE_COMMANDS:
        return PURE_COMMANDS[args[0]](args[1:])
    if args[:2] == ["map", "inspect"]:  # reads the map from disk and the databases: no settings needed
        return _run_map_inspect(args[2:])
    if args and args[0] == DJANGO_SYSTEM_CHECK:
        args[0] = "check"
    # The demo's own commands run against the demo's data folder with its generated key;
    # demo-only helpers are enabled only there, never where a real key is configured.
    demo_command = bool(args) and (
        args[0] in ("demo", "retention") or args[:2] in (["staff", "totp-code"], ["incidents", "demo-leak"])
    )
    if demo_command and _use_demo_secret(create=args[0] == "demo"):
        os.environ.setdefault("MAMORI_DEMO", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mamori.settings")

    # Imported after DJANGO_SETTINGS_MODULE and the demo key are set (settings read them on import).
    from django.core.management import execute_from_command_line

    from mamori.conf import ConfigError

    try:
        execute_from_command_line(["mamori", *args])
    except ConfigError as exc:
        print(f"mamori: configuration error: {exc}", file=sys.stderr)
        return 2
    return 0
