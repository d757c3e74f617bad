"""Periodic housekeeping is queued once per interval, however many schedulers tick."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from mamori.core.models import ScheduledJob
from mamori.core.schedule import PERIODIC, enqueue_due


@pytest.mark.django_db(transaction=True)
def test_each_job_is_queued_once_per_interval() -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert enqueue_due() == [job.name for job in PERIODIC]  # runs inline in tests (immediate backend)
        assert enqueue_due() == []  # a second scheduler in the same minute queues nothing
    with time_machine.travel(start + timedelta(minutes=30), tick=False):
        assert enqueue_due() == []
    with time_machine.travel(start + timedelta(hours=1, seconds=1), tick=False):
        assert enqueue_due() == [job.name for job in PERIODIC if job.every <= timedelta(hours=1)]
    assert ScheduledJob.objects.get(name="rights.sweep").last_enqueued_at is not None


@pytest.mark.django_db(transaction=True)
def test_scheduler_command_once(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("scheduler", "--once")
    assert "queued: rights.sweep" in capsys.readouterr().out
    call_command("scheduler", "--once")
    assert "nothing due" in capsys.readouterr().out
