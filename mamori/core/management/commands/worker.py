"""`mamori worker`: run queued jobs, resuming those whose worker died (core/leases.py)."""

from __future__ import annotations

import os
import socket
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.crypto import get_random_string

from mamori.core.worker import LeasedWorker


class Command(BaseCommand):
    help = "Run the embedded database job worker (fulfilment, retention, mail, reminders)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queues", default="*", help="comma-separated queue names, * for all")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls when idle")
        parser.add_argument("--batch", action="store_true", help="exit once the queue is empty")

    def handle(self, *args: Any, **options: Any) -> None:
        worker_id = f"{socket.gethostname()[:40]}-{os.getpid()}-{get_random_string(6)}"
        worker = LeasedWorker(
            queue_names=[name.strip() for name in options["queues"].split(",") if name.strip()],
            interval=max(0.05, options["interval"]), batch=options["batch"], backend_name="default",
            startup_delay=False, max_tasks=None, worker_id=worker_id[:64], excluded_queue_names=[],
        )  # fmt: skip
        worker.configure_signals()
        worker.run()
