"""The one interface between rights requests and the fulfilment engine.

Rights (this package) owns requests, identity verification and clocks; the
fulfilment engine owns finding, exporting and changing personal data in the
company's systems. They meet only here: the engine registers a handler for the
rights it can carry out (in ``FulfilmentConfig.ready()``), and rights hands a
verified request over as a :class:`FulfilmentTask`. With no handler for a
right, staff complete the request manually.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class FulfilmentTask:
    """A verified request, as the engine needs to see it (no free text from the requester)."""

    request_id: int
    organisation: str
    # Right ids as in docs/privacy-map.md (access, portability, erasure, rectification, restriction, ...).
    right: str
    # Verified identity kind -> value, e.g. {"email": "a@b.jp"}.
    identities: dict[str, str]
    language: str  # "en" | "ja"
    # Right-specific details, e.g. rectification: {"fields": {"contact.phone": "+81..."}}.
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class FulfilmentOutcome:
    status: str  # "completed" | "needs_review" | "failed"
    summary: dict[str, Any]  # counts per system/table, no personal data
    # A ZIP written by the engine; rights stores it encrypted, then deletes the file.
    package_path: Path | None = None
    message: str = ""
    # Set by `hand_back` once rights has recorded the outcome (stored the package, updated the request).
    recorded: bool = False


OUTCOME_STATUSES = ("completed", "needs_review", "failed")


@runtime_checkable
class FulfilmentHandler(Protocol):
    rights: tuple[str, ...]

    def plan(self, task: FulfilmentTask) -> dict[str, Any]:
        """What would happen, per system/table (shown to staff before execution)."""
        ...

    def execute(self, task: FulfilmentTask) -> FulfilmentOutcome:
        """Carry the task out; idempotent and resumable."""
        ...

    def match_data_points(self, organisation: str, points: dict[str, str]) -> set[str]:
        """Which of the submitted data points match the company's records (verification)."""
        ...

    # Optional, and needed by a handler of access, portability, erasure, rectification or restriction:
    # ``outcome(task) -> FulfilmentOutcome | None``, where the task's work stands now (None before it
    # was planned; besides the outcome statuses the run may be "planned" or "running"). Only
    # "completed" (every step done, erasure verified, each manual task recorded) lets such a request
    # be completed (`rights.services.workflow.work_outcome`).


_lock = threading.Lock()
_handlers: dict[str, FulfilmentHandler] = {}


def register_handler(handler: FulfilmentHandler) -> None:
    """Register ``handler`` for every right in ``handler.rights``; a later registration wins."""
    with _lock:
        for right in handler.rights:
            _handlers[right] = handler


def unregister_handler(handler: FulfilmentHandler) -> None:
    """Remove ``handler`` wherever it is registered (used by tests)."""
    with _lock:
        for right, registered in list(_handlers.items()):
            if registered is handler:
                del _handlers[right]


def handler_for(right: str) -> FulfilmentHandler | None:
    with _lock:
        return _handlers.get(right)


class OutcomeRecorder(Protocol):
    def __call__(self, request_id: int, outcome: FulfilmentOutcome) -> bool:
        """Record the outcome on the request; False when there is no such request."""
        ...


_recorder: list[OutcomeRecorder] = []


def register_outcome_recorder(recorder: OutcomeRecorder) -> None:
    """Rights registers how an outcome is recorded (in ``RightsConfig.ready()``)."""
    with _lock:
        _recorder[:] = [recorder]


def hand_back(request_id: int, outcome: FulfilmentOutcome) -> bool:
    """The engine finished (or stopped) a request's run, whoever started it: rights stores the package
    encrypted, deletes the clear copy and completes or updates the request. True when recorded."""
    with _lock:
        recorder = _recorder[0] if _recorder else None
    return recorder is not None and recorder(request_id, outcome)
