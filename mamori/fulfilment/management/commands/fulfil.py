"""`mamori fulfil access|erase MAP --email X`: run the engine against a map outside any request.

For engineers testing their map against a staging database: the map is read from PATH (not the
applied version) and each system is reached through the environment variable the map names.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from mamori.catalog.mapfile import MapReadError, PrivacyMap, load_map
from mamori.core.errors import DomainError
from mamori.fulfilment.engine import FulfilmentEngine
from mamori.fulfilment.plan_text import plan_lines

IDENTITY_OPTIONS = ("email", "phone", "customer_id", "user_id", "device_id")


def read_map(paths: list[str]) -> PrivacyMap:
    try:
        result = load_map(paths)
    except MapReadError as exc:
        raise CommandError(str(exc)) from exc
    if not result.ok or result.map is None:
        problems = "\n".join(str(problem) for problem in result.problems[:20])
        raise CommandError(_("the map has problems (run `mamori check`):\n%(problems)s") % {"problems": problems})
    return result.map


class Command(BaseCommand):
    help = "Run access or erasure for one person against the systems of a privacy map (engineers' test tool)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for name, text in (("access", "write the access package"), ("erase", "erase, or with --dry-run only plan")):
            action = sub.add_parser(name, help=text)
            action.add_argument("map", nargs="+", help="privacy map file or folder")
            for identity in IDENTITY_OPTIONS:
                action.add_argument(f"--{identity.replace('_', '-')}", dest=identity)
            action.add_argument("--language", default="en", choices=["en", "ja"])
            if name == "access":
                action.add_argument("--out", required=True, type=Path, help="ZIP file to write")
            else:
                action.add_argument("--dry-run", action="store_true", help="print the plan and change nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        identities = {kind: options[kind] for kind in IDENTITY_OPTIONS if options.get(kind)}
        if not identities:
            raise CommandError(_("give at least one identity, e.g. --email someone@example.com"))
        engine = FulfilmentEngine(read_map(options["map"]))
        try:
            if options["action"] == "access":
                written = engine.export(identities, options["out"], options["language"], key_prefix="cli-access")
                for system, tables in written.items():
                    for table, rows in tables.items():
                        self.stdout.write(f"{system}.{table}: {rows}")
                self._unavailable(engine)
                self.stdout.write(f"package: {options['out']}")
                return
            plan = engine.plan_erasure([identities])
            for line in plan_lines(plan, options["language"]):
                self.stdout.write(line)
            if options["dry_run"]:
                self.stdout.write("dry run: nothing changed")
                return
            erased = engine.execute_erasure(plan, key_prefix="cli-erase")
            residue = engine.verify_erasure(plan)
            self.stdout.write("")
            for system, tables in erased.items():
                for table, rows in tables.items():
                    left = residue.get(system, {}).get(table, 0)
                    self.stdout.write(f"{system}.{table}: {rows} rows changed, {left} left")
            self._unavailable(engine)
            if any(any(tables.values()) for tables in residue.values()):
                raise CommandError(_("verification found data left behind (see above)"))
        except Exception as exc:
            if isinstance(exc, DomainError):
                raise CommandError(str(exc)) from exc
            raise
        finally:
            engine.close()

    def _unavailable(self, engine: Any) -> None:
        for system, message in engine.unavailable.items():
            self.stderr.write(f"skipped {system}: {message}")
