"""`mamori demo`: one command from a fresh clone to a running, browsable mamori."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from mamori.accounts.services import ensure_demo_staff
from mamori.audit.services import Actor
from mamori.catalog.services import CatalogError, apply_map
from mamori.core.server import serve_with_worker
from mamori.fulfilment.demo_shop import ensure_demo_shop
from mamori.fulfilment.demo_storage import configure_for_demo
from mamori.notices.services import publish_if_new


def default_demo_map() -> Path:
    """The onemall example, found next to the package in a clone or under the current folder."""
    candidates = [
        Path(__file__).resolve().parents[4] / "examples" / "onemall",
        Path.cwd() / "examples" / "onemall",
    ]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise CommandError(_("examples/onemall not found; pass --map PATH to a privacy map"))


def _command_name() -> str:
    """How the person started mamori (`.venv/bin/mamori`, `python -m mamori`), so the hint can be pasted."""
    invoked = Path(sys.argv[0])
    if invoked.name == "__main__.py":
        return f"{Path(sys.executable).name} -m mamori"
    try:
        return str(invoked.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(invoked)


class Command(BaseCommand):
    help = "Set up and run the demo: migrate, apply the onemall map, create a demo officer, serve web + worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--map", type=Path, default=None, help="privacy map to apply (default: onemall)")
        parser.add_argument("--no-serve", action="store_true", help="set up only, do not start the servers")

    def handle(self, *args: Any, **options: Any) -> None:
        map_path = options["map"] or default_demo_map()
        self.stdout.write(f"database: {settings.DATABASES['default']['NAME']}")
        call_command("migrate", interactive=False, verbosity=0)
        try:
            version = apply_map([map_path], Actor.cli("demo"), note="mamori demo")
        except CatalogError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"privacy map: {version.organisation} version {version.number} ({map_path})")

        publish_if_new(version, Actor.cli("demo"))  # the privacy center shows published notices
        from mamori.disclosures.demo import ensure_demo_records

        ensure_demo_records(version.organisation)  # a provision-records request has something to show

        if not os.environ.get("MAMORI_ONEMALL_SHOP_URL"):  # the demo shop database fulfilment works on
            os.environ["MAMORI_ONEMALL_SHOP_URL"] = ensure_demo_shop(settings.DATA_DIR)

        # The worker reaches the demo's object-storage adapter on this machine, whatever --host is.
        configure_for_demo(f"http://127.0.0.1:{options['port']}")
        username, password, totp_secret = ensure_demo_staff()
        host, port = options["host"], options["port"]
        self.stdout.write(
            "\n".join(
                [
                    "",
                    "Demo privacy officer (sign in at the console):",
                    f"  console:     http://{host}:{port}/console/",
                    f"  username:    {username}",
                    f"  password:    {password}",
                    f"  2FA secret:  {totp_secret}   (add it to any authenticator app, or run:",
                    f"               {_command_name()} staff totp-code {username}   to print the current code)",
                    "",
                ]
            )
        )
        if options["no_serve"]:
            return

        def ready() -> None:
            self.stdout.write(f"mamori demo on http://{host}:{port}/ with the job worker (Ctrl-C stops both)")
            self.stdout.flush()

        serve_with_worker(host, port, on_ready=ready)
        self.stdout.write("stopped")
