from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from mamori.core.server import worker_command


class Command(BaseCommand):
    help = "Run the embedded database job worker (fulfilment, retention, mail, reminders)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queues", default="*", help="comma-separated queue names, * for all")

    def handle(self, *args: Any, **options: Any) -> None:
        command = worker_command(options["queues"])
        os.execv(command[0], command)  # noqa: S606 - replace this process with the worker
