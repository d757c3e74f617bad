"""`mamori audit verify [--public-key KEY]`, `mamori audit checkpoint`, `mamori audit public-key`
and `mamori audit tail [-n N]`."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from mamori.audit.chain import iso_utc
from mamori.audit.checkpoints import checkpoint_file, write_checkpoint
from mamori.audit.keys import AuditKeyError, public_key_from_text, public_key_text
from mamori.audit.models import AuditEntry
from mamori.audit.verify import verify_chain


class Command(BaseCommand):
    help = "Check the audit log's keyed chain and signed checkpoints, write a checkpoint, or show the newest entries."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser(
            "verify", help="walk the whole chain and hold it against the checkpoints; exit 1 at the first bad entry"
        )
        verify.add_argument(
            "--public-key",
            help="check checkpoint signatures with this public key (base64, as `public-key` prints) "
            "instead of the configured signing key",
        )
        sub.add_parser("checkpoint", help="sign the chain head and append it to the checkpoint file")
        sub.add_parser("public-key", help="print the public key that verifies checkpoints")
        tail = sub.add_parser("tail", help="print the newest entries, oldest first")
        tail.add_argument("-n", "--lines", type=int, default=20, help="how many entries (default 20)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "verify":
            try:
                key = public_key_from_text(options["public_key"]) if options.get("public_key") else None
            except AuditKeyError as exc:
                raise CommandError(str(exc)) from None
            status = verify_chain(key)
            if not status.intact:
                # Not CommandError: its "CommandError:" prefix would hide the one line people grep for.
                self.stderr.write(str(status))
                for problem in status.problems:
                    self.stderr.write(f"also: {problem}")
                raise SystemExit(1)
            self.stdout.write(str(status))
        elif options["subcommand"] == "checkpoint":
            checkpoint = write_checkpoint()
            self.stdout.write(
                f"checkpoint: entry #{checkpoint.seq} {checkpoint.hash} at {iso_utc(checkpoint.at)} "
                f"appended to {checkpoint_file()}"
            )
        elif options["subcommand"] == "public-key":
            self.stdout.write(public_key_text())
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
