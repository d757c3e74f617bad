from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from mamori.core.schedule import enqueue_due, run_forever


class Command(BaseCommand):
    help = "Queue periodic jobs (request sweeps, reminders, purges) when they are due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="queue what is due now and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            names = enqueue_due()
            self.stdout.write("queued: " + (", ".join(names) if names else "nothing due"))
            return
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        run_forever(stop)
