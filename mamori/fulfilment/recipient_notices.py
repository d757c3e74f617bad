"""Telling recipients: stop provision, opt-out of sale/sharing, and GDPR Art. 19 notifications.

APPI Art. 35(3) (cease third-party provision), CPRA's opt-out of sale/sharing and GDPR Art. 19
(tell each recipient of a rectification, erasure or restriction) only work if the recipients the
map names hear of it. Per recipient, the first channel the map gives that works:

1. a signed webhook (`notify.webhook_env`; secret in the `..._SECRET` variable, signed like the
   webhook connector): `POST {"action": "notice", "kind", "identities", "notice"}`; an answer
   `{"confirmed": true}` confirms at once;
2. an e-mail to `notify.email` (in English and Japanese), confirmed later by staff;
3. otherwise a task for staff (status "pending").

Each notice is a `RecipientNotice` tracked until confirmed, with its evidence (HTTP status, when,
how) on the request's record as a note. Identities go to the recipient (they need them to act)
but are never stored with the notice: a resend (`resend_notice`, for a webhook or e-mail that
failed or went unanswered) takes them from the open request again. Staff confirm a notice
(`confirm_notice`) with a note saying how the recipient confirmed; that cannot be undone.
`recipient_notified` is sent after commit for every notice: the hook where provision records
(APPI Art. 29) attach.
"""

from __future__ import annotations

import json
import os
import smtplib
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mamori.audit.services import Actor, record
from mamori.catalog.in_force import map_in_force
from mamori.catalog.mapfile.schema import Recipient
from mamori.core.errors import DomainError
from mamori.fulfilment.connectors.base import ConnectorError
from mamori.fulfilment.connectors.webhook.connector import WebhookConnector, secret_env_name
from mamori.fulfilment.models import RecipientNotice

# Sent after commit with `notice` (a RecipientNotice) and `identities`; receivers must not keep
# the identities in clear.
recipient_notified = Signal()

THIRD_PARTY_KINDS = ("third_party", "joint_user", "affiliate")
KINDS = {
    "cease_third_party_provision": THIRD_PARTY_KINDS,
    "opt_out_sale_sharing": ("third_party",),
    "rectification": None,  # GDPR Art. 19: every recipient, processors included
    "erasure": None,
    "restriction": None,
}
SUBJECTS = {
    "cease_third_party_provision": "Please stop receiving personal data / 個人データの第三者提供の停止のお願い",
    "opt_out_sale_sharing": "Opt-out of sale or sharing / 販売・共有のオプトアウト",
    "rectification": "Personal data rectified / 個人データの訂正のお知らせ",
    "erasure": "Personal data erased / 個人データの消去のお知らせ",
    "restriction": "Use of personal data restricted / 個人データの利用停止のお知らせ",
}


KIND_LABELS = {
    "cease_third_party_provision": _("stop third-party provision"),
    "opt_out_sale_sharing": _("opt-out of sale or sharing"),
    "rectification": _("rectification (GDPR Art. 19)"),
    "erasure": _("erasure (GDPR Art. 19)"),
    "restriction": _("restriction (GDPR Art. 19)"),
}
EVENT_LABELS = {
    "fulfilment.recipient_notified": _("notice sent"),
    "fulfilment.recipient_resent": _("sent again"),
    "fulfilment.recipient_confirmed": _("confirmation recorded"),
}
NOTE_LIMIT = 500


class NoticeError(DomainError):
    code = "recipient_notice_error"


def notices_for_request(organisation: str, request_id: int, kind: str) -> list[RecipientNotice]:
    return list(RecipientNotice.objects.filter(organisation=organisation, request_id=request_id, kind=kind))


def notify_once(
    organisation: str, kind: str, identities: Mapping[str, str], actor: Actor, *, request_id: int
) -> list[RecipientNotice]:
    """The notices of a request, sent on the first call only (a resumed request sends nothing twice)."""
    return notices_for_request(organisation, request_id, kind) or notify_recipients(
        organisation, kind, identities, actor, request_id=request_id
    )


def recipients_for(privacy_map: Any, kind: str) -> list[Recipient]:
    if kind not in KINDS:
        raise NoticeError(_("unknown notice kind %(kind)s"), kind=kind)
    kinds = KINDS[kind]
    return [recipient for recipient in privacy_map.recipients if kinds is None or recipient.kind in kinds]


