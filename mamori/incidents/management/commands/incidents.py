"""`mamori incidents demo-leak | remind`: the demo's scripted leak, and the reminder sweep by hand."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

DEMO_TITLE = "Demo: the shop's inquiries table was exported by an unknown client"


class Command(BaseCommand):
    help = "Incidents: `demo-leak` opens a scripted leak of the demo shop's inquiries table; `remind` sends reminders."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        commands.add_parser("demo-leak", help="open the demo incident on the onemall demo shop")
        commands.add_parser("remind", help="e-mail owners and officers about deadlines (idempotent)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "remind":
            from mamori.incidents.people import send_reminders

            self.stdout.write(f"reminders sent: {send_reminders()}")
            return
        self.demo_leak()

    def demo_leak(self) -> None:
        from mamori.audit.services import Actor
        from mamori.catalog.models import MapVersion
        from mamori.catalog.services import apply_map
        from mamori.core.management.commands.demo import default_demo_map
        from mamori.incidents.models import Incident
        from mamori.incidents.people import find_affected
        from mamori.incidents.services import IncidentError, IncidentInput, make_draft, open_incident

        actor = Actor.cli("demo")
        if not os.environ.get("MAMORI_ONEMALL_SHOP_URL"):
            from mamori.fulfilment.demo_shop import ensure_demo_shop

            os.environ["MAMORI_ONEMALL_SHOP_URL"] = ensure_demo_shop(settings.DATA_DIR)
        if not MapVersion.objects.filter(organisation="onemall").exists():
            apply_map([default_demo_map()], actor, note="mamori incidents demo-leak")
        existing = Incident.objects.filter(organisation="onemall", title=DEMO_TITLE).first()
        if existing is not None:
            self.stdout.write(f"the demo incident exists: {settings.BASE_URL}/console/incidents/{existing.pk}/")
            return
        try:
            incident = open_incident(
                IncidentInput(
                    organisation="onemall",
                    title=DEMO_TITLE,
                    aware_at=timezone.now() - timedelta(hours=5),
                    occurred_at=timezone.now() - timedelta(days=1),
                    kind="leak",
                    cause="unauthorised_access",
                    scope={"tables": ["shop-db.inquiries"]},
                ),
                actor,
            )
            counts = find_affected(incident.pk, actor)
            make_draft(incident.pk, "ppc", "preliminary", actor)
            make_draft(incident.pk, "gdpr", "preliminary", actor)
        except IncidentError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"opened {incident.reference}; affected people per jurisdiction: {counts}")
        self.stdout.write(f"walk through it: {settings.BASE_URL}/console/incidents/{incident.pk}/")
