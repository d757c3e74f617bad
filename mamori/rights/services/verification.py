"""Identity verification: e-mail one-time codes, matching data points, staff review of documents."""

from __future__ import annotations

import math
import secrets
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mamori.audit.services import Actor
from mamori.core import crypto
from mamori.rights.handover import handler_for
from mamori.rights.mail import send_to_requester, status_url
from mamori.rights.models import RequestFile, RequestStatus, RightsRequest, VerificationCode
from mamori.rights.models.requests import ELECTRONIC_CHANNELS
from mamori.rights.services.common import RightsError, audit, verification_code_hash
from mamori.rights.services.workflow import acknowledge, close_unverified

CODE_LIFETIME = timedelta(minutes=15)
MAX_ATTEMPTS = 5
# Per e-mail address over all its requests (a new request for the same address must not buy more):
# codes sent, and wrong guesses, within the last hour.
ADDRESS_WINDOW = timedelta(hours=1)
CODES_PER_ADDRESS = 4  # the first code and three resends
GUESSES_PER_ADDRESS = 10
# CPRA §7062: 2 matching points for reasonable certainty, 3 plus a signed declaration for specific pieces.
POINTS_REQUIRED = 2
POINTS_REQUIRED_SPECIFIC = 3


class CodeLimitError(RightsError):
    """Too many codes or guesses for one address; ``retry_after`` says in how many seconds it lifts."""

    code = "rate_limited"

    def __init__(self, message: Any, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)


def _locked(request: RightsRequest) -> RightsRequest:
    return RightsRequest.objects.select_for_update().get(pk=request.pk)


def _codes_of_address(request: RightsRequest, now: Any) -> Any:
    """Codes sent in the last hour to the address this request's codes go to, whatever the request."""
    address = request.agent_email_hash or request.requester_email_hash
    same_address = Q(request__agent_email_hash=address) | Q(
        request__agent_email_hash="", request__requester_email_hash=address
    )
    return VerificationCode.objects.filter(same_address, created_at__gt=now - ADDRESS_WINDOW)


def _lifts_in(oldest: Any, now: Any) -> int:
    return math.ceil((oldest + ADDRESS_WINDOW - now).total_seconds())


def check_code_allowance(request: RightsRequest) -> None:
    """Raise CodeLimitError if the request's address has had as many codes this hour as allowed."""
    now = timezone.now()
    sent = list(_codes_of_address(request, now).order_by("-created_at").values_list("created_at", flat=True))
    if len(sent) >= CODES_PER_ADDRESS:
        # The limit lifts when the oldest code that still counts leaves the window.
        raise CodeLimitError(
            _("Too many codes were sent to this address. Try again later."),
            retry_after=_lifts_in(sent[CODES_PER_ADDRESS - 1], now),
        )


@transaction.atomic
def issue_code(request: RightsRequest, actor: Actor, *, token: str) -> None:
    """E-mail a new one-time code; earlier codes stop working. Callers rate-limit per address and IP."""
    request = _locked(request)
    if request.status != RequestStatus.VERIFYING or request.email_verified_at is not None:
        raise RightsError(_("this request is not waiting for an e-mail code"), code="not_verifying")
    _send_code(request, actor, token, "code_sent")


@transaction.atomic
def issue_download_code(request: RightsRequest, actor: Actor, *, token: str) -> None:
    """E-mail a fresh one-time code for downloading the result: the status link alone is not enough
    (a forwarded or leaked link must not hand over the person's data)."""
    request = _locked(request)
    if not downloadable(request):
        raise RightsError(_("There is no result to download for this request."), code="no_result")
    _send_code(request, actor, token, "download_code_sent")


def downloadable(request: RightsRequest) -> bool:
    return (
        request.status == RequestStatus.COMPLETED
        and request.result_expires_at is not None
        and request.result_expires_at > timezone.now()
    )


