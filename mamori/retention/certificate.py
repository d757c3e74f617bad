"""Disposal certificates: what one run disposed of, where, under which rule, kept what and why.

The stored certificate is one bilingual JSON document (texts as {en, ja}); its SHA-256 over the
canonical JSON goes into the audit chain, so a certificate shown later can be checked against the
chain. The JSON and HTML people download are that document in one language.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string
from django.utils import translation

from mamori.audit.chain import canonical_json

if TYPE_CHECKING:
    from mamori.retention.models import DisposalRun

FORMAT = "mamori-disposal-certificate/1"


def build_certificate(run: DisposalRun) -> dict[str, Any]:
    planned = {(c["system"], c["table"]): c for c in run.plan.get("tables", [])}
    rule = run.plan.get("rule", {})
    tables = []
    for step in run.steps.order_by("position"):
        counts = planned.get((step.system, step.table), {})
        tables.append(
            {
                "system": step.system,
                "table": step.table,
                "action": step.action,
                "deleted": step.deleted,
                "erased_in_place": step.updated,
                "batches": step.batches,
                "kept_under_hold": counts.get("held", 0),
                "kept_for_open_requests": counts.get("protected", 0),
                "residue": run.verification.get("residue", {}).get(f"{step.system}.{step.table}", 0),
            }
        )
    approver = run.approved_by.get_username() if run.approved_by else ""
    certificate = {
        "format": FORMAT,
        "run": run.pk,
        "organisation": run.organisation,
        "mamori_data": run.internal,
        "rule": {
            "id": run.rule_id,
            "name": run.rule_name,
            "trigger": rule.get("trigger", ""),
            "period": rule.get("period", ""),
            "legal_hold": rule.get("hold"),
        },
        "map_version": run.map_version,
        "window": {"as_of": run.as_of.isoformat(), "disposed": "trigger date + period on or before as_of"},
        "tables": tables,
        "totals": {
            "deleted": sum(t["deleted"] for t in tables),
            "erased_in_place": sum(t["erased_in_place"] for t in tables),
            "kept_under_hold": sum(t["kept_under_hold"] for t in tables),
        },
        "approved_by": approver,
        "approved_at": run.approved_at.isoformat() if run.approved_at else None,
        "started_at": run.started_at.isoformat() if run.started_at else None,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "verification": {"ok": bool(run.verification.get("ok")), "residue": run.verification.get("residue", {})},
        "kept_until": run.keep_until.isoformat() if run.keep_until else None,
    }
    return certificate


def certificate_hash(certificate: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(certificate).encode("utf-8")).hexdigest()


def _pick(value: Any, language: str) -> Any:
    if isinstance(value, dict) and set(value) <= {"en", "ja"} and value:
        return value.get(language) or value.get("en") or next(iter(value.values()))
    return value


def localised(certificate: dict[str, Any], language: str) -> dict[str, Any]:
    """The certificate with its texts in one language (the hash is of the stored document)."""
    document = dict(certificate)
    rule = dict(document["rule"])
    rule["name"] = _pick(rule.get("name"), language)
    if rule.get("legal_hold"):
        hold = dict(rule["legal_hold"])
        hold["basis"] = _pick(hold.get("basis"), language)
        rule["legal_hold"] = hold
    document["rule"] = rule
    document["language"] = language
    return document


def render_html(run: DisposalRun, language: str) -> str:
    assert run.certificate is not None
    with translation.override(language):
        return render_to_string(
            "retention/certificate.html",
            {"cert": localised(run.certificate, language), "sha256": run.certificate_hash, "language": language},
        )
