"""Children (OM11, CP9): staff learn that a person is under the company's minimum age.

The person's data is erased through the normal engine: a request is recorded for them, verified
on the company's own knowledge (no requester verification), and its plan computed for staff to
execute; their address goes on the sale/sharing opt-out list at once, so nothing is sold or shared
meanwhile. Who recorded it and why is in the audit log (the reason as a code; free text as an
internal note, never in the log).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mamori.audit.services import Actor
from mamori.catalog.in_force import map_in_force
from mamori.rights.models import Channel, RequestNote, RightsRequest
from mamori.rights.services.common import RightsError, audit
from mamori.rights.services.intake import Submission, submit_request
from mamori.rights.services.verification import mark_verified

MINOR_REASONS = {
    "self_declared": gettext_lazy("The person told us their age"),
    "parent_or_guardian": gettext_lazy("A parent or guardian told us"),
    "document": gettext_lazy("A document shows the age"),
    "other": gettext_lazy("Other (see the note)"),
}


def minimum_age(organisation: str) -> int | None:
    """The age below which the company serves no one (OM11) or sells nothing (CP9), from the map."""
    _version, privacy_map = map_in_force(organisation, missing=RightsError)
    commitments = privacy_map.commitments
    ages = [
        age
        for age in (commitments.minimum_age, commitments.sale.no_sale_under_age if commitments.sale else None)
        if age
    ]
    return max(ages) if ages else None


def record_minor(
    organisation: str,
    *,
    jurisdiction: str,
    name: str,
    email: str,
    data_points: dict[str, str],
    reason: str,
    note: str,
    actor: Actor,
    staff: Any,
) -> RightsRequest:
    if reason not in MINOR_REASONS:
        raise RightsError(_("say how the company learned the person is under age"), code="reason_required")
    if not (email.strip() or any(value.strip() for value in data_points.values())):
        raise RightsError(
            _("give an e-mail address or a customer number to find the person's data"), code="identity_required"
        )
    with transaction.atomic():
        request, _token = submit_request(
            Submission(
                organisation=organisation,
                right="erasure",
                jurisdiction=jurisdiction,
                requester_name=name,
                requester_email=email.strip(),
                channel=Channel.IN_PERSON,
                data_points=data_points,
                message="",
                language="ja" if jurisdiction == "JP" else "en",
            ),
            actor,
            staff=staff,
            notify=False,
        )
        audit(actor, "minor_recorded", request, reason=reason, minimum_age=minimum_age(organisation))
        if note.strip():
            RequestNote.objects.create(request=request, author=staff, text=note.strip(), at=request.received_at)
        mark_verified(request, actor, method="minor_recorded")
        if email.strip():
            from mamori.consent.services.subscriptions import record_sale_opt_out

            record_sale_opt_out(organisation, email=email.strip())  # CP9: no sale or sharing from now on
    return request
