"""`mamori worker`: run queued jobs, resuming those whose worker died (core/leases.py)."""

from __future__ import annotations

import os
import socket
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils.crypto import get_random_string

from mamori.core.server import worker_command
from mamori.core.worker import LeasedWorker


class Command(BaseCommand):
    help = (
        "Run a job worker (fulfilment, retention, mail, reminders): a Celery worker when MAMORI_BROKER_URL "
        "is set, else the embedded database worker."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queues", default="*", help="database worker: comma-separated queue names, * for all")
        parser.add_argument(
            "--concurrency", type=int, default=0, help="Celery worker: processes (default: one per CPU core)"
        )
        parser.add_argument("--interval", type=float, default=1.0, help="database worker: seconds between polls")
        parser.add_argument("--batch", action="store_true", help="database worker: exit once the queue is empty")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.TASKS_BACKEND == "celery":
            command = worker_command(options["queues"], concurrency=options["concurrency"])
            os.execv(command[0], command)  # noqa: S606 - replace this process with the worker
        # The database worker runs here, with leases (core/leases.py): a killed worker's job resumes.
        worker_id = f"{socket.gethostname()[:40]}-{os.getpid()}-{get_random_string(6)}"
        worker = LeasedWorker(
            queue_names=[name.strip() for name in options["queues"].split(",") if name.strip()],
            interval=max(0.05, options["interval"]),
            batch=options["batch"],
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id[:64],
            excluded_queue_names=[],
        )
        worker.configure_signals()
        worker.run()
