from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from mamori.core.server import worker_command


class Command(BaseCommand):
    help = ("Run a job worker (fulfilment, retention, mail, reminders): a Celery worker when MAMORI_BROKER_URL "
            "is set, else the embedded database worker.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queues", default="*", help="database worker: comma-separated queue names, * for all")
        parser.add_argument("--concurrency", type=int, default=0,
                            help="Celery worker: processes (default: one per CPU core)")

    def handle(self, *args: Any, **options: Any) -> None:
        command = worker_command(options["queues"], concurrency=options["concurrency"])
        os.execv(command[0], command)  # noqa: S606 - replace this process with the worker
