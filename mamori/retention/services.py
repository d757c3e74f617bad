"""Retention: plan, approve, run and certify the disposal of data whose retention has ended.

A run is one rule at one moment (`as_of`). Planning counts the due rows per table (nothing is
changed). The run waits for an officer when the rule is new or changed since the last approval
(its fingerprint), or when it would dispose of more than the rule's `max_share` of a table; the
officer's approval, given on a confirmed second step, lets it go. Execution disposes table by
table in FK-safe order, one committed batch at a time, with the counters saved after each batch,
so a killed worker's run continues where it stopped; then every table is verified and the
disposal certificate is issued, its hash written to the audit chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from mamori.audit.services import Actor, record
from mamori.catalog.in_force import map_in_force
from mamori.core.crypto import encrypt_json
from mamori.core.errors import DomainError
from mamori.fulfilment.connectors.base import ConnectorError
from mamori.fulfilment.services.common import FulfilmentError, engine_for
from mamori.retention.certificate import build_certificate, certificate_hash
from mamori.retention.disposal import Progress, TableCounts, count_all, naive_utc, table_disposals
from mamori.retention.internal import INTERNAL_RULES
from mamori.retention.models import DisposalRun, DisposalStatus, DisposalStep, RuleApproval

if TYPE_CHECKING:
    from mamori.catalog.mapfile import PrivacyMap
    from mamori.catalog.mapfile.schema import RetentionRule
    from mamori.fulfilment.connectors.sql.connector import SqlConnector
    from mamori.fulfilment.engine import FulfilmentEngine

Reporter = Callable[[str, Progress], None]  # (system.table, progress so far): a terminal's progress line
INTERNAL_ORGANISATION = "mamori"  # runs over mamori's own data
DEFAULT_CERTIFICATE_PERIOD = timedelta(days=3 * 365)  # when the map promises no records period


class RetentionError(DomainError):
    code = "retention_error"


# ---------------------------------------------------------------- the map's rules


def _map(organisation: str) -> tuple[int, PrivacyMap, FulfilmentEngine]:
    """The map in force and an engine on it (connectors shared with fulfilment, per version)."""
    map_in_force(organisation, missing=RetentionError)
    try:
        version, engine = engine_for(organisation)
    except FulfilmentError as exc:
        raise RetentionError.from_error(exc) from None
    return version, engine.map, engine


def disposable_rules(privacy_map: PrivacyMap) -> list[RetentionRule]:
    return [rule for rule in privacy_map.retention if rule.applies_to and rule.period is not None]


def rule_fingerprint(privacy_map: PrivacyMap, rule: RetentionRule) -> str:
    """The rule and what its tables' erase strategies do: a change to either asks for approval again."""
    tables = []
    for target in rule.applies_to:
        system = privacy_map.find("systems", target.system)
        spec = system.table(target.table) if system is not None else None
        tables.append(spec.model_dump(mode="json") if spec is not None else None)
    document = {"rule": rule.model_dump(mode="json"), "tables": tables}
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode("utf-8")).hexdigest()


def is_approved(organisation: str, rule_id: str, fingerprint: str) -> bool:
    return RuleApproval.objects.filter(organisation=organisation, rule_id=rule_id, fingerprint=fingerprint).exists()


def _connectors(engine: FulfilmentEngine, rule: RetentionRule) -> list[SqlConnector]:
    from mamori.fulfilment.connectors.sql.connector import SqlConnector

    connectors = []
    for system_id in dict.fromkeys(target.system for target in rule.applies_to):
        try:
            connector = engine.connector(system_id)
        except ConnectorError as exc:
            raise RetentionError.from_error(exc) from None
        if not isinstance(connector, SqlConnector):
            raise RetentionError(
                _("retention rule %(rule)s: system %(system)s is not a SQL system"), rule=rule.id, system=system_id
            )
        connectors.append(connector)
    return connectors


