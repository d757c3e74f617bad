"""Background jobs of the audit log (the scheduler queues `checkpoint` at a fixed interval)."""

from __future__ import annotations

from django_tasks import task


@task()
def checkpoint() -> int:
    """Sign the chain head into the checkpoint file; returns the entry number it recorded."""
    from mamori.audit.checkpoints import write_checkpoint

    return write_checkpoint().seq
