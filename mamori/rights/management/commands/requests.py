"""`mamori requests metrics|sweep`: the yearly request metrics, and the daily housekeeping sweep."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from mamori.catalog.models import MapVersion
from mamori.rights.services import records


class Command(BaseCommand):
    help = "Rights requests: yearly metrics (received, complied, denied, median days) and the daily sweep."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        metrics = sub.add_parser("metrics", help="Yearly metrics per organisation (CPRA §7102-style report)")
        metrics.add_argument("--year", type=int, default=None)
        metrics.add_argument("--org", default=None, help="one organisation (default: every one)")
        metrics.add_argument("--format", choices=("text", "json"), default="text")
        sub.add_parser("sweep", help="Close unverifiable requests, send reminders, expire results, purge records")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "sweep":
            self.stdout.write(json.dumps(records.daily_sweep()))
            return
        year = options["year"] or timezone.now().year
        if not 2000 <= year <= 2100:
            raise CommandError(_("--year must be between 2000 and 2100"))
        organisations = [options["org"]] if options["org"] else MapVersion.objects.organisations()
        rows = [records.year_metrics(org, year) for org in organisations]
        if options["format"] == "json":
            self.stdout.write(json.dumps([row.as_dict() for row in rows]))
            return
        self.stdout.write("organisation\tyear\treceived\tcomplied\tdenied\tclosed_unverified\topen\tmedian_days")
        for row in rows:
            median = "-" if row.median_days_to_respond is None else f"{row.median_days_to_respond}"
            self.stdout.write(
                f"{row.organisation}\t{row.year}\t{row.received}\t{row.complied}\t{row.denied}\t"
                f"{row.closed_unverified}\t{row.open}\t{median}"
            )
