"""`mamori retention plan|run|certificates|certificate`: the dry run, on-demand runs, certificates.

`plan` changes nothing. `run` plans every rule (or the named ones) and executes the runs that need
no approval; new or changed rules, and runs above a rule's share of a table, wait for an officer in
the console. Progress is shown on a terminal, and nothing but the result when output is not a
terminal or CI is set.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from mamori.audit.services import Actor
from mamori.retention.disposal import Progress


def _organisations(chosen: str | None) -> list[str]:
    from mamori.catalog.models import MapVersion

    organisations = sorted(set(MapVersion.objects.values_list("organisation", flat=True)))
    if chosen:
        if chosen not in organisations:
            raise CommandError(
                _("no privacy map is applied for organisation %(organisation)s") % {"organisation": chosen}
            )
        return [chosen]
    return organisations


class Command(BaseCommand):
    help = "Retention: dry run (plan), on-demand disposal (run), disposal certificates."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        plan = sub.add_parser("plan", help="rows due now and in the next 30 days, per rule and table (changes nothing)")
        plan.add_argument("--organisation")
        plan.add_argument("--format", choices=["text", "json"], default="text")
        run = sub.add_parser("run", help="dispose of due rows (rules needing approval wait for it)")
        run.add_argument("--organisation")
        run.add_argument("--rule", action="append", help="only this rule (repeatable)")
        run.add_argument("--mamori-data", action="store_true", help="also dispose of mamori's own data")
        listing = sub.add_parser("certificates", help="list disposal runs and their certificates")
        listing.add_argument("--organisation")
        show = sub.add_parser("certificate", help="print one run's certificate")
        show.add_argument("run", type=int)
        show.add_argument("--format", choices=["json", "html"], default="json")
        show.add_argument("--lang", choices=["en", "ja"], default="en")

    def handle(self, *args: Any, **options: Any) -> None:
        from django.conf import settings

        if getattr(settings, "MAMORI_DEMO", False) and not os.environ.get("MAMORI_ONEMALL_SHOP_URL"):
            # In the demo's folder the rules run on the demo shop, as they do inside `mamori demo`.
            from mamori.fulfilment.demo_shop import ensure_demo_shop

            os.environ["MAMORI_ONEMALL_SHOP_URL"] = ensure_demo_shop(settings.DATA_DIR)
        getattr(self, f"_{options['action']}")(options)

    def _plan(self, options: dict[str, Any]) -> None:
        from mamori.retention.services import RetentionError, dry_run

        plans = []
        for organisation in _organisations(options.get("organisation")):
            try:
                plans.append(dry_run(organisation))
            except RetentionError as exc:
                raise CommandError(exc.message) from None
        if options["format"] == "json":
            self.stdout.write(json.dumps(plans, ensure_ascii=False, indent=2))
            return
        for plan in plans:
            self.stdout.write(f"{plan['organisation']} (map version {plan['map_version']}), as of {plan['as_of']}")
            for rule in plan["rules"]:
                state = "approved" if rule["approved"] else "waits for approval"
                self.stdout.write(f"  {rule['rule']}: {rule['trigger']} + {rule['period']} ({state})")
                if rule["error"]:
                    self.stdout.write(f"    error: {rule['error']}")
                for t in rule["tables"]:
                    self.stdout.write(
                        f"    {t['system']}.{t['table']}: {t['action']} {t['due']} of {t['total']} now, "
                        f"held {t['held']}, open requests {t['protected']}, next 30 days {t['forecast']}"
                    )
        for entry in plans[0]["internal"] if plans else []:
            self.stdout.write(f"mamori: {entry['rule']}: {entry['due']} due")

    def _run(self, options: dict[str, Any]) -> None:
        from mamori.retention.services import RetentionError, run_internal, run_rules

        interactive = sys.stderr.isatty() and not os.environ.get("CI")

        def report(table: str, progress: Progress) -> None:
            sys.stderr.write(f"\r  {table}: {progress.deleted} deleted, {progress.updated} erased in place ")
            sys.stderr.flush()

        actor = Actor.cli()
        for organisation in _organisations(options.get("organisation")):
            try:
                runs = run_rules(organisation, actor, options.get("rule"), report=report if interactive else None)
            except RetentionError as exc:
                raise CommandError(exc.message) from None
            if interactive:
                sys.stderr.write("\n")
            for run in runs:
                self.stdout.write(
                    f"{organisation} {run.rule_id}: run {run.pk} {run.status}"
                    + (f" ({run.reason})" if run.reason and run.status == "awaiting_approval" else "")
                )
        if options.get("mamori_data"):
            for run in run_internal(actor):
                self.stdout.write(f"mamori {run.rule_id}: run {run.pk} {run.status}")

    def _certificates(self, options: dict[str, Any]) -> None:
        from mamori.retention.models import DisposalRun

        runs = DisposalRun.objects.all()
        if options.get("organisation"):
            runs = runs.filter(organisation=options["organisation"])
        for run in runs[:500]:
            certificate = run.certificate_hash[:16] if run.certificate_hash else "-"
            self.stdout.write(
                f"{run.pk}\t{run.organisation}\t{run.rule_id}\t{run.status}\t{run.as_of:%Y-%m-%d %H:%M}\t{certificate}"
            )

    def _certificate(self, options: dict[str, Any]) -> None:
        from mamori.retention.certificate import localised, render_html
        from mamori.retention.models import DisposalRun

        run = DisposalRun.objects.filter(pk=options["run"]).first()
        if run is None or run.certificate is None:
            raise CommandError(_("run %(run)s has no certificate") % {"run": options["run"]})
        if options["format"] == "html":
            self.stdout.write(render_html(run, options["lang"]))
            return
        document = localised(run.certificate, options["lang"]) | {"sha256": run.certificate_hash}
        self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