def notify_recipients(
    organisation: str,
    kind: str,
    identities: Mapping[str, str],
    actor: Actor,
    *,
    request_id: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> list[RecipientNotice]:
    """Tell every recipient the kind concerns; one tracked notice each."""
    _version, privacy_map = map_in_force(organisation, missing=NoticeError)
    environ = environ if environ is not None else os.environ
    notices = []
    for recipient in recipients_for(privacy_map, kind):
        channel, status, evidence = _send(privacy_map.organisation.id, recipient, kind, identities, environ)
        with transaction.atomic():
            notice = RecipientNotice.objects.create(
                organisation=organisation,
                request_id=request_id,
                recipient=recipient.id,
                kind=kind,
                channel=channel,
                status=status,
                evidence=evidence,
            )
            if status == RecipientNotice.Status.CONFIRMED:
                notice.confirmed_at = timezone.now()
                notice.save(update_fields=["confirmed_at"])
            record(
                actor,
                "fulfilment.recipient_notified",
                target_type="recipient_notice",
                target_id=str(notice.pk),
                details={"recipient": recipient.id, "kind": kind, "channel": channel, "status": status},
            )
            _note_on_request(notice, actor)
            transaction.on_commit(_announce(notice, identities))
        notices.append(notice)
    return notices


def _announce(notice: RecipientNotice, identities: Mapping[str, str]) -> Any:
    def send() -> None:
        recipient_notified.send(RecipientNotice, notice=notice, identities=dict(identities))

    return send


@transaction.atomic
def confirm_notice(notice_id: int, actor: Actor, note: str) -> RecipientNotice:
    """The recipient confirmed (staff record it for e-mail and tasks, with how they know)."""
    note = note.strip()
    if not note:
        raise NoticeError(_("say how the recipient confirmed (a note is the evidence)"), code="note_required")
    if len(note) > NOTE_LIMIT:
        raise NoticeError(_("the note is longer than %(limit)s characters"), code="note_too_long", limit=NOTE_LIMIT)
    notice = _locked(notice_id)
    if notice.status == RecipientNotice.Status.CONFIRMED:
        raise NoticeError(_("this notice is already confirmed"), code="notice_conflict")
    notice.status = RecipientNotice.Status.CONFIRMED
    notice.confirmed_at = timezone.now()
    notice.evidence = {**notice.evidence, "confirmation": note}
    notice.save(update_fields=["status", "confirmed_at", "evidence"])
    record(
        actor,
        "fulfilment.recipient_confirmed",
        target_type="recipient_notice",
        target_id=str(notice.pk),
        details={"recipient": notice.recipient, "kind": notice.kind},
    )
    _note_on_request(notice, actor)
    return notice


def can_resend(notice: RecipientNotice) -> bool:
    """Worth sending again: not confirmed, and a webhook or e-mail was tried (sent unanswered, or failed)."""
    if notice.status == RecipientNotice.Status.CONFIRMED:
        return False
    return notice.channel != RecipientNotice.Channel.TASK or bool(notice.evidence.get("failures"))


def resend_notice(notice_id: int, actor: Actor, *, environ: Mapping[str, str] | None = None) -> RecipientNotice:
    """Send an unconfirmed notice again through the recipient's channels as the map names them now.

    The identities come from the notice's request, which must still be open: after a request is
    closed its contact details are gone, and a notice without a request has nothing to send."""
    notice = RecipientNotice.objects.filter(pk=notice_id).first()
    if notice is None:
        raise NoticeError(_("no such notice"), code="no_notice")
    if not can_resend(notice):
        raise NoticeError(_("only an unconfirmed webhook or e-mail notice can be sent again"), code="notice_conflict")
    identities = _identities_of_request(notice.request_id)
    _version, privacy_map = map_in_force(notice.organisation, missing=NoticeError)
    recipient = next((item for item in privacy_map.recipients if item.id == notice.recipient), None)
    if recipient is None:
        raise NoticeError(_("the map in force no longer names this recipient"), code="recipient_gone")
    environ = environ if environ is not None else os.environ
    # Sent outside the transaction (a webhook may take seconds); the row is then locked and only
    # updated if no one confirmed it meanwhile.
    channel, status, evidence = _send(privacy_map.organisation.id, recipient, notice.kind, identities, environ)
    with transaction.atomic():
        notice = _locked(notice_id)
        if notice.status == RecipientNotice.Status.CONFIRMED:
            raise NoticeError(_("this notice is already confirmed"), code="notice_conflict")
        earlier = [*notice.evidence.get("earlier", []), {k: v for k, v in notice.evidence.items() if k != "earlier"}]
        notice.channel, notice.status = channel, status
        notice.evidence = {**evidence, "earlier": earlier}
        if status == RecipientNotice.Status.CONFIRMED:
            notice.confirmed_at = timezone.now()
        notice.save(update_fields=["channel", "status", "evidence", "confirmed_at"])
        record(
            actor,
            "fulfilment.recipient_resent",
            target_type="recipient_notice",
            target_id=str(notice.pk),
            details={"recipient": notice.recipient, "kind": notice.kind, "channel": channel, "status": status},
        )
        _note_on_request(notice, actor)
        transaction.on_commit(_announce(notice, identities))
    return notice


def _locked(notice_id: int) -> RecipientNotice:
    notice = RecipientNotice.objects.select_for_update().filter(pk=notice_id).first()
    if notice is None:
        raise NoticeError(_("no such notice"), code="no_notice")
    return notice


def _identities_of_request(request_id: int | None) -> dict[str, str]:
    # Imported here: rights' workflow imports the fulfilment app's abandon service, which this
    # module must not pull in while the fulfilment app is being loaded.
    from mamori.rights.models import RightsRequest
    from mamori.rights.services.workflow import fulfilment_task

    request = RightsRequest.objects.filter(pk=request_id).first() if request_id is not None else None
    identities = fulfilment_task(request).identities if request is not None and request.is_open else {}
    if not identities:
        raise NoticeError(
            _(
                "the identities to send are gone (no open request holds them): "
                "tell the recipient another way and confirm"
            ),
            code="identities_gone",
        )
    return identities


def _send(
    organisation: str, recipient: Recipient, kind: str, identities: Mapping[str, str], environ: Mapping[str, str]
) -> tuple[str, str, dict[str, Any]]:
    notify = recipient.notify
    at = timezone.now().isoformat()
    failures = []
    if notify is not None and notify.webhook_env:
        url, secret = environ.get(notify.webhook_env, ""), environ.get(secret_env_name(notify.webhook_env), "")
        if url and secret:
            try:
                hook = WebhookConnector(
                    SimpleNamespace(id=f"recipient:{recipient.id}"),  # type: ignore[arg-type]
                    url,
                    secret,
                    attempts=3,
                    backoff=0.2,
                    timeout=15,
                )
                answer = hook.call(
                    "notice",
                    {"kind": kind, "identities": dict(identities), "organisation": organisation},
                    idempotency_key=f"notice-{recipient.id}-{kind}-{int(time.time())}",
                )
                confirmed = bool(answer.get("confirmed"))
                status = RecipientNotice.Status.CONFIRMED if confirmed else RecipientNotice.Status.SENT
                return "webhook", status, {"channel": "webhook", "at": at, "answer": "2xx", "confirmed": confirmed}
            except (ConnectorError, urllib.error.URLError, json.JSONDecodeError) as exc:
                failures.append(f"webhook: {exc}")
        else:
            failures.append(f"webhook: {notify.webhook_env} not set")
    if notify is not None and notify.email:
        lines = [f"{key}: {value}" for key, value in identities.items()]
        body = (
            f"{SUBJECTS[kind]}\n\nFrom / 送信元: {organisation}\n\n"
            + "\n".join(lines)
            + "\n\nPlease reply to confirm. / 対応後、ご返信ください。\n"
        )
        message = EmailMessage(f"[{organisation}] {SUBJECTS[kind]}", body, settings.DEFAULT_FROM_EMAIL, [notify.email])
        try:
            message.send()
            return "email", RecipientNotice.Status.SENT, {"channel": "email", "at": at, "failures": failures}
        except (smtplib.SMTPException, OSError) as exc:
            failures.append(f"email: {type(exc).__name__}")
    return "task", RecipientNotice.Status.PENDING, {"channel": "task", "at": at, "failures": failures}


def _note_on_request(notice: RecipientNotice, actor: Actor) -> None:
    """The evidence goes on the request's record, where staff and auditors read its history."""
    if notice.request_id is None:
        return
    from mamori.rights.models import RightsRequest
    from mamori.rights.services.workflow import add_note

    request = RightsRequest.objects.filter(pk=notice.request_id).first()
    if request is None:
        return
    text = (
        f"Recipient {notice.recipient}: {notice.kind} — {notice.get_channel_display()}, "
        f"{notice.get_status_display()} ({json.dumps(notice.evidence, ensure_ascii=False, sort_keys=True)})"
    )
    add_note(request, text, actor, None)