def _open_request_subjects(organisation: str) -> list[dict[str, str]]:
    """Identities of people with an open rights request: their rows wait until it is closed."""
    from mamori.rights.models import RightsRequest
    from mamori.rights.models.requests import OPEN_STATUSES

    subjects = []
    for request in RightsRequest.objects.filter(organisation=organisation, status__in=OPEN_STATUSES):
        identities = {
            kind: value for kind, value in (("email", request.requester_email), ("phone", request.phone)) if value
        }
        if identities:
            subjects.append(identities)
    return subjects


def _protected_states(engine: FulfilmentEngine, rule: RetentionRule, organisation: str) -> dict[str, Any]:
    subjects = _open_request_subjects(organisation)
    if not subjects:
        return {}
    states = {}
    for connector in _connectors(engine, rule):
        try:
            states[connector.system_id] = connector.locate(subjects, counts=False)["state"]
        except ConnectorError as exc:
            raise RetentionError.from_error(exc) from None
    return states


def _counts(
    engine: FulfilmentEngine, rule: RetentionRule, as_of: datetime, protected: dict[str, Any]
) -> list[TableCounts]:
    counts: list[TableCounts] = []
    try:
        for connector in _connectors(engine, rule):
            disposals = table_disposals(connector, rule, protected.get(connector.system_id))
            counts.extend(count_all(disposals, naive_utc(as_of)))
    except ConnectorError as exc:
        raise RetentionError.from_error(exc) from None
    return counts


def _rule_summary(rule: RetentionRule) -> dict[str, Any]:
    hold = rule.legal_hold
    return {
        "rule": rule.id,
        "name": rule.name.model_dump() if hasattr(rule.name, "model_dump") else {"en": str(rule.name)},
        "trigger": rule.trigger or "",
        "period": str(rule.period),
        "max_share": rule.max_share,
        "hold": {
            "basis": hold.basis.model_dump() if hasattr(hold.basis, "model_dump") else {"en": str(hold.basis)},
            "period": str(hold.period),
            "counts_from": dict(hold.counts_from),
        }
        if hold
        else None,
    }


def dry_run(organisation: str, now: datetime | None = None) -> dict[str, Any]:
    """Per rule and table: rows due now, kept by holds or open requests, and the next 30 days'."""
    now = now or timezone.now()
    version, privacy_map, engine = _map(organisation)
    protected_cache: dict[str, dict[str, Any]] = {}
    rules = []
    for rule in disposable_rules(privacy_map):
        entry = _rule_summary(rule)
        fingerprint = rule_fingerprint(privacy_map, rule)
        entry["approved"] = is_approved(organisation, rule.id, fingerprint)
        try:
            protected_cache[rule.id] = _protected_states(engine, rule, organisation)
            entry["tables"] = [counts.as_dict() for counts in _counts(engine, rule, now, protected_cache[rule.id])]
            entry["error"] = ""
        except RetentionError as exc:
            entry["tables"], entry["error"] = [], exc.message
        rules.append(entry)
    internal = [
        {
            "rule": rule.id,
            "name": rule.name(),
            "period": str(rule.period),
            "table": rule.table,
            "due": rule.count_due(now),
        }
        for rule in INTERNAL_RULES.values()
    ]
    return {
        "organisation": organisation,
        "map_version": version,
        "as_of": now.isoformat(),
        "rules": rules,
        "internal": internal,
    }


def _over_share(counts: Iterable[dict[str, Any]], max_share: float) -> list[str]:
    return [f"{c['system']}.{c['table']}" for c in counts if c["total"] and c["due"] / c["total"] > max_share]


