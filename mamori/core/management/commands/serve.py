from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from mamori.core.server import serve_web, serve_with_worker


class Command(BaseCommand):
    help = "Serve the web application (privacy center, consent, console, API): waitress, or gunicorn with --workers N."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--with-worker", action="store_true", help="also run a job worker")
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            choices=range(1, 65),
            metavar="N",
            help="web processes behind the one port (gunicorn when N > 1)",
        )
        # More threads per process let more consent events share one commit of the ledger
        # (bench/consent: 16 threads gave 3.5 events per commit and 1.5x the events/s of 4), at the
        # price of one database connection per busy thread (docs/deploy.md: the connection budget).
        parser.add_argument(
            "--threads",
            type=int,
            default=8,
            choices=range(1, 65),
            metavar="N",
            help="threads per web process (default 8)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]

        def ready() -> None:
            self.stdout.write(f"mamori serving on http://{host}:{port}/ (Ctrl-C to stop)")
            self.stdout.flush()

        if options["with_worker"]:
            serve_with_worker(host, port, workers=options["workers"], threads=options["threads"], on_ready=ready)
        else:
            serve_web(host, port, workers=options["workers"], threads=options["threads"], on_ready=ready)
