"""Running the web server and the embedded job worker, alone or together."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable

logger = logging.getLogger("mamori.server")


def worker_command(queues: str = "*", *, concurrency: int = 0) -> list[str]:
    """The job worker for the configured transport: Celery with a broker, else the database worker."""
    from django.conf import settings

    if settings.TASKS_BACKEND == "celery":
        # A node name per process, so several workers on one host do not clash.
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "mamori.core.celery_worker",
            "worker",
            "--loglevel",
            "INFO",
            "-n",
            f"mamori.{os.getpid()}@%h",
            "-Q",
            settings.MAMORI_BROKER_QUEUE,
        ]
        return command + (["--concurrency", str(concurrency)] if concurrency else [])
    return [sys.executable, "-m", "mamori", "worker", "--queues", queues]  # the leased database worker


def gunicorn_command(host: str, port: int, workers: int, threads: int = 8) -> list[str]:
    """Several web processes behind one port. gunicorn forks them; the default single process stays
    waitress, which also runs where fork does not."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "mamori.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--timeout",
        "120",
        "--graceful-timeout",
        "10",
        "--log-level",
        "warning",
    ]


def serve_web(
    host: str, port: int, *, threads: int = 8, workers: int = 1, on_ready: Callable[[], None] | None = None
) -> None:
    """Serve the WSGI application until interrupted (SIGINT/SIGTERM): waitress in this process, or
    gunicorn with `workers` processes."""
    if workers > 1:
        _serve_gunicorn(host, port, workers, threads, on_ready)
        return
    # Imported here: the WSGI application loads settings, which the caller sets up first.
    from waitress.server import create_server

    from mamori.wsgi import application

    server = create_server(application, host=host, port=port, threads=threads, ident="mamori")

    def _stop(signum: int, frame: object) -> None:
        server.close()

    previous = {s: signal.signal(s, _stop) for s in (signal.SIGINT, signal.SIGTERM)}
    if on_ready is not None:
        on_ready()
    try:
        server.run()
    except (OSError, ValueError):
        # waitress raises once its sockets are closed under it by _stop; that is the clean way out.
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _serve_gunicorn(host: str, port: int, workers: int, threads: int, on_ready: Callable[[], None] | None) -> None:
    web = subprocess.Popen(gunicorn_command(host, port, workers, threads), env=os.environ.copy())  # noqa: S603

    def _stop(signum: int, frame: object) -> None:
        web.send_signal(signal.SIGTERM)

    previous = {s: signal.signal(s, _stop) for s in (signal.SIGINT, signal.SIGTERM)}
    if on_ready is not None:
        on_ready()
    try:
        web.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if web.poll() is None:
            web.kill()
            web.wait()


def serve_with_worker(
    host: str, port: int, *, workers: int = 1, threads: int = 8, on_ready: Callable[[], None] | None = None
) -> int:
    """Web server in this process, the database job worker as a child; stop both together."""
    worker = subprocess.Popen(  # noqa: S603 - our own interpreter and module, no shell
        worker_command(), env=os.environ.copy(), start_new_session=True
    )
    watcher_done = threading.Event()

    def _watch_worker() -> None:
        code = worker.wait()
        if not watcher_done.is_set():
            logger.error("the job worker stopped unexpectedly (exit %s); stopping the web server", code)
            os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=_watch_worker, daemon=True).start()
    # Imported here: the schedule loads jobs, i.e. models, once Django is set up.
    from mamori.core.schedule import start_in_thread

    stop_scheduler = start_in_thread()
    try:
        serve_web(host, port, workers=workers, threads=threads, on_ready=on_ready)
    finally:
        stop_scheduler.set()
        watcher_done.set()
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
    return 0
