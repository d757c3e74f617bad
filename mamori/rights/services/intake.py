"""Intake: a request arrives from the privacy center, the API or staff (mail, phone, fax, paper)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mamori.audit.services import Actor
from mamori.catalog.in_force import map_in_force
from mamori.core import crypto
from mamori.core.filetypes import MAX_DOCUMENT_BYTES, document_type
from mamori.rights import clocks
from mamori.rights.mail import send_to_requester, status_url
from mamori.rights.models import Channel, Delivery, RequestFile, RequestStatus, RightsRequest
from mamori.rights.models.requests import ELECTRONIC_CHANNELS
from mamori.rights.rules import RuleError, requester_jurisdictions, rule_for
from mamori.rights.services.common import (
    RightsError,
    audit,
    closures_for,
    new_reference,
    new_token,
    status_token_hash,
    store_file,
)
from mamori.rights.services.verification import CodeLimitError, issue_code

# Data points a requester may give to be matched against the company's records (CP3).
DATA_POINT_KINDS = ("name", "phone", "postal_code", "customer_number", "order_number", "birth_date")


@dataclass
class Upload:
    kind: str
    filename: str
    content_type: str
    data: bytes


@dataclass
class Submission:
    organisation: str
    right: str
    jurisdiction: str
    requester_name: str
    channel: str = Channel.FORM
    requester_email: str = ""
    language: str = "en"
    delivery: str = Delivery.ELECTRONIC
    postal_address: str = ""
    phone: str = ""
    data_points: dict[str, str] = field(default_factory=dict)
    message: str = ""
    fields: dict[str, str] = field(default_factory=dict)  # rectification / addition: field -> new value
    specific_pieces: bool = False
    declaration_signed: bool = False
    is_agent: bool = False
    agent_name: str = ""
    agent_email: str = ""
    uploads: list[Upload] = field(default_factory=list)
    received_at: datetime | None = None


def _validate(sub: Submission) -> None:
    if sub.channel not in Channel.values:
        raise RightsError(_("unknown channel"), code="bad_channel")
    if sub.delivery not in Delivery.values:
        raise RightsError(_("unknown delivery method"), code="bad_delivery")
    if sub.language not in ("en", "ja"):
        raise RightsError(_("language must be en or ja"), code="bad_language")
    if not sub.requester_name.strip():
        raise RightsError(_("the requester's name is required"), code="name_required")
    for address in (sub.requester_email, sub.agent_email):
        if address:
            try:
                validate_email(address)
            except Exception as exc:
                raise RightsError(_("an e-mail address is not valid"), code="bad_email") from exc
    contact_email = sub.agent_email if sub.is_agent else sub.requester_email
    if sub.channel in ELECTRONIC_CHANNELS and not contact_email:
        raise RightsError(_("an e-mail address is required for electronic requests"), code="email_required")
    if sub.delivery == Delivery.PAPER and not sub.postal_address.strip():
        raise RightsError(_("a postal address is required for an answer on paper"), code="address_required")
    if sub.specific_pieces and not sub.declaration_signed:
        raise RightsError(_("specific pieces of information need a signed declaration"), code="declaration_required")
    unknown = set(sub.data_points) - set(DATA_POINT_KINDS)
    if unknown:
        raise RightsError(
            _("unknown data points: %(points)s"), code="bad_data_points", points=", ".join(sorted(unknown))
        )
    if sub.right in ("rectification", "addition") and not (sub.fields or sub.message.strip()):
        raise RightsError(_("say what should be corrected or added"), code="fields_required")
    kinds = {upload.kind for upload in sub.uploads}
    if sub.is_agent:
        if not sub.agent_name.strip():
            raise RightsError(_("the agent's name is required"), code="agent_name_required")
        missing = {RequestFile.Kind.AGENT_PERMISSION, RequestFile.Kind.AGENT_IDENTITY} - kinds
        if missing:  # CP8 / PC5: written permission and the agent's own identity documents
            raise RightsError(
                _("an agent must upload the written permission and their identity document"),
                code="agent_documents_required",
            )
    for upload in sub.uploads:
        if upload.kind not in RequestFile.Kind.values or upload.kind == RequestFile.Kind.RESULT:
            raise RightsError(_("unknown document kind"), code="bad_document")
        if not upload.data or len(upload.data) > MAX_DOCUMENT_BYTES:
            raise RightsError(_("each document must be between 1 byte and 10 MB"), code="bad_document_size")
        # Judged by content, not by the declared type; the type found is what is stored.
        found = document_type(upload.data)
        if found is None:
            raise RightsError(_("documents must be PDF, JPEG, PNG, HEIC or WebP"), code="bad_document_type")
        upload.content_type = found


@transaction.atomic
def submit_request(
    sub: Submission, actor: Actor, *, staff: Any = None, notify: bool = True
) -> tuple[RightsRequest, str]:
    """Create a request, compute its clocks and start verification. Returns it and its status token.

    The token is the requester's private link to the status page; only its keyed hash is stored.
    ``notify=False``: no receipt or code e-mail (staff act on the company's own knowledge, e.g. a minor).
    """
    # The map in force when the request arrived (a staff entry may be dated earlier): its rights and
    # clocks bind the request even if a later version takes effect before it is answered.
    version, privacy_map = map_in_force(sub.organisation, missing=RightsError, at=sub.received_at)
    if sub.jurisdiction not in requester_jurisdictions(privacy_map):
        raise RightsError(_("this jurisdiction is not served by the organisation"), code="bad_jurisdiction")
    try:
        rule = rule_for(privacy_map, sub.jurisdiction, sub.right)
    except RuleError as exc:
        raise RightsError(str(exc), code="right_not_offered") from exc
    _validate(sub)
    received_at = sub.received_at or timezone.now()
    if timezone.is_naive(received_at):
        raise RightsError(_("the time of receipt needs a time zone"), code="bad_received_at")
    if received_at > timezone.now():
        raise RightsError(_("the time of receipt cannot be in the future"), code="bad_received_at")
    zone = privacy_map.organisation.time_zone
    calendar = clocks.request_calendar(rule, closures_for(sub.organisation, rule.calendar_id, privacy_map))
    deadlines = clocks.compute_deadlines(
        rule,
        received_at,
        time_zone=zone,
        hours=clocks.opening_hours(privacy_map, calendar),
        closures=closures_for(sub.organisation, rule.calendar_id, privacy_map),
    )
    token = new_token()
    due_at = clocks.end_of_day_utc(deadlines.respond_by, zone)
    request = RightsRequest.objects.create(
        organisation=sub.organisation,
        map_version=version.number,
        reference=new_reference(),
        right=sub.right,
        jurisdiction=sub.jurisdiction,
        law=rule.law,
        calendar_id=rule.calendar_id,
        status=RequestStatus.VERIFYING,
        channel=sub.channel,
        delivery=sub.delivery,
        language=sub.language,
        requester_name=sub.requester_name.strip(),
        requester_email=sub.requester_email.strip(),
        postal_address=sub.postal_address.strip(),
        phone=sub.phone.strip(),
        data_points_encrypted=crypto.encrypt_json({k: v.strip() for k, v in sub.data_points.items() if v.strip()}),
        details_encrypted=crypto.encrypt_json({"message": sub.message.strip(), "fields": sub.fields}),
        specific_pieces=sub.specific_pieces,
        declaration_signed=sub.declaration_signed,
        is_agent=sub.is_agent,
        agent_name=sub.agent_name.strip(),
        agent_email=sub.agent_email.strip(),
        status_token_hash=status_token_hash(token),
        status_token=token,
        # Staff-entered and agent requests are checked by a person (documents, a phone call).
        needs_staff_review=sub.is_agent or sub.channel not in ELECTRONIC_CHANNELS,
        received_at=received_at,
        received_on=deadlines.received_on,
        acknowledge_by=clocks.end_of_day_utc(deadlines.acknowledge_by, zone) if deadlines.acknowledge_by else None,
        due_at=due_at,
        original_due_at=due_at,
        extend_limit_at=clocks.end_of_day_utc(deadlines.extend_limit, zone) if deadlines.extend_limit else None,
        verify_by=clocks.end_of_day_utc(deadlines.verify_by, zone),
        created_by=staff,
    )
    for upload in sub.uploads:
        store_file(request, upload.kind, upload.filename, upload.content_type, upload.data)
    audit(
        actor,
        "received",
        request,
        channel=request.channel,
        jurisdiction=request.jurisdiction,
        law=request.law,
        delivery=request.delivery,
        agent=request.is_agent,
        documents=len(sub.uploads),
        due_on=deadlines.respond_by.isoformat(),
    )
    if notify and (request.agent_email or request.requester_email):
        _send_after_commit(request.pk, "receipt", token)
        try:
            issue_code(request, actor, token=token)
        except CodeLimitError:
            # A new request for the same address buys no extra code: it is recorded, and the
            # requester asks for a code from the status page once the hour is over.
            audit(actor, "code_withheld", request)
    return request, token


def _send_after_commit(request_id: int, kind: str, token: str) -> None:
    def send() -> None:
        request = RightsRequest.objects.get(pk=request_id)
        send_to_requester(request, kind, status_url=status_url(request, token))

    transaction.on_commit(send)
