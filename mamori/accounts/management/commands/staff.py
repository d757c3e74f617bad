"""`mamori staff create|list|set-role|deactivate|reset-password|totp-reset|totp-code`."""

from __future__ import annotations

import secrets
import sys
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from mamori.accounts import services
from mamori.accounts.models import Role, User
from mamori.audit.services import Actor


class Command(BaseCommand):
    help = "Manage staff accounts (every change is written to the audit log)."
    stealth_options = ("stdin",)

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        create = sub.add_parser("create", help="create a staff account")
        create.add_argument("username")
        create.add_argument("--role", required=True, choices=Role.values)
        create.add_argument(
            "--password-stdin", action="store_true", help="read the password from standard input (else one is made)"
        )
        sub.add_parser("list", help="list staff accounts")
        set_role = sub.add_parser("set-role", help="change a staff member's role ('none' removes it)")
        set_role.add_argument("username")
        set_role.add_argument("role", choices=[*Role.values, "none"])
        deactivate = sub.add_parser("deactivate", help="stop an account from signing in")
        deactivate.add_argument("username")
        reset = sub.add_parser("reset-password", help="set a new password and lift a lock-out")
        reset.add_argument("username")
        reset.add_argument("--password-stdin", action="store_true")
        totp_reset = sub.add_parser("totp-reset", help="remove the authenticator; the user enrols again")
        totp_reset.add_argument("username")
        code = sub.add_parser("totp-code", help="print the demo account's current code (MAMORI_DEMO only)")
        code.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        handler = getattr(self, "do_" + options["subcommand"].replace("-", "_"))
        try:
            handler(options)
        except services.AccountsError as exc:
            raise CommandError(exc.message) from exc

    def _user(self, username: str) -> User:
        try:
            return User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(_("no staff account named %(username)r") % {"username": username}) from None

    def _password(self, options: dict[str, Any]) -> tuple[str, bool]:
        """(password, generated?)"""
        if options.get("password_stdin"):
            stream = options.get("stdin") or sys.stdin
            password = stream.readline().rstrip("\r\n")
            if not password:
                raise CommandError(_("no password on standard input"))
            return password, False
        return secrets.token_urlsafe(15), True

    def do_create(self, options: dict[str, Any]) -> None:
        password, generated = self._password(options)
        user = services.create_staff(Actor.cli(), username=options["username"], role=options["role"], password=password)
        self.stdout.write(f"created {user.username} ({user.role})")
        if generated:
            self.stdout.write(f"password: {password}")
        self.stdout.write("an authenticator app is set up at the first sign-in")

    def do_list(self, options: dict[str, Any]) -> None:
        confirmed = set(TOTPDevice.objects.filter(confirmed=True).values_list("user_id", flat=True))
        for user in User.objects.order_by("username"):
            state = "active" if user.is_active else "inactive"
            twofa = "2fa" if user.pk in confirmed else "no-2fa"
            self.stdout.write(f"{user.username}\t{user.role or '-'}\t{state}\t{twofa}")

    def do_set_role(self, options: dict[str, Any]) -> None:
        role = "" if options["role"] == "none" else options["role"]
        user = services.change_role(Actor.cli(), self._user(options["username"]), role)
        self.stdout.write(f"{user.username}: role {user.role or 'none'}")

    def do_deactivate(self, options: dict[str, Any]) -> None:
        user = services.deactivate(Actor.cli(), self._user(options["username"]))
        self.stdout.write(f"{user.username}: deactivated")

    def do_reset_password(self, options: dict[str, Any]) -> None:
        password, generated = self._password(options)
        user = services.reset_password(Actor.cli(), self._user(options["username"]), password)
        self.stdout.write(f"{user.username}: password reset")
        if generated:
            self.stdout.write(f"password: {password}")

    def do_totp_reset(self, options: dict[str, Any]) -> None:
        user = self._user(options["username"])
        services.reset_totp(Actor.cli(), user)
        self.stdout.write(f"{user.username}: authenticator removed; enrol again at the next sign-in")

    def do_totp_code(self, options: dict[str, Any]) -> None:
        # Printing a second factor defeats it, so only for the throw-away demo account in demo mode.
        if not getattr(settings, "MAMORI_DEMO", False):
            raise CommandError(_("totp-code only works in demo mode (MAMORI_DEMO=true)"))
        if options["username"] != services.DEMO_USERNAME:
            raise CommandError(
                _("totp-code only works for the demo account %(username)r") % {"username": services.DEMO_USERNAME}
            )
        device = TOTPDevice.objects.filter(user=self._user(options["username"]), confirmed=True).first()
        if device is None:
            raise CommandError(_("the demo account has no authenticator; run `mamori demo` again"))
        self.stdout.write(services.current_totp_code(device))
