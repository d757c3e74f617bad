"""Human names for audit actions, in the viewer's language.

The code (`request.received`) stays the entry's identity: it is what staff filter and search by
and what the CSV export carries. A code without a name here (a new action) is shown as is."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

ACTION_LABELS = {
    # A rights request, from receipt to closing (rights/services).
    "request.received": _("Request received"),
    "request.email_verified": _("E-mail address confirmed"),
    "request.verified": _("Identity verified"),
    "request.staff_review_needed": _("Identity review needed"),
    "request.identity_reviewed": _("Identity reviewed"),
    "request.minor_recorded": _("Requester recorded as a minor"),
    "request.code_failed": _("Wrong verification code entered"),
    "request.code_withheld": _("Verification code withheld"),
    "request.closed_unverified": _("Closed: identity not verified"),
    "request.acknowledged": _("Receipt acknowledged"),
    "request.code_sent": _("Verification code sent"),
    "request.download_code_sent": _("Download code sent"),
    "request.extended": _("Deadline extended"),
    "request.assigned": _("Request assigned"),
    "request.started": _("Work started"),
    "request.paused": _("Clock paused"),
    "request.resumed": _("Clock resumed"),
    "request.note_added": _("Note added"),
    "request.plan_shown": _("Fulfilment plan shown"),
    "request.execution_requested": _("Plan execution requested"),
    "request.executed": _("Plan executed"),
    "request.own_records_erased": _("Mamori's own records erased"),
    "request.completed": _("Request completed"),
    "request.denied": _("Request denied"),
    "request.reminded": _("Reminder sent"),
    "request.file_downloaded": _("File downloaded"),
    "request.result_expired": _("Result expired"),
    "request.documents_purged": _("Documents purged"),
    "request.record_purged": _("Request record purged"),
    "request.queue_exported": _("Request queue exported"),
    "request.fulfilment_abandoned": _("Fulfilment abandoned"),
    # Fulfilment runs.
    "fulfilment.run_planned": _("Fulfilment run planned"),
    "fulfilment.step_finished": _("Fulfilment step finished"),
    "fulfilment.run_finished": _("Fulfilment run finished"),
    "fulfilment.run_abandoned": _("Fulfilment run abandoned"),
    "fulfilment.manual_task_done": _("Manual task completed"),
    "fulfilment.recipient_notified": _("Recipient notified"),
    "fulfilment.recipient_resent": _("Recipient notice sent again"),
    "fulfilment.recipient_confirmed": _("Recipient confirmed"),
    # The privacy map and the notices built from it.
    "map.applied": _("Privacy map applied"),
    "map.scheduled": _("Privacy map scheduled"),
    "notices.published": _("Notices published"),
    "notices.notification_queued": _("Change notification queued"),
    "notices.notification_sent": _("Change notification sent"),
    "notices.reconsent_requested": _("Consent asked again"),
    "notices.site_notice_shown": _("Site notice shown"),
    "consent.site_created": _("Consent site created"),
    "consent.site_changed": _("Consent site changed"),
    "consent.sale_opt_out": _("Opt-out of sale or sharing recorded"),
    "consent.subscription_requested": _("Subscription requested"),
    "consent.subscription_confirmed": pgettext_lazy("audit action", "Subscription confirmed"),
    "consent.unsubscribed": pgettext_lazy("audit action", "Unsubscribed"),
    "consent.address_disposed": _("Withdrawn address disposed of"),
    "consent.proof_exported": _("Consent proof exported"),
    "scanner.site_added": _("Site added to the cookie scans"),
    "scanner.scan_requested": _("Cookie scan requested"),
    "scanner.scan_recorded": _("Cookie scan recorded"),
    "calendar.closure_added": _("Business closure added"),
    "calendar.closure_removed": _("Business closure removed"),
    "records.person_looked_up": _("Provision records looked up for a person"),
    "records.disposed": _("Provision records disposed of"),
    # Retention.
    "retention.run_planned": _("Retention run planned"),
    "retention.run_approved": _("Retention run approved"),
    "retention.run_failed": _("Retention run failed"),
    "retention.certificate_issued": _("Disposal certificate issued"),
    "retention.certificate_purged": _("Disposal certificate purged"),
    # Staff accounts, sign-in and API tokens.
    "auth.login_succeeded": _("Signed in"),
    "auth.login_failed": _("Sign-in failed"),
    "auth.login_refused": _("Sign-in refused"),
    "auth.locked_out": _("Locked out after failed sign-ins"),
    "auth.otp_failed": _("Wrong one-time code"),
    "auth.logout": _("Signed out"),
    "staff.created": _("Staff account created"),
    "staff.demo_reset": _("Demo data reset"),
    "staff.deactivated": _("Staff account deactivated"),
    "staff.role_changed": _("Staff role changed"),
    "staff.password_reset": _("Staff password reset"),
    "staff.totp_enrolment_started": _("Two-step sign-in enrolment started"),
    "staff.totp_confirmed": _("Two-step sign-in confirmed"),
    "staff.totp_reset": _("Two-step sign-in reset"),
    "api.token_created": _("API token created"),
    "api.token_revoked": _("API token revoked"),
}


def action_label(code: str) -> str:
    """The action's name in the active language, or "" when it has none (the code says it all)."""
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else ""
