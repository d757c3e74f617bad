"""The affected people: found in the data, counted, told. And the deadline reminders to staff.

Personal data (contact addresses) is read from the company's data only here, stored encrypted,
and used only by `send_notice_batch`; staff see counts and keyed hashes.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from mamori.audit.services import Actor
from mamori.incidents.affected import AffectedError, Selector, count_by_group, find_people, merge_counts
from mamori.incidents.drafts import text_in
from mamori.incidents.models import AffectedPerson, Incident, ReminderSent, Status
from mamori.incidents.services import IncidentError, _audit, _clean_text, deadlines_of, map_of

NOTICE_BATCH = 200
SYSTEM = Actor.system("incidents")


def _selectors(incident: Incident) -> list[Selector]:
    selector = (incident.scope or {}).get("selector")
    if selector:
        return [
            Selector(
                selector["system"],
                selector["table"],
                selector.get("column", ""),
                selector.get("from", ""),
                selector.get("to", ""),
            )
        ]
    return [Selector(*ref.split(".", 1)) for ref in (incident.scope or {}).get("tables") or []]


def find_affected(incident_id: int, actor: Actor) -> dict[str, int]:
    """Find the people in the incident's scope through the fulfilment engine; store them (hashed,
    contact encrypted) and their counts per jurisdiction, which feed the evaluation."""
    from mamori.fulfilment.services import FulfilmentError
    from mamori.fulfilment.services.common import engine_for

    incident = Incident.objects.get(pk=incident_id)
    selectors = _selectors(incident)
    if not selectors:
        raise IncidentError(_("Choose the tables (or a window on one) the incident touched first."))
    try:
        _version, engine = engine_for(incident.organisation)
        people = []
        for selector in selectors:
            people += find_people(engine.connector(selector.system), selector)
    except (AffectedError, FulfilmentError) as exc:
        raise IncidentError(exc.message) from None
    except Exception as exc:  # a connector that cannot be reached: say which system, not the URL
        if type(exc).__name__ in ("ConnectorError", "SystemNotConfigured"):
            raise IncidentError(str(exc)) from None
        raise
    unique = {person.subject_hash: person for person in people}
    counts = merge_counts([count_by_group(list(unique.values()))])
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident_id)
        known = set(incident.affected.values_list("subject_hash", flat=True))
        AffectedPerson.objects.bulk_create(
            [
                AffectedPerson(
                    incident=incident,
                    subject_hash=person.subject_hash,
                    system=person.system,
                    jurisdiction=person.jurisdiction,
                    language=person.language,
                    contact=person.contact,
                    notice=AffectedPerson.Notice.PENDING if person.contact else AffectedPerson.Notice.NO_CONTACT,
                )
                for person in unique.values()
                if person.subject_hash not in known
            ]
        )
        incident.counts = counts
        incident.counted_at = timezone.now()
        incident.save(update_fields=["counts", "counted_at"])
        from mamori.incidents.services import _evaluation_summary

        _audit(actor, "people_found", incident, counts=counts, evaluation=_evaluation_summary(incident))
    return counts


# ---------------------------------------------------------------- notices to people


def notice_context(incident: Incident, language: str) -> dict[str, Any]:
    privacy_map = map_of(incident)
    organisation = privacy_map.organisation
    chosen = set(incident.scope.get("categories") or [])
    categories = [text_in(c.name, language) for c in privacy_map.data_categories if c.id in chosen]
    contact = organisation.contacts[0]
    return {
        "incident": incident,
        "organisation_name": text_in(organisation.legal_name, language),
        "categories": categories,
        "actions": incident.actions_summary_ja if language == "ja" else incident.actions_summary_en,
        "aware_on": incident.aware_at.astimezone(timezone.get_default_timezone()).date(),
        "contact_name": text_in(contact.name, language),
        "contact_channels": ", ".join(channel.value for channel in contact.channels),
    }


def render_notice(incident: Incident, language: str) -> tuple[str, str]:
    language = language if language in ("en", "ja") else "en"
    with translation.override(language):
        text = render_to_string(f"incidents/email/notice.{language}.txt", notice_context(incident, language))
    subject, _, body = text.partition("\n")
    return subject.strip(), body.lstrip("\n")


def queue_notices(incident_id: int, actor: Actor) -> int:
    """Start sending (the second, confirmed step in the console): the job sends in batches."""
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident_id)
        if not (incident.actions_summary_en and incident.actions_summary_ja):
            raise IncidentError(_("Write the summary of actions in English and Japanese first: people are told it."))
        pending = incident.affected.filter(notice=AffectedPerson.Notice.PENDING).count()
        if not pending:
            raise IncidentError(_("Nobody is waiting for a notice."))
        _audit(actor, "notices_queued", incident, pending=pending)
        transaction.on_commit(lambda: send_notices.enqueue(incident_id))
    return pending


def send_notice_batch(incident_id: int, batch: int = NOTICE_BATCH) -> int:
    """Send up to `batch` pending notices; each person is claimed before sending, so a notice goes
    out once per person and incident however often the job runs. Returns how many were sent."""
    incident = Incident.objects.get(pk=incident_id)
    rendered = {language: render_notice(incident, language) for language in ("en", "ja")}
    sent = 0
    ids = list(incident.affected.filter(notice=AffectedPerson.Notice.PENDING).values_list("pk", flat=True)[:batch])
    for person_id in ids:
        with transaction.atomic():
            claimed = AffectedPerson.objects.filter(pk=person_id, notice=AffectedPerson.Notice.PENDING).update(
                notice=AffectedPerson.Notice.SENT, notice_sent_at=timezone.now()
            )
            if not claimed:
                continue
            person = AffectedPerson.objects.get(pk=person_id)
            subject, body = rendered["ja" if person.language == "ja" else "en"]
            EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [person.contact]).send()
            sent += 1
    if sent:
        with transaction.atomic():
            incident = Incident.objects.select_for_update().get(pk=incident_id)
            california = incident.affected.filter(jurisdiction="US-CA")
            if (
                "ca_people" not in incident.done
                and california.exists()
                and not california.filter(notice=AffectedPerson.Notice.PENDING).exists()
            ):
                incident.done = {**incident.done, "ca_people": timezone.now().isoformat()}
                incident.save(update_fields=["done"])
            _audit(SYSTEM, "notices_sent", incident, sent=sent)
    return sent


def record_bounce(person_id: int, actor: Actor) -> AffectedPerson:
    with transaction.atomic():
        person = AffectedPerson.objects.select_for_update().select_related("incident").get(pk=person_id)
        if person.notice != AffectedPerson.Notice.SENT:
            raise IncidentError(_("Only a sent notice can bounce."))
        person.notice = AffectedPerson.Notice.BOUNCED
        person.bounced_at = timezone.now()
        person.save(update_fields=["notice", "bounced_at"])
        _audit(actor, "notice_bounced", person.incident, person=person.subject_hash[:16])
    return person


def publish_public_notice(incident_id: int, text_en: str, text_ja: str, actor: Actor) -> Incident:
    """The public notice APPI allows when individual notice is impossible (Art. 26(2) proviso)."""
    text_en = _clean_text(text_en, _("The public notice (English)"), required=True)
    text_ja = _clean_text(text_ja, _("The public notice (Japanese)"), required=True)
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident_id)
        incident.public_notice_en, incident.public_notice_ja = text_en, text_ja
        incident.public_notice_at = timezone.now()
        incident.save(update_fields=["public_notice_en", "public_notice_ja", "public_notice_at"])
        _audit(actor, "public_notice", incident)
    return incident


def default_public_notice(incident: Incident, language: str) -> str:
    _subject, body = render_notice(incident, language)
    return body


# ---------------------------------------------------------------- reminders to staff


def send_reminders(now: datetime | None = None) -> int:
    """E-mail the owner and every privacy officer a day before each deadline, and once when it is
    missed. Idempotent: a (deadline, stage) reminder is recorded before it is sent."""
    from mamori.accounts.models import Role, User

    now = now or timezone.now()
    sent = 0
    officers = list(User.objects.filter(role=Role.PRIVACY_OFFICER, is_active=True).exclude(email=""))
    for incident in Incident.objects.exclude(status=Status.CLOSED).select_related("owner"):
        people = {user.pk: user for user in [*officers, incident.owner] if user is not None and user.email}
        for deadline in deadlines_of(incident):
            if deadline.done_at is not None:
                continue
            stage = "overdue" if deadline.overdue(now) else "before" if now >= deadline.reminder_at else ""
            if not stage:
                continue
            try:
                with transaction.atomic():
                    ReminderSent.objects.create(incident=incident, deadline=deadline.key, stage=stage, sent_at=now)
                    _audit(SYSTEM, "reminded", incident, deadline=deadline.key, stage=stage, recipients=len(people))
            except IntegrityError:
                continue  # sent before
            for user in people.values():
                _remind(incident, deadline, stage, user, now)
                sent += 1
    return sent


def _remind(incident: Incident, deadline: Any, stage: str, user: Any, now: datetime) -> None:
    language = user.language if getattr(user, "language", "") in ("en", "ja") else "en"
    context = {
        "incident": incident,
        "deadline": deadline,
        "overdue": stage == "overdue",
        "left_hours": max(int((deadline.due_at - now) / timedelta(hours=1)), 0),
        "console_url": f"{settings.BASE_URL}/console/incidents/{incident.pk}/",
    }
    with translation.override(language):
        context["label"] = {found.key: found.label for found in deadlines_of(incident)}.get(deadline.key, deadline.key)
        text = render_to_string(f"incidents/email/reminder.{language}.txt", context)
    subject, _, body = text.partition("\n")
    EmailMessage(subject.strip(), body.lstrip("\n"), settings.DEFAULT_FROM_EMAIL, [user.email]).send()


# ---------------------------------------------------------------- jobs (ids in, idempotent)


@task()
def send_notices(incident_id: int) -> int:
    """Job: send every pending notice of an incident, batch after batch (each person once)."""
    total = 0
    while sent := send_notice_batch(incident_id):
        total += sent
    return total


@task()
def remind() -> int:
    """Job: deadline reminders to owners and officers (scheduled hourly; each reminder once)."""
    return send_reminders()
