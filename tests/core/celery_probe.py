"""A job for the Celery delivery tests: it leaves a trace of each delivery in a folder.

Like every mamori job it is idempotent: a delivery that finds the job done does nothing more. Only the
first delivery can be told to hang, so a test can kill the worker in the middle of it.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from django_tasks import task


@task()
def probe(folder: str, name: str, hang_first: float = 0.0) -> str:
    base = Path(folder)
    starts = base / f"{name}.starts"
    with starts.open("a", encoding="utf-8") as handle:
        handle.write(f"{os.getpid()}\n")
    done = base / f"{name}.done"
    if done.exists():
        return "already done"
    if hang_first and len(starts.read_text(encoding="utf-8").split()) == 1:
        time.sleep(hang_first)
    with done.open("a", encoding="utf-8") as handle:  # appended, so a second completion would show
        handle.write(f"{os.getpid()}\n")
    return "done"