def plan_run(organisation: str, rule_id: str, actor: Actor, now: datetime | None = None) -> DisposalRun:
    """A run of one rule at `now`: counted, then waiting for approval or ready to execute.

    A rule that already has a run waiting or unfinished gets that run back: a rule never has two
    runs disposing of the same rows at once."""
    now = now or timezone.now()
    version, privacy_map, engine = _map(organisation)
    rule = privacy_map.find("retention", rule_id)
    if rule is None or not rule.applies_to:
        raise RetentionError(_("The map has no retention rule %(rule)s that applies to tables."), rule=rule_id)
    unfinished = (DisposalStatus.AWAITING_APPROVAL, DisposalStatus.RUNNING)
    existing = DisposalRun.objects.filter(organisation=organisation, rule_id=rule_id, status__in=unfinished).first()
    if existing is not None:
        return existing
    fingerprint = rule_fingerprint(privacy_map, rule)
    protected = _protected_states(engine, rule, organisation)
    counts = [c.as_dict() for c in _counts(engine, rule, now, protected)]
    reason = ""
    if not is_approved(organisation, rule_id, fingerprint):
        reason = "new_rule"
    elif _over_share(counts, rule.max_share):
        reason = "max_share"
    with transaction.atomic():
        run = DisposalRun.objects.create(
            organisation=organisation,
            rule_id=rule_id,
            rule_name=_rule_summary(rule)["name"],
            map_version=version,
            fingerprint=fingerprint,
            as_of=now,
            reason=reason,
            status=DisposalStatus.AWAITING_APPROVAL if reason else DisposalStatus.RUNNING,
            plan={"rule": _rule_summary(rule), "tables": counts, "over_share": _over_share(counts, rule.max_share)},
            sealed_protected=encrypt_json(protected) if protected else None,
        )
        for position, c in enumerate(counts):
            DisposalStep.objects.create(
                run=run, position=position, system=c["system"], table=c["table"], action=c["action"]
            )
        record(
            actor,
            "retention.run_planned",
            target_type="retention.run",
            target_id=str(run.pk),
            details={
                "organisation": organisation,
                "rule": rule_id,
                "map_version": version,
                "due": sum(c["due"] for c in counts),
                "waits_for": reason,
            },
        )
    return run


def approve_run(run_id: int, user: Any, *, confirmed: bool, now: datetime | None = None) -> DisposalRun:
    """An officer lets a waiting run go (and approves this version of its rule for later runs)."""
    if not confirmed:
        raise RetentionError(_("Confirm the approval: the disposal cannot be undone."))
    now = now or timezone.now()
    with transaction.atomic():
        run = DisposalRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.internal:
            raise RetentionError(_("No such run waits for approval."))
        if run.status != DisposalStatus.AWAITING_APPROVAL:
            raise RetentionError(_("This run does not wait for approval."))
        RuleApproval.objects.get_or_create(
            organisation=run.organisation,
            rule_id=run.rule_id,
            fingerprint=run.fingerprint,
            defaults={"approved_by": user, "approved_at": now},
        )
        run.status, run.approved_by, run.approved_at = DisposalStatus.RUNNING, user, now
        run.save(update_fields=["status", "approved_by", "approved_at"])
        record(
            Actor.for_user(user),
            "retention.run_approved",
            target_type="retention.run",
            target_id=str(run.pk),
            details={"organisation": run.organisation, "rule": run.rule_id, "reason": run.reason},
        )
        transaction.on_commit(lambda: execute_disposal.enqueue(run.pk))
    return run


