"""`mamori notices render ...` as a management command (see mamori/notices/cli.py)."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from mamori.notices.cli import main


class Command(BaseCommand):
    help = "Render the notices of a privacy map to standard output (no database needed)."
    requires_system_checks: list[str] = []  # rendering reads files only
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("args", nargs=argparse.REMAINDER, metavar="render PATH [options]")

    def run_from_argv(self, argv: list[str]) -> None:
        # Our own parser reads the arguments, so --help and errors look the same as the pure command.

        status = main(argv[2:], prog=f"{argv[0]} notices", stdout=self.stdout)
        if status:
            raise SystemExit(status)

    def handle(self, *args: Any, **options: Any) -> None:  # call_command("notices", "render", ...)

        status = main(list(args), stdout=self.stdout)
        if status:
            raise CommandError(_("rendering failed (status %(status)s)") % {"status": status}, returncode=status)
