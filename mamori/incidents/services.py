"""The incident register's writers: each runs in one transaction, writes the audit log, and
raises IncidentError (nothing changed) when the input cannot be used.

Reading helpers (`facts_of`, `evaluation_of`, `deadlines_of`) derive everything else from the
incident and the map version it was opened under: reportability and clocks are computed, never typed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mamori.audit.services import Actor, record
from mamori.catalog.mapfile import PrivacyMap
from mamori.core import crypto
from mamori.core.errors import DomainError
from mamori.incidents import rules
from mamori.incidents.models import Incident, ReportDraft, Status, TimelineEntry

MAX_TEXT = 20_000
MAX_TITLE = 200
MAX_EVIDENCE_BYTES = 5 * 1024 * 1024
LAWS = ("APPI", "GDPR", "US-CA")


class IncidentError(DomainError):
    code = "incident_error"


def _audit(actor: Actor, action: str, incident: Incident, **details: Any) -> None:
    record(
        actor,
        f"incident.{action}",
        target_type="incidents.incident",
        target_id=str(incident.pk),
        details={"reference": incident.reference, "organisation": incident.organisation, **details},
    )


def _clean_text(value: str, what: str, limit: int = MAX_TEXT, *, required: bool = False) -> str:
    if not isinstance(value, str):
        raise IncidentError(_("%(what)s must be text.") % {"what": what})
    if "\x00" in value:
        raise IncidentError(_("%(what)s must not contain NUL characters.") % {"what": what})
    value = value.strip()
    if len(value) > limit:
        raise IncidentError(_("%(what)s is longer than %(limit)d characters.") % {"what": what, "limit": limit})
    if required and not value:
        raise IncidentError(_("%(what)s is required.") % {"what": what})
    return value


def current_map(organisation: str) -> tuple[int, PrivacyMap]:
    """The number and parsed map of the version in force (catalog's one home for it)."""
    from mamori.catalog.in_force import map_in_force

    version, privacy_map = map_in_force(organisation, missing=IncidentError)
    return version.number, privacy_map


def map_of(incident: Incident) -> PrivacyMap:
    return current_map(incident.organisation)[1]


# ---------------------------------------------------------------- scope


def scope_choices(privacy_map: PrivacyMap) -> dict[str, list[str]]:
    return {
        "systems": [system.id for system in privacy_map.systems],
        "tables": [f"{system.id}.{table.name}" for system in privacy_map.systems for table in system.tables],
        "categories": [category.id for category in privacy_map.data_categories],
    }


def clean_scope(privacy_map: PrivacyMap, scope: Mapping[str, Any]) -> dict[str, Any]:
    """Systems, tables and categories chosen from the applied map; categories of the chosen tables
    are added (a leaked table leaks every category its fields hold)."""
    choices = scope_choices(privacy_map)
    cleaned: dict[str, Any] = {}
    for key in ("systems", "tables", "categories"):
        values = scope.get(key) or []
        if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
            raise IncidentError(_("The scope's %(key)s must be a list of names.") % {"key": key})
        unknown = sorted(set(values) - set(choices[key]))
        if unknown:
            raise IncidentError(
                _("Not in the applied map (%(key)s): %(names)s") % {"key": key, "names": ", ".join(unknown)}
            )
        cleaned[key] = list(dict.fromkeys(values))
    for ref in cleaned["tables"]:
        system_id, table_name = ref.split(".", 1)
        if system_id not in cleaned["systems"]:
            cleaned["systems"].append(system_id)
        table = privacy_map.system(system_id).table(table_name)
        assert table is not None
        for table_field in table.fields:
            if table_field.category not in cleaned["categories"]:
                cleaned["categories"].append(table_field.category)
    selector = scope.get("selector")
    if selector:
        if not isinstance(selector, Mapping):
            raise IncidentError(_("The window must name a table, a column and its bounds."))
        table_ref = f"{selector.get('system', '')}.{selector.get('table', '')}"
        if table_ref not in choices["tables"]:
            raise IncidentError(_("There is no table %(table)s in the applied map.") % {"table": table_ref})
        cleaned["selector"] = {
            key: _clean_text(str(selector.get(key) or ""), _("The window"), 100)
            for key in ("system", "table", "column", "from", "to")
        }
        if table_ref not in cleaned["tables"]:
            raise IncidentError(_("The window's table must be one of the incident's tables."))
    else:
        cleaned["selector"] = None
    return cleaned


# ---------------------------------------------------------------- evaluation


def facts_of(incident: Incident, privacy_map: PrivacyMap | None = None) -> rules.Facts:
    privacy_map = privacy_map or map_of(incident)
    chosen = set(incident.scope.get("categories") or [])
    categories = [
        rules.CategoryFacts(category.id, tuple(category.sensitive), tuple(category.breach_elements))
        for category in privacy_map.data_categories
        if category.id in chosen
    ]
    return rules.Facts(
        kind=incident.kind,
        cause=incident.cause,
        possibly_malicious=incident.possibly_malicious,
        encrypted=incident.encrypted,
        key_compromised=incident.key_compromised,
        categories=categories,
        people=incident.people(),
        counts=incident.counts or {},
        map_jurisdictions=privacy_map.jurisdiction_codes,
    )


def evaluation_of(incident: Incident, privacy_map: PrivacyMap | None = None) -> list[rules.Finding]:
    return rules.evaluate(facts_of(incident, privacy_map), incident.overrides)


def deadlines_of(incident: Incident, findings: Sequence[rules.Finding] | None = None) -> list[rules.Deadline]:
    findings = findings if findings is not None else evaluation_of(incident)
    done = {key: datetime.fromisoformat(value) for key, value in (incident.done or {}).items()}
    return rules.deadlines(
        findings,
        incident.aware_at,
        possibly_malicious=incident.possibly_malicious,
        done=done,
        california_notified_at=done.get("ca_people"),
    )


def _evaluation_summary(incident: Incident) -> list[dict[str, Any]]:
    return [finding.as_dict() for finding in evaluation_of(incident)]


# ---------------------------------------------------------------- register


@dataclass
class IncidentInput:
    organisation: str
    title: str
    aware_at: datetime
    kind: str
    cause: str
    occurred_at: datetime | None = None
    possibly_malicious: bool | None = None  # None: from the cause
    encrypted: bool = False
    key_compromised: bool = False
    scope: dict[str, Any] = field(default_factory=dict)
    people_estimated: int | None = None
    owner: Any = None


def _check_facts(kind: str, cause: str, aware_at: datetime, occurred_at: datetime | None) -> None:
    if kind not in rules.KINDS:
        raise IncidentError(_("The kind must be one of %(values)s.") % {"values": ", ".join(rules.KINDS)})
    if cause not in rules.CAUSES:
        raise IncidentError(_("The cause must be one of %(values)s.") % {"values": ", ".join(rules.CAUSES)})
    if timezone.is_naive(aware_at) or (occurred_at is not None and timezone.is_naive(occurred_at)):
        raise IncidentError(_("Times need a time zone."))
    if aware_at > timezone.now() + timedelta(minutes=5):
        raise IncidentError(_("The time of awareness cannot be in the future."))
    if occurred_at is not None and occurred_at > aware_at:
        raise IncidentError(_("The incident cannot have happened after the company became aware of it."))


def _next_reference(aware_at: datetime) -> str:
    year = aware_at.year
    count = Incident.objects.filter(reference__startswith=f"INC-{year}-").count()
    while True:
        count += 1
        reference = f"INC-{year}-{count:04d}"
        if not Incident.objects.filter(reference=reference).exists():
            return reference


def open_incident(data: IncidentInput, actor: Actor) -> Incident:
    """Register an incident: the clocks start at `aware_at`."""
    organisation = _clean_text(data.organisation, _("The organisation"), 64, required=True)
    title = _clean_text(data.title, _("The title"), MAX_TITLE, required=True)
    _check_facts(data.kind, data.cause, data.aware_at, data.occurred_at)
    if data.people_estimated is not None and (isinstance(data.people_estimated, bool) or data.people_estimated < 0):
        raise IncidentError(_("A number of people must be 0 or more."))
    version, privacy_map = current_map(organisation)
    scope = clean_scope(privacy_map, data.scope)
    malicious = data.cause in rules.MALICIOUS_CAUSES if data.possibly_malicious is None else data.possibly_malicious
    with transaction.atomic():
        incident = Incident.objects.create(
            organisation=organisation,
            reference=_next_reference(data.aware_at),
            title=title,
            map_version=version,
            aware_at=data.aware_at,
            occurred_at=data.occurred_at,
            kind=data.kind,
            cause=data.cause,
            possibly_malicious=malicious,
            encrypted=data.encrypted,
            key_compromised=data.key_compromised,
            scope=scope,
            people_estimated=data.people_estimated,
            owner=data.owner,
            created_at=timezone.now(),
        )
        _audit(
            actor,
            "opened",
            incident,
            kind=incident.kind,
            cause=incident.cause,
            evaluation=_evaluation_summary(incident),
        )
    return incident


EDITABLE = (
    "title",
    "occurred_at",
    "kind",
    "cause",
    "possibly_malicious",
    "encrypted",
    "key_compromised",
    "scope",
    "people_estimated",
    "people_confirmed",
    "owner",
    "actions_summary_en",
    "actions_summary_ja",
)


def update_incident(incident_id: int, changes: Mapping[str, Any], actor: Actor) -> Incident:
    """Change the facts; the evaluation is recomputed and its outcome audited with the change."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise IncidentError(_("These cannot be changed: %(names)s") % {"names": ", ".join(sorted(unknown))})
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident_id)
        if incident.status == Status.CLOSED:
            raise IncidentError(_("The incident is closed."))
        for name, value in changes.items():
            if name == "title":
                value = _clean_text(value, _("The title"), MAX_TITLE, required=True)
            elif name in ("actions_summary_en", "actions_summary_ja"):
                value = _clean_text(value, _("The summary of actions"))
            elif name == "scope":
                value = clean_scope(map_of(incident), value)
            elif (
                name in ("people_estimated", "people_confirmed")
                and value is not None
                and (not isinstance(value, int) or isinstance(value, bool) or value < 0)
            ):
                raise IncidentError(_("A number of people must be 0 or more."))
            elif name in ("possibly_malicious", "encrypted", "key_compromised") and not isinstance(value, bool):
                raise IncidentError(_("%(name)s must be true or false.") % {"name": name})
            setattr(incident, name, value)
        _check_facts(incident.kind, incident.cause, incident.aware_at, incident.occurred_at)
        incident.save()
        _audit(actor, "updated", incident, fields=sorted(changes), evaluation=_evaluation_summary(incident))
    return incident


def change_status(incident_id: int, status: str, actor: Actor) -> Incident:
    if status not in Status.values:
        raise IncidentError(_("The status must be one of %(values)s.") % {"values": ", ".join(Status.values)})
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident_id)
        before = incident.status
        incident.status = status
        incident.closed_at = timezone.now() if status == Status.CLOSED else None
        incident.save(update_fields=["status", "closed_at"])
        _audit(actor, "status_changed", incident, before=before, after=status)
    return incident


def add_note(
    incident_id: int, text: str, actor: Actor, *, file_name: str = "", data: bytes | None = None
) -> TimelineEntry:
    text = _clean_text(text, _("The note"), required=data is None)
    file_name = _clean_text(file_name, _("The file name"), 200)
    if data is not None and len(data) > MAX_EVIDENCE_BYTES:
        raise IncidentError(_("Evidence files are limited to 5 MB."))
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident_id)
        entry = TimelineEntry.objects.create(
            incident=incident,
            at=timezone.now(),
            author_label=actor.label,
            text=text,
            kind=TimelineEntry.Kind.EVIDENCE if data is not None else TimelineEntry.Kind.NOTE,
            file_name=file_name if data is not None else "",
            file_data=crypto.encrypt(data) if data is not None else None,
        )
        _audit(actor, "note_added", incident, entry=entry.pk, kind=entry.kind)
    return entry


def evidence_bytes(entry: TimelineEntry) -> bytes:
    return crypto.decrypt(bytes(entry.file_data)) if entry.file_data else b""


def override(
    incident_id: int, law: str, *, report_authority: bool, notify_people: bool, reason: str, actor: Actor
) -> Incident:
    """The officer's decision replaces the computed one for a law; the reason is required and audited."""
    if law not in LAWS:
        raise IncidentError(_("The law must be one of %(values)s.") % {"values": ", ".join(LAWS)})
    reason = _clean_text(reason, _("The reason"), 2000, required=True)
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident_id)
        computed = {finding.law: finding for finding in rules.evaluate(facts_of(incident))}[law]
        incident.overrides = {
            **incident.overrides,
            law: {
                "report_authority": report_authority,
                "notify_people": notify_people,
                "reason": reason,
                "by": actor.label,
                "at": timezone.now().isoformat(),
            },
        }
        incident.save(update_fields=["overrides"])
        _audit(
            actor,
            "overridden",
            incident,
            law=law,
            report_authority=report_authority,
            notify_people=notify_people,
            computed_report=computed.report_authority,
            computed_notify=computed.notify_people,
            reason=reason,
        )
    return incident


