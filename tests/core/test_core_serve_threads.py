"""`mamori serve --threads`: the threads per web process reach gunicorn, and a bad value is refused
before anything starts."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from mamori.core.server import gunicorn_command


def test_gunicorn_runs_the_threads_asked_for() -> None:
    command = gunicorn_command("127.0.0.1", 8000, 2, 16)
    assert command[command.index("--threads") + 1] == "16"
    assert command[command.index("--workers") + 1] == "2"


def test_gunicorn_defaults_to_eight_threads() -> None:
    command = gunicorn_command("127.0.0.1", 8000, 2)
    assert command[command.index("--threads") + 1] == "8"


@pytest.mark.parametrize("threads", ["0", "65", "many"])
def test_serve_refuses_a_thread_count_out_of_range(threads: str) -> None:
    with pytest.raises(CommandError, match="threads"):
        call_command("serve", "--threads", threads, "--port", "1")
