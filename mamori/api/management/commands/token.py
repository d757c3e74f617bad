from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from mamori.accounts.models import User
from mamori.api.models import SCOPES, ApiToken
from mamori.api.services import ApiTokenError, create_token, revoke_token
from mamori.audit.services import Actor


class Command(BaseCommand):
    help = "API tokens: create (the secret is printed once), list, revoke."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="issue a token to a staff member")
        create.add_argument("--user", required=True)
        create.add_argument("--name", required=True)
        create.add_argument("--scope", action="append", required=True, choices=sorted(SCOPES))
        create.add_argument("--days", type=int, default=None, help="expire after this many days")
        sub.add_parser("list")
        revoke = sub.add_parser("revoke")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = Actor.cli()
        if options["action"] == "create":
            owner = User.objects.filter(username=options["user"]).first()
            if owner is None:
                raise CommandError(_("no staff member %(user)r") % {"user": options["user"]})
            try:
                token, secret = create_token(owner, options["name"], options["scope"], actor, days=options["days"])
            except ApiTokenError as exc:
                raise CommandError(exc.message) from exc
            self.stdout.write(f"token {token.prefix}… for {owner.username}: {secret}")
            self.stdout.write("store it now: it is not shown again")
        elif options["action"] == "list":
            for token in ApiToken.objects.select_related("owner").order_by("created_at"):
                state = "revoked" if token.revoked_at else "active"
                self.stdout.write(
                    f"{token.prefix}\t{token.name}\t{token.owner.username}\t{','.join(token.scopes)}\t{state}"
                )
        else:
            matches = list(ApiToken.objects.filter(prefix=options["prefix"]))
            if len(matches) != 1:
                raise CommandError(_("no single token with prefix %(prefix)r") % {"prefix": options["prefix"]})
            revoke_token(matches[0], actor)
            self.stdout.write(f"revoked {matches[0].prefix}")
