"""Answering "disclosure of third-party provision records" (APPI Art. 33(5)) from the register.

Registered with the rights workflow (`mamori.rights.handover`): a verified request is planned
(how many records the person's identities find) and executed into a package in the person's
language (an HTML page to read or print for a paper answer, JSON and CSV), which the workflow
stores encrypted and hands over electronically or marks for post, as the person chose.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mamori.catalog.mapfile import PrivacyMap
from mamori.disclosures.models import Direction, MadeFrom, RecordBasis, TransferRecord
from mamori.disclosures.services import current_map, records_of_person
from mamori.rights.handover import FulfilmentOutcome, FulfilmentTask


def _in(privacy_map: PrivacyMap, section: str, ident: str, language: str, fallback: str) -> str:
    found = privacy_map.find(section, ident) if ident else None
    return found.name.get(language) if found is not None else fallback


def describe(record: TransferRecord, privacy_map: PrivacyMap, language: str) -> dict[str, Any]:
    """A record as the person reads it, in their language (map names translated where the map has them)."""
    section = "recipients" if record.direction == Direction.PROVISION else "sources"
    counterparty, how_obtained = record.counterparty_name, record.how_obtained
    if record.direction == Direction.PROVISION:
        counterparty = _in(privacy_map, section, record.counterparty_id, language, counterparty)
    else:
        # Values taken from the map's source (stored in English) are shown in the reader's language.
        source = privacy_map.find("sources", record.counterparty_id) if record.counterparty_id else None
        provider = source.provider if source is not None else None
        if provider is not None and provider.name.en == counterparty:
            counterparty = provider.name.get(language)
        if provider is not None and provider.how_obtained is not None and provider.how_obtained.en == how_obtained:
            how_obtained = provider.how_obtained.get(language)
    items = [_in(privacy_map, "data_categories", ident, language, ident) for ident in record.categories]
    return {
        "direction": str(Direction(record.direction).label),
        "kind": record.direction,
        "date": record.transferred_on.isoformat()
        if record.transferred_on
        else timezone.localdate(record.recorded_at).isoformat(),
        "counterparty": counterparty,
        "address": record.counterparty_address,
        "representative": record.counterparty_representative,
        "how_obtained": how_obtained,
        "items": items,
        "items_described": record.items,
        "basis": str(RecordBasis(record.basis).label),
        "ppc_publication": record.ppc_publication,
        "made_from": str(MadeFrom(record.made_from).label),
    }


def person_package(organisation: str, identities: dict[str, str], language: str) -> tuple[Path, int]:
    """Write the ZIP for one person; returns its path and the number of records in it."""
    privacy_map = current_map(organisation)[1]
    found = records_of_person(organisation, identities)
    with translation.override(language):
        rows = [describe(record, privacy_map, language) for record in found]
        html = render_to_string(
            "disclosures/person_records.html",
            {
                "rows": rows,
                "organisation": privacy_map.organisation.legal_name.get(language),
                "generated": timezone.localdate().isoformat(),
                "language": language,
            },
        )
        headers = [
            _("Direction"),
            _("Date"),
            _("Recipient or provider"),
            _("Address"),
            _("Representative"),
            _("How the provider obtained the data"),
            _("Items"),
            _("Basis"),
            _("PPC publication"),
        ]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(
            [
                row["direction"],
                row["date"],
                row["counterparty"],
                row["address"],
                row["representative"],
                row["how_obtained"],
                "; ".join(row["items"]),
                row["basis"],
                row["ppc_publication"],
            ]
        )
    handle = tempfile.NamedTemporaryFile(prefix="mamori-records-", suffix=".zip", delete=False)  # noqa: SIM115
    handle.close()
    path = Path(handle.name)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("provision-records.html", html)
        archive.writestr("provision-records.json", json.dumps({"records": rows}, ensure_ascii=False, indent=2))
        archive.writestr("provision-records.csv", "\ufeff" + buffer.getvalue())  # BOM: spreadsheets read UTF-8
    return path, len(rows)


class RecordsHandler:
    rights: tuple[str, ...] = ("provision_records",)

    def plan(self, task: FulfilmentTask) -> dict[str, Any]:
        found = records_of_person(task.organisation, task.identities)
        return {"register": {"records": len(found), "action": "disclose"}}

    def execute(self, task: FulfilmentTask) -> FulfilmentOutcome:
        path, count = person_package(task.organisation, task.identities, task.language)
        return FulfilmentOutcome(status="completed", summary={"register": count}, package_path=path)

    def match_data_points(self, organisation: str, points: dict[str, str]) -> set[str]:
        # The company's own records verify the person, as for any other request.
        from mamori.fulfilment.services.planning import match_data_points

        return match_data_points(organisation, points)
