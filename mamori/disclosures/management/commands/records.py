"""`mamori records import FILE --organisation ORG --direction provision|receipt` and `mamori records sweep`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from mamori.audit.services import Actor
from mamori.disclosures import csv_import
from mamori.disclosures.models import Channel, Direction
from mamori.disclosures.services import DisclosureError, dispose_expired, record_batch

EXIT_INVALID = 1


class Command(BaseCommand):
    help = "Import provision or receipt records from CSV; dispose of records whose period has ended."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{import,sweep}")
        importer = sub.add_parser("import", help="import a CSV file (one line per person; docs/records.md)")
        importer.add_argument("file", metavar="FILE")
        importer.add_argument("--organisation", "--org", required=True, metavar="ORG")
        importer.add_argument("--direction", choices=list(Direction.values), required=True)
        sub.add_parser("sweep", help="dispose of the records whose keeping period has ended")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "sweep":
            self.stdout.write(f"{dispose_expired(actor=Actor.cli())} record(s) disposed")
            return
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(_("%(path)s: %(error)s") % {"path": path, "error": exc.strerror}) from exc
        parsed = csv_import.parse(data)
        errors = list(parsed.errors)
        if not errors:
            try:
                result = record_batch(
                    options["organisation"], options["direction"], parsed.records, Actor.cli(), channel=Channel.CSV
                )
            except DisclosureError as exc:
                errors = [parsed.locate(error) for error in exc.errors]
                if not errors:
                    raise CommandError(exc.message) from exc
            else:
                self.stdout.write(
                    f"{path}: {result.created} record(s) stored, {len(result.stored) - result.created} already there"
                )
                return
        for error in errors:
            where = f".{error.field}" if error.field else ""
            self.stderr.write(f"{path}:{error.line or 1}: record {error.index}{where}: {error.message}")
        self.stderr.write(f"{path}: {len(errors)} problem(s); nothing was stored")
        sys.exit(EXIT_INVALID)
