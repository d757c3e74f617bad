"""`mamori ropa export PATH|ORG --format xlsx|html --lang en|ja --out FILE`: the record of processing
(GDPR Art. 30) and the personal-data inventory, from an applied map version or a map on disk."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.utils import timezone
from django.utils.translation import gettext as _

from mamori.catalog.in_force import version_in_force
from mamori.catalog.models import MapVersion
from mamori.disclosures import ropa, ropa_files


def version_for(target: str) -> MapVersion:
    """The applied version of an organisation, or the map at a path (the applied version when its
    content is the one in force, else an unsaved version numbered 0: not applied)."""
    if not Path(target).exists():
        try:
            version = version_in_force(target)
        except DatabaseError as exc:
            raise CommandError(
                _(
                    "%(target)s: not a map file or folder, and the database cannot be read (%(error)s); "
                    "run `mamori migrate` or give the map's path"
                )
                % {"target": target, "error": exc}
            ) from exc
        if version is None:
            raise CommandError(
                _("%(target)s: neither a map file or folder nor an organisation with an applied map")
                % {"target": target}
            )
        return version
    from mamori.catalog.mapfile import MapReadError, load_map
    from mamori.catalog.services import _to_document, content_hash

    try:
        result = load_map([target])
    except MapReadError as exc:
        raise CommandError(str(exc)) from exc
    if not result.ok or result.map is None:
        raise CommandError("\n".join(str(problem) for problem in result.problems))
    document = _to_document(result.map)
    digest = content_hash(result.sources)
    try:
        current = version_in_force(str(document["organisation"]["id"]))
    except DatabaseError:  # no database set up: a map on disk needs none
        current = None
    if current is not None and current.content_hash == digest:
        return current
    return MapVersion(
        organisation=document["organisation"]["id"],
        number=0,
        content_hash=digest,
        source_files={},
        document=document,
        applied_at=timezone.now(),
    )


class Command(BaseCommand):
    help = "Export the record of processing (GDPR Art. 30) and the personal-data inventory."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{export}")
        export = sub.add_parser("export", help="write the record as XLSX or HTML")
        export.add_argument("target", metavar="PATH|ORG")
        export.add_argument("--format", choices=["xlsx", "html"], default="xlsx")
        export.add_argument("--lang", choices=["en", "ja"], default="en")
        export.add_argument("--out", required=True, metavar="FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        version = version_for(options["target"])
        document = ropa.build(version, options["lang"])
        out = Path(options["out"])
        if options["format"] == "xlsx":
            out.write_bytes(ropa_files.to_xlsx(document))
        else:
            out.write_text(ropa_files.to_html(document), encoding="utf-8")
        label = f"v{version.number}" if version.number else "not applied"
        self.stdout.write(f"{out}: record of processing of {version.organisation} ({label}, {options['lang']})")
