"""`mamori audit verify` and `mamori audit tail [-n N]`."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from mamori.audit.chain import iso_utc
from mamori.audit.models import AuditEntry
from mamori.audit.verify import verify_chain


class Command(BaseCommand):
    help = "Check the audit log's hash chain, or show its newest entries."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("verify", help="walk the whole chain; exit 1 at the first bad entry")
        tail = sub.add_parser("tail", help="print the newest entries, oldest first")
        tail.add_argument("-n", "--lines", type=int, default=20, help="how many entries (default 20)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "verify":
            status = verify_chain()
            if not status.intact:
                # Not CommandError: its "CommandError:" prefix would hide the one line people grep for.
                self.stderr.write(str(status))
                raise SystemExit(1)
            self.stdout.write(str(status))
        else:
            count = max(0, options["lines"])
            newest = list(AuditEntry.objects.order_by("-seq")[:count])
            for entry in reversed(newest):
                target = f"{entry.target_type}:{entry.target_id}" if entry.target_type else "-"
                details = json.dumps(entry.details, ensure_ascii=False, sort_keys=True)
                self.stdout.write(
                    f"#{entry.seq} {iso_utc(entry.at)} {entry.actor_kind}:{entry.actor_label} "
                    f"{entry.action} {target} {details}"
                )