def _send_code(request: RightsRequest, actor: Actor, token: str, action: str) -> None:
    if not (request.agent_email or request.requester_email):
        raise RightsError(_("this request has no e-mail address"), code="no_email")
    check_code_allowance(request)
    now = timezone.now()
    VerificationCode.objects.filter(request=request, used_at__isnull=True).update(used_at=now)
    code = f"{secrets.randbelow(1_000_000):06d}"
    VerificationCode.objects.create(
        request=request,
        code_hash=verification_code_hash(request.pk, code),
        created_at=now,
        expires_at=now + CODE_LIFETIME,
    )
    audit(actor, action, request)
    request_id = request.pk

    def send() -> None:
        fresh = RightsRequest.objects.get(pk=request_id)
        send_to_requester(
            fresh,
            "code",
            code=code,
            minutes=int(CODE_LIFETIME.total_seconds() // 60),
            status_url=status_url(fresh, token),
        )

    transaction.on_commit(send)


def check_code(request: RightsRequest, code: str, actor: Actor) -> bool:
    """True when ``code`` is the live code. Wrong codes count; after MAX_ATTEMPTS the code is dead.

    The attempt is committed even when the code is wrong (an attacker must not get free tries),
    so this function commits its own transaction and only then reports the result.
    """
    with transaction.atomic():
        request = _locked(request)
        if request.status != RequestStatus.VERIFYING or request.email_verified_at is not None:
            raise RightsError(_("this request is not waiting for an e-mail code"), code="not_verifying")
        if not _spend_code(request, code, actor):
            return False
        request.email_verified_at = timezone.now()
        request.save(update_fields=["email_verified_at"])
        audit(actor, "email_verified", request)
        _try_automatic_verification(request, actor)
    return True


def check_download_code(request: RightsRequest, code: str, actor: Actor) -> bool:
    """True when ``code`` is a live code sent after the request was completed (a code from the
    verification step does not open the download). Wrong codes count as for ``check_code``."""
    with transaction.atomic():
        request = _locked(request)
        if not downloadable(request):
            raise RightsError(_("There is no result to download for this request."), code="no_result")
        return _spend_code(request, code, actor, since=request.closed_at)


def _spend_code(request: RightsRequest, code: str, actor: Actor, *, since: Any = None) -> bool:
    """Try ``code`` against the request's live code (sent after ``since``); a match uses it up."""
    live_codes = VerificationCode.objects.select_for_update().filter(
        request=request, used_at__isnull=True, expires_at__gt=timezone.now()
    )
    if since is not None:
        live_codes = live_codes.filter(created_at__gte=since)
    live = live_codes.first()
    if live is None:
        raise RightsError(_("the code has expired; ask for a new one"), code="code_expired")
    now = timezone.now()
    recent = _codes_of_address(request, now).filter(attempts__gt=0)
    guesses = recent.aggregate(total=Sum("attempts"))["total"] or 0
    if guesses >= GUESSES_PER_ADDRESS:
        oldest = recent.order_by("created_at").values_list("created_at", flat=True).first() or now
        raise CodeLimitError(
            _("Too many wrong codes were tried for this address. Try again later."),
            retry_after=_lifts_in(oldest, now),
        )
    live.attempts += 1
    matches = secrets.compare_digest(live.code_hash, verification_code_hash(request.pk, code.strip()))
    if not matches:
        if live.attempts >= MAX_ATTEMPTS:
            live.used_at = timezone.now()
        live.save(update_fields=["attempts", "used_at"])
        audit(actor, "code_failed", request, attempts=live.attempts)
        return False
    live.used_at = timezone.now()
    live.save(update_fields=["attempts", "used_at"])
    return True


def _try_automatic_verification(request: RightsRequest, actor: Actor) -> None:
    """Match the data points against the company's records through the fulfilment engine.

    With no engine for this right, or an agent, or too few matches, a person reviews instead.
    """
    handler = handler_for(request.right)
    if handler is None or request.is_agent or request.channel not in ELECTRONIC_CHANNELS:
        request.needs_staff_review = True
        request.save(update_fields=["needs_staff_review"])
        audit(actor, "staff_review_needed", request, reason="no_handler" if handler is None else "agent_or_channel")
        return
    points: dict[str, str] = dict(crypto.decrypt_json(request.data_points_encrypted, {}))
    points["email"] = request.requester_email
    required = POINTS_REQUIRED_SPECIFIC if request.specific_pieces else POINTS_REQUIRED
    try:
        matched = handler.match_data_points(request.organisation, points)
    except Exception:  # an unreachable database must not lose the request: a person checks instead
        matched = set()
    request.matched_points = len(matched & set(points))
    if request.matched_points >= required and (not request.specific_pieces or request.declaration_signed):
        mark_verified(request, actor, method="code_and_data_points")
        return
    request.needs_staff_review = True
    request.save(update_fields=["matched_points", "needs_staff_review"])
    audit(
        actor,
        "staff_review_needed",
        request,
        reason="too_few_matches",
        matched=request.matched_points,
        required=required,
    )


def mark_verified(request: RightsRequest, actor: Actor, *, method: str) -> None:
    """Identity verified: the request moves on and, for electronic requests, is acknowledged."""

    request.status = RequestStatus.VERIFIED
    request.identity_verified_at = timezone.now()
    request.identity_method = method
    request.needs_staff_review = False
    request.save(
        update_fields=["status", "identity_verified_at", "identity_method", "needs_staff_review", "matched_points"]
    )
    audit(actor, "verified", request, method=method)
    if request.acknowledged_at is None and request.channel in ELECTRONIC_CHANNELS:
        acknowledge(request, actor, via=request.channel)


@transaction.atomic
def review_identity(request: RightsRequest, actor: Actor, *, accept: bool, reason: str = "") -> RightsRequest:
    """Staff decision on identity (documents, a call back, agent permission)."""

    request = _locked(request)
    if request.status != RequestStatus.VERIFYING:
        raise RightsError(_("only a request being verified can be reviewed"), code="not_verifying")
    if request.channel in ELECTRONIC_CHANNELS and request.email_verified_at is None and accept:
        raise RightsError(_("the requester has not confirmed the e-mail address yet"), code="email_unconfirmed")
    decision = RequestFile.Review.ACCEPTED if accept else RequestFile.Review.REJECTED
    reviewer: Any = None
    if actor.kind == "user":
        reviewer = actor.ident
    RequestFile.objects.filter(request=request).exclude(kind=RequestFile.Kind.RESULT).update(
        review=decision, reviewed_by_id=reviewer
    )
    audit(actor, "identity_reviewed", request, accepted=accept)
    if accept:
        mark_verified(request, actor, method="staff_review")
    else:
        close_unverified(request, actor, reason=reason or "rejected_by_staff")
    return request
