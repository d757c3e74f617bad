"""The Celery transport's retry rules, run through Celery itself (eagerly, no broker needed): a job
that raises runs `MAMORI_JOB_MAX_ATTEMPTS` times and is then given up; a DomainError (a refusal that
will not change) is given up after one run. The end-to-end case, a real worker on a real broker, is
tests/jobs/test_jobs_celery_retry.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import override_settings
from django_tasks import task

from mamori.core import celery_jobs
from mamori.core.errors import DomainError
from mamori.core.leases import on_give_up

# The task closes stale connections as a worker does, which a test transaction would not survive.
pytestmark = pytest.mark.django_db(transaction=True)


@task()
def refusing_or_raising(folder: str, refuse: bool) -> None:
    with (Path(folder) / "runs").open("a", encoding="utf-8") as handle:
        handle.write("run\n")
    if refuse:
        raise DomainError("this will not change", code="refused")
    raise ValueError("something about hanako.yamada@example.jp")  # text that must not be logged


@on_give_up(refusing_or_raising)
def _given_up(folder: str, refuse: bool, *, attempts: int, error: str = "") -> None:
    (Path(folder) / "given-up").write_text(f"{attempts} {error}", encoding="utf-8")


@pytest.mark.parametrize(("refuse", "runs", "given_up"), [(False, 3, "3 ValueError"), (True, 1, "1 DomainError")])
def test_a_celery_job_that_raises_is_retried_then_given_up(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, refuse: bool, runs: int, given_up: str
) -> None:
    celery_jobs.celery_app.cache_clear()
    try:
        with override_settings(
            MAMORI_BROKER_URL="redis://127.0.0.1:1/0", MAMORI_JOB_MAX_ATTEMPTS=3, MAMORI_JOB_LEASE_SECONDS=1
        ):
            job = celery_jobs.celery_app().tasks[celery_jobs.JOB_TASK]
            job.apply(args=[refusing_or_raising.module_path, [str(tmp_path), refuse], {}])
    finally:
        celery_jobs.celery_app.cache_clear()
    assert (tmp_path / "runs").read_text(encoding="utf-8").split() == ["run"] * runs
    assert (tmp_path / "given-up").read_text(encoding="utf-8") == given_up
    assert "hanako" not in caplog.text and "will not change" not in caplog.text