def clear_override(incident_id: int, law: str, actor: Actor) -> Incident:
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident_id)
        if law not in incident.overrides:
            raise IncidentError(_("There is no override for this law."))
        incident.overrides = {key: value for key, value in incident.overrides.items() if key != law}
        incident.save(update_fields=["overrides"])
        _audit(actor, "override_cleared", incident, law=law)
    return incident


# ---------------------------------------------------------------- drafts


def make_draft(incident_id: int, form: str, stage: str, actor: Actor) -> ReportDraft:
    """A new version of a report, prefilled from the incident and the map (older versions stay)."""
    from mamori.incidents.drafts import render_draft

    if form not in ReportDraft.Form.values or stage not in ReportDraft.Stage.values:
        raise IncidentError(_("Unknown report form or stage."))
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident_id)
        language, text = render_draft(incident, map_of(incident), form, stage)
        draft = ReportDraft.objects.create(
            incident=incident,
            form=form,
            stage=stage,
            language=language,
            text=text,
            created_at=timezone.now(),
            created_by=actor.label,
        )
        _audit(actor, "draft_made", incident, draft=draft.pk, form=form, stage=stage)
    return draft


def edit_draft(draft_id: int, text: str, actor: Actor) -> ReportDraft:
    text = _clean_text(text, _("The report text"), required=True)
    with transaction.atomic():
        draft = ReportDraft.objects.select_for_update().select_related("incident").get(pk=draft_id)
        if draft.sent_at is not None:
            raise IncidentError(_("A report that was sent cannot be changed: draft a new version."))
        draft.text = text
        draft.save(update_fields=["text"])
        _audit(actor, "draft_edited", draft.incident, draft=draft.pk)
    return draft


