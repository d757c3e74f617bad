"""`mamori consent ...`: configure banner sites and print what a site's backend needs."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from mamori.audit.services import Actor
from mamori.consent import services
from mamori.consent.access import known_sites
from mamori.consent.models import ConsentSite
from mamori.consent.services.ledger_storage import (
    REPARTITION_BATCH,
    drop_expired_ledger_months,
    ledger_months,
    repartition_default,
)
from mamori.core.crypto import consent_site_key
from mamori.core.errors import DomainError


class Command(BaseCommand):
    help = "Consent banner sites: list, set (a site with its own domains), remove, key (for logged-in subjects)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("sites", help="list every site (organisations with a map and configured sites)")
        set_site = sub.add_parser("set-site", help="create or change a site with its own domain list")
        set_site.add_argument("key")
        set_site.add_argument("--organisation", required=True)
        set_site.add_argument("--domain", action="append", default=[], required=True)
        set_site.add_argument("--days", type=int, default=None, help="how long a choice is kept (days)")
        remove = sub.add_parser("remove-site", help="remove a configured site")
        remove.add_argument("key")
        key = sub.add_parser("site-key", help="print the key a site's backend signs subject ids with")
        key.add_argument("key")
        drop = sub.add_parser("drop-months", help="remove the ledger's months before YYYY-MM (irreversible)")
        drop.add_argument("before", help="first month kept, YYYY-MM")
        drop.add_argument("--yes", action="store_true", help="really drop (without it: only say what would go)")
        move = sub.add_parser(
            "repartition",
            help="move the ledger's DEFAULT-partition rows (older ids, late months) into month partitions",
        )
        move.add_argument("--batch", type=int, default=REPARTITION_BATCH, help="rows per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "sites":
                configured = {site.key: site for site in ConsentSite.objects.all()}
                for key in known_sites():
                    site = configured.get(key)
                    detail = f"{site.organisation} {', '.join(site.domains)}" if site else "(organisation default)"
                    self.stdout.write(f"{key}\t{detail}")
            elif action == "set-site":
                site = services.configure_site(
                    options["key"], options["organisation"], options["domain"], Actor.cli(), cookie_days=options["days"]
                )
                self.stdout.write(f"site {site.key}: {', '.join(site.domains)}")
            elif action == "remove-site":
                services.remove_site(options["key"], Actor.cli())
                self.stdout.write(f"removed {options['key']}")
            elif action == "drop-months":
                self._drop_months(options["before"], options["yes"])
            elif action == "repartition":
                if options["batch"] < 1:
                    raise CommandError("--batch must be at least 1")
                result = repartition_default(Actor.cli(), batch=options["batch"])
                self.stdout.write(
                    f"rows moved: {result['moved']}; months: {', '.join(result['months']) or 'none'}; "
                    f"partitions created: {', '.join(result['partitions_created']) or 'none'}; "
                    f"older-id rows still too young to move: {result['legacy_waiting']}"
                )
            else:
                if options["key"] not in known_sites():
                    raise CommandError(_("unknown site '%(key)s'") % {"key": options["key"]})
                self.stdout.write(consent_site_key(options["key"]))
        except DomainError as exc:
            raise CommandError(exc.message) from exc

    def _drop_months(self, before: str, confirmed: bool) -> None:
        try:
            month = date.fromisoformat(f"{before}-01")
        except ValueError:
            raise CommandError(_("'%(month)s' is not a month (YYYY-MM)") % {"month": before}) from None
        if not confirmed:
            partitions = ", ".join(f"{m:%Y-%m}" for m in ledger_months() if m < month) or "none"
            self.stdout.write(
                f"would drop every consent ledger month before {month:%Y-%m} "
                f"(partitions: {partitions}); run again with --yes to drop them"
            )
            return
        result = drop_expired_ledger_months(month, Actor.cli())
        self.stdout.write(
            f"dropped months: {', '.join(result['partitions_dropped']) or 'none'}; "
            f"rows deleted: {result['rows_deleted']}"
        )
