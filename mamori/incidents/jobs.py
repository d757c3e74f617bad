"""Background jobs of the incident register (ids in, idempotent, queued after commit)."""

from __future__ import annotations

from django_tasks import task


@task()
def send_notices(incident_id: int) -> int:
    """Send every pending notice of an incident, batch after batch (each person once)."""
    from mamori.incidents.people import send_notice_batch

    total = 0
    while sent := send_notice_batch(incident_id):
        total += sent
    return total


@task()
def remind() -> int:
    """Deadline reminders to owners and officers (scheduled; each reminder once)."""
    from mamori.incidents.people import send_reminders

    return send_reminders()
