"""`mamori map apply|versions|diff|show`: apply a privacy map and look at its history."""

from __future__ import annotations

import argparse
import json
from datetime import date, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from mamori.audit.services import Actor
from mamori.catalog.diff import diff_documents, render_text
from mamori.catalog.errors import CatalogError
from mamori.catalog.in_force import version_in_force, versions_in_force
from mamori.catalog.models import MapVersion
from mamori.catalog.services import apply_map

# Exit statuses follow `mamori check`: 1 the map is invalid, 2 it cannot be read.
EXIT_INVALID = 1
EXIT_UNREADABLE = 2


def _effective_argument(text: str) -> date | datetime:
    """A date (the organisation's midnight) or an ISO date-time with its offset."""
    try:
        if "T" in text or " " in text.strip():
            moment = datetime.fromisoformat(text)
            if moment.tzinfo is None:
                raise ValueError
            return moment
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give a date (YYYY-MM-DD) or a date-time with its offset (2027-01-01T00:00+09:00)"
        ) from None


class Command(BaseCommand):
    help = "Apply a privacy map as a new version, list versions, show one, or diff two."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{apply,versions,diff,show}")

        apply = sub.add_parser("apply", help="check and apply a map (a YAML file or a folder)")
        apply.add_argument("paths", nargs="+", metavar="PATH")
        apply.add_argument("--note", default="", help="why this version is applied (shown in the history)")
        apply.add_argument(
            "--effective",
            type=_effective_argument,
            metavar="YYYY-MM-DD",
            help="the date it takes effect (from midnight in the organisation's zone; an ISO date-time with its "
            "offset is taken as given); until then the previous version stays in force",
        )

        versions = sub.add_parser("versions", help="list applied versions, newest first")
        versions.add_argument("organisation", nargs="?", metavar="ORG")

        diff = sub.add_parser("diff", help="item-by-item changes between two versions (default: previous vs current)")
        diff.add_argument("diff_args", nargs="*", metavar="ORG V1 V2")

        show = sub.add_parser("show", help="print a version's normalized map as JSON")
        show.add_argument("organisation", nargs="?", metavar="ORG")
        show.add_argument("--version", type=int, dest="number", metavar="N")
        show.add_argument("--sources", action="store_true", help="print the source files instead")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "apply":
            self._apply(options["paths"], options["note"], options["effective"])
        elif action == "versions":
            self._versions(options["organisation"])
        elif action == "diff":
            self._diff(options["diff_args"])
        else:
            self._show(options["organisation"], options["number"], options["sources"])

    def _apply(self, paths: list[str], note: str, effective: date | datetime | None) -> None:
        try:
            version = apply_map(paths, Actor.cli(), note=note, effective=effective)
        except CatalogError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            status = EXIT_UNREADABLE if exc.code == "map_unreadable" else EXIT_INVALID
            raise CommandError(exc.message, returncode=status) from exc
        if not version.was_created:
            self.stdout.write(f"{version.organisation} is unchanged at version {version.number}")
        else:
            self.stdout.write(
                f"applied {version.organisation} version {version.number} (sha256:{version.content_hash[:12]})"
            )
            if version.effective_at is not None:
                in_force = version_in_force(version.organisation)
                self.stdout.write(
                    f"it takes effect at {version.effective_at.isoformat()}; until then version "
                    f"{in_force.number if in_force else '-'} stays in force"
                )

    def _organisation(self, organisation: str | None) -> str:
        organisations = MapVersion.objects.organisations()
        if organisation:
            if organisation not in organisations:
                raise CommandError(_("no map has been applied for %(organisation)r") % {"organisation": organisation})
            return organisation
        if len(organisations) == 1:
            return organisations[0]
        if not organisations:
            raise CommandError(_("no map has been applied yet; use `mamori map apply PATH`"))
        raise CommandError(
            _("several organisations have maps; name one of: %(organisations)s")
            % {"organisations": ", ".join(organisations)}
        )

    def _version(self, organisation: str, number: int | None) -> MapVersion:
        if number is None:
            # The version in force; before any has taken effect, the newest one.
            current = version_in_force(organisation) or MapVersion.objects.newest(organisation)
            assert current is not None  # _organisation() only returns organisations with versions
            return current
        try:
            return MapVersion.objects.get(organisation=organisation, number=number)
        except MapVersion.DoesNotExist:
            raise CommandError(
                _("%(organisation)s has no version %(number)s") % {"organisation": organisation, "number": number}
            ) from None

    def _versions(self, organisation: str | None) -> None:
        versions = MapVersion.objects.order_by("organisation", "-number").defer("document", "source_files")
        if organisation:
            versions = versions.filter(organisation=self._organisation(organisation))
        # "*" the version in force, ">" one applied to take effect later (with its date).
        current = {v.organisation: v.number for v in versions_in_force()}
        now = timezone.now()
        for version in versions:
            marker = "*" if current.get(version.organisation) == version.number else " "
            if version.effective_at is not None and version.effective_at > now:
                marker = ">"
            applied = timezone.localtime(version.applied_at).strftime("%Y-%m-%d %H:%M")
            effective = f"  takes effect {version.effective_at.isoformat()}" if version.effective_at else ""
            note = f"  {version.note}" if version.note else ""
            self.stdout.write(
                f"{marker} {version.organisation} {version.number:>3}  {applied}  "
                f"sha256:{version.content_hash[:12]}  {version.applied_by_label} ({version.applied_by_kind})"
                f"{effective}{note}"
            )

    def _diff(self, args: list[str]) -> None:
        # Accepted forms: (nothing) | ORG | V1 V2 | ORG V1 V2.
        organisation: str | None = None
        numbers: list[str] = args
        if len(args) in (1, 3):
            organisation, numbers = args[0], args[1:]
        elif len(args) not in (0, 2):
            raise CommandError(_("usage: mamori map diff [ORG] [V1 V2]"))
        if not all(n.isdigit() for n in numbers):
            raise CommandError(_("versions are numbers, e.g. `mamori map diff 2 3`"))
        organisation = self._organisation(organisation)
        if numbers:
            old = self._version(organisation, int(numbers[0]))
            new = self._version(organisation, int(numbers[1]))
        else:
            new = self._version(organisation, None)
            previous = new.previous()
            if previous is None:
                raise CommandError(
                    _("%(organisation)s has only version %(number)s; nothing to compare")
                    % {"organisation": organisation, "number": new.number}
                )
            old = previous
        self.stdout.write(f"{organisation}: version {old.number} → version {new.number}")
        self.stdout.write(render_text(diff_documents(old.document, new.document)), ending="")

    def _show(self, organisation: str | None, number: int | None, sources: bool) -> None:
        version = self._version(self._organisation(organisation), number)
        if sources:
            for name, text in sorted(version.source_files.items()):
                self.stdout.write(f"# {name}")
                self.stdout.write(text, ending="" if text.endswith("\n") else "\n")
            return
        self.stdout.write(json.dumps(version.document, ensure_ascii=False, indent=2))