def execute_run(run_id: int, now: datetime | None = None, report: Reporter | None = None) -> DisposalRun:
    """Dispose of the run's rows (resumably), verify, and issue the certificate. Idempotent."""
    run = DisposalRun.objects.get(pk=run_id)
    if run.status not in (DisposalStatus.RUNNING, DisposalStatus.FAILED):
        return run
    now = now or timezone.now()
    if run.started_at is None:
        run.started_at = now
    run.status, run.message = DisposalStatus.RUNNING, ""
    run.save(update_fields=["started_at", "status", "message"])
    try:
        _version, privacy_map, engine = _map(run.organisation)
        rule = privacy_map.find("retention", run.rule_id)
        if rule is None or rule_fingerprint(privacy_map, rule) != run.fingerprint:
            raise RetentionError(_("The rule changed since the run was planned: plan a new run."))
        protected = run.protected_state
        as_of = naive_utc(run.as_of)
        residue: dict[str, int] = {}
        for connector in _connectors(engine, rule):
            disposals = {d.name: d for d in table_disposals(connector, rule, protected.get(connector.system_id))}
            for step in run.steps.filter(system=connector.system_id).order_by("position"):
                disposal = disposals[step.table]
                if step.status != DisposalStep.Status.DONE:
                    progress = Progress(step.deleted, step.updated, step.batches, step.last_key)

                    def saved(progress: Progress, step: DisposalStep = step) -> None:
                        step.deleted, step.updated = progress.deleted, progress.updated
                        step.batches, step.last_key = progress.batches, progress.last_key
                        step.save(update_fields=["deleted", "updated", "batches", "last_key"])
                        if report is not None:
                            report(f"{step.system}.{step.table}", progress)

                    disposal.dispose(as_of, progress, saved)
                    step.status = DisposalStep.Status.DONE
                    step.save(update_fields=["status"])
            with connector.engine.connect() as connection:
                for disposal in disposals.values():
                    residue[f"{connector.system_id}.{disposal.name}"] = disposal.residue(connection, as_of)
    except (RetentionError, ConnectorError) as exc:
        message = exc.message if isinstance(exc, RetentionError) else str(exc)
        run.status, run.message = DisposalStatus.FAILED, message
        run.save(update_fields=["status", "message"])
        record(
            Actor.system("retention"),
            "retention.run_failed",
            target_type="retention.run",
            target_id=str(run.pk),
            details={"rule": run.rule_id, "message": message[:300]},
        )
        return run
    return _finish(run, residue, privacy_map, timezone.now())


def _finish(run: DisposalRun, residue: dict[str, int], privacy_map: PrivacyMap | None, now: datetime) -> DisposalRun:
    with transaction.atomic():
        run.verification = {"residue": residue, "ok": not any(residue.values())}
        run.status = DisposalStatus.COMPLETED if run.verification["ok"] else DisposalStatus.NEEDS_REVIEW
        run.finished_at = now
        run.keep_until = now + _certificate_period(privacy_map)
        run.certificate = build_certificate(run)
        run.certificate_hash = certificate_hash(run.certificate)
        run.save(
            update_fields=["verification", "status", "finished_at", "keep_until", "certificate", "certificate_hash"]
        )
        record(
            Actor.system("retention"),
            "retention.certificate_issued",
            target_type="retention.run",
            target_id=str(run.pk),
            details={
                "organisation": run.organisation,
                "rule": run.rule_id,
                "certificate_sha256": run.certificate_hash,
                "verified": run.verification["ok"],
            },
        )
    return run


def _certificate_period(privacy_map: PrivacyMap | None) -> timedelta:
    if privacy_map is None or privacy_map.commitments.request_records is None:
        return DEFAULT_CERTIFICATE_PERIOD
    return timedelta(days=privacy_map.commitments.request_records.longest_days())


def run_rules(
    organisation: str,
    actor: Actor,
    rule_ids: Iterable[str] | None = None,
    now: datetime | None = None,
    report: Reporter | None = None,
    inline: bool = True,
) -> list[DisposalRun]:
    """Plan every (or the named) rule's run and execute those that need no approval: here, or
    (`inline=False`, the console) by the worker after commit."""
    _version, privacy_map, _engine = _map(organisation)
    wanted = set(rule_ids) if rule_ids else None
    runs = []
    for rule in disposable_rules(privacy_map):
        if wanted is not None and rule.id not in wanted:
            continue
        run = plan_run(organisation, rule.id, actor, now)
        if run.status == DisposalStatus.RUNNING and inline:
            run = execute_run(run.pk, now, report)
        elif run.status == DisposalStatus.RUNNING:
            transaction.on_commit(partial(execute_disposal.enqueue, run.pk))
        runs.append(run)
    return runs


# ---------------------------------------------------------------- mamori's own data


