"""A request whose fulfilment job was given up (core/leases.py): the request shows the failure and
the people responsible for it are e-mailed, so a dead worker never leaves it silently "in progress"."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction

from mamori.audit.services import Actor
from mamori.fulfilment.models import FulfilmentRun
from mamori.fulfilment.services.abandon import abandon_run, give_up_message
from mamori.rights.models import RequestStatus, RightsRequest
from mamori.rights.services.common import audit


def fulfilment_abandoned(request_id: int, *, attempts: int, error: str = "") -> RightsRequest | None:
    """``error``: the class of the exception the job kept raising ("" when its workers died)."""
    from mamori.accounts.models import Role, User
    from mamori.rights.mail import render_mail, request_context

    with transaction.atomic():
        request = RightsRequest.objects.select_for_update().filter(pk=request_id).first()
        if request is None or request.status != RequestStatus.IN_PROGRESS:
            return request
        for run_id in FulfilmentRun.objects.filter(request_id=request_id).values_list("pk", flat=True):
            abandon_run(run_id, attempts=attempts, error=error)
        request.outcome_status = "failed"
        request.outcome_summary = {"message": give_up_message(attempts, error), "attempts": attempts, "error": error}
        request.save(update_fields=["outcome_status", "outcome_summary"])
        audit(Actor.system("jobs"), "fulfilment_abandoned", request, attempts=attempts, error=error)
        people = (
            [request.assignee]
            if request.assignee
            else list(User.objects.filter(role=Role.PRIVACY_OFFICER, is_active=True))
        )
        recipients = [(person.email, person.language) for person in people if person is not None and person.email]
        console_url = f"{settings.BASE_URL}/console/requests/{request.pk}/"

        def send() -> None:
            for address, language in recipients:
                subject, body = render_mail(
                    "job_failed",
                    language,
                    request_context(request, attempts=attempts, error=error, console_url=console_url),
                )
                EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [address]).send()

        transaction.on_commit(send)
    return request