DRAFT_DEADLINE = {
    ("ppc", "preliminary"): "appi_preliminary",
    ("ppc", "final"): "appi_final",
    ("gdpr", "preliminary"): "gdpr_authority",
    ("gdpr", "final"): "gdpr_authority",
    ("california", "final"): "ca_ag",
    ("california", "preliminary"): "ca_ag",
}


def mark_sent(draft_id: int, sent_to: str, actor: Actor, *, sent_at: datetime | None = None) -> ReportDraft:
    """Record that this version went to the authority, and when; its deadline is met."""
    sent_to = _clean_text(sent_to, _("The recipient"), 200, required=True)
    with transaction.atomic():
        draft = ReportDraft.objects.select_for_update().select_related("incident").get(pk=draft_id)
        if draft.sent_at is not None:
            raise IncidentError(_("This version was already recorded as sent."))
        draft.sent_at = sent_at or timezone.now()
        draft.sent_to = sent_to
        draft.sent_by = actor.label
        draft.save(update_fields=["sent_at", "sent_to", "sent_by"])
        incident = Incident.objects.select_for_update().get(pk=draft.incident_id)
        key = DRAFT_DEADLINE[(draft.form, draft.stage)]
        if key not in incident.done:
            incident.done = {**incident.done, key: draft.sent_at.isoformat()}
            incident.save(update_fields=["done"])
        _audit(actor, "report_sent", incident, draft=draft.pk, form=draft.form, stage=draft.stage, deadline=key)
    return draft
