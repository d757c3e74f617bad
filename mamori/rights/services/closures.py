"""Company closure days, set in the console and fed into the business calendar."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from mamori.audit.services import Actor, record
from mamori.calendars import get_calendar
from mamori.catalog.in_force import map_in_force
from mamori.rights.models import ClosureDay
from mamori.rights.services.common import RightsError


@transaction.atomic
def add_closure(organisation: str, day: date, name: str, actor: Actor, *, user: Any = None) -> ClosureDay:
    _version, privacy_map = map_in_force(organisation, missing=RightsError)
    if not name.strip():
        raise RightsError(_("a closure day needs a name"), code="name_required")
    if ClosureDay.objects.filter(organisation=organisation, day=day).exists():
        raise RightsError(_("that day is already a closure day"), code="duplicate")
    try:  # a day outside the holiday data would make every later deadline fail
        get_calendar(privacy_map.organisation.country).is_business_day(day)
    except Exception as exc:
        raise RightsError(str(exc), code="bad_day") from exc
    closure = ClosureDay.objects.create(organisation=organisation, day=day, name=name.strip()[:120], created_by=user)
    record(
        actor,
        "calendar.closure_added",
        target_type="rights.closure",
        target_id=str(closure.pk),
        details={"organisation": organisation, "day": day.isoformat()},
    )
    return closure


@transaction.atomic
def remove_closure(closure_id: int, actor: Actor) -> None:
    closure = ClosureDay.objects.select_for_update().filter(pk=closure_id).first()
    if closure is None:
        raise RightsError(_("no such closure day"), code="not_found")
    record(
        actor,
        "calendar.closure_removed",
        target_type="rights.closure",
        target_id=str(closure.pk),
        details={"organisation": closure.organisation, "day": closure.day.isoformat()},
    )
    closure.delete()