def run_internal(actor: Actor, now: datetime | None = None, rule_ids: Iterable[str] | None = None) -> list[DisposalRun]:
    """Dispose of mamori's own data whose period has ended; one certified run per rule with work."""
    now = now or timezone.now()
    wanted = set(rule_ids) if rule_ids else None
    runs = []
    for rule in INTERNAL_RULES.values():
        if wanted is not None and rule.id not in wanted:
            continue
        due = rule.count_due(now)
        if not due:
            continue
        counts = {
            "system": "mamori",
            "table": rule.table,
            "action": "delete",
            "total": due,
            "due": due,
            "held": 0,
            "protected": 0,
            "forecast": 0,
            "reason": "",
        }
        with transaction.atomic():
            run = DisposalRun.objects.create(
                organisation=INTERNAL_ORGANISATION,
                rule_id=rule.id,
                rule_name=_both(rule.name),
                internal=True,
                status=DisposalStatus.RUNNING,
                as_of=now,
                started_at=now,
                plan={
                    "rule": {"rule": rule.id, "period": str(rule.period), "trigger": "", "hold": None},
                    "tables": [counts],
                },
            )
            record(
                actor,
                "retention.run_planned",
                target_type="retention.run",
                target_id=str(run.pk),
                details={"organisation": INTERNAL_ORGANISATION, "rule": rule.id, "due": due},
            )
        disposed = rule.dispose(now)
        DisposalStep.objects.create(
            run=run,
            position=0,
            system="mamori",
            table=rule.table,
            action="delete",
            status=DisposalStep.Status.DONE,
            deleted=disposed,
            batches=1,
        )
        runs.append(_finish(run, {f"mamori.{rule.table}": rule.count_due(now)}, None, timezone.now()))
    return runs


def _both(text: Callable[[], str]) -> dict[str, str]:
    result = {}
    for language in ("en", "ja"):
        with translation.override(language):
            result[language] = str(text())
    return result


# ---------------------------------------------------------------- the daily sweep


def purge_certificates(now: datetime | None = None) -> int:
    """Certificates are kept for the map's records period, then go with their run."""
    now = now or timezone.now()
    expired = list(DisposalRun.objects.filter(keep_until__lt=now).values_list("pk", flat=True))
    for run_id in expired:
        with transaction.atomic():
            DisposalRun.objects.filter(pk=run_id).delete()
            record(
                Actor.system("retention"),
                "retention.certificate_purged",
                target_type="retention.run",
                target_id=str(run_id),
            )
    return len(expired)


def daily_sweep(now: datetime | None = None) -> dict[str, int]:
    """Daily: every organisation's rules (new or changed ones wait for approval), mamori's own
    data, runs a killed worker left unfinished, and certificates past their period."""
    from mamori.catalog.models import MapVersion

    now = now or timezone.now()
    actor = Actor.system("retention")
    totals = {"runs": 0, "waiting": 0, "failed": 0, "internal": 0, "certificates_purged": 0}
    left_running = DisposalRun.objects.filter(status=DisposalStatus.RUNNING, internal=False)
    for run_id in left_running.values_list("pk", flat=True):  # a killed worker's runs continue
        execute_run(run_id, now)
    for organisation in MapVersion.objects.values_list("organisation", flat=True).distinct():
        try:
            runs = run_rules(organisation, actor, now=now)
        except RetentionError:
            totals["failed"] += 1
            continue
        totals["runs"] += len(runs)
        totals["waiting"] += sum(run.status == DisposalStatus.AWAITING_APPROVAL for run in runs)
        totals["failed"] += sum(run.status == DisposalStatus.FAILED for run in runs)
    totals["internal"] = len(run_internal(actor, now))
    totals["certificates_purged"] = purge_certificates(now)
    return totals


# ---------------------------------------------------------------- jobs (ids in, idempotent)


@task()
def execute_disposal(run_id: int) -> str:
    """Job: a run approved (or planned from the console) disposes of its rows; a repeat continues."""
    return execute_run(run_id).status


@task()
def sweep() -> dict[str, int]:
    """Job: the daily disposal, queued by the worker's schedule (`mamori retention run` runs at once)."""
    return daily_sweep()
