"""`mamori staff ...` through call_command, and once through the installed console script."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from mamori.accounts import services
from mamori.accounts.models import User
from mamori.audit.models import AuditEntry

GOOD_PASSWORD = "a perfectly long passphrase 7"


def run(*args: str, stdin: str | None = None) -> str:
    out = io.StringIO()
    extra = {"stdin": io.StringIO(stdin)} if stdin is not None else {}
    call_command("staff", *args, stdout=out, **extra)
    return out.getvalue()


@pytest.mark.django_db
def test_accounts_cli_create_with_password_from_stdin():
    output = run("create", "kenji", "--role", "auditor", "--password-stdin", stdin=GOOD_PASSWORD + "\n")
    assert "created kenji (auditor)" in output and GOOD_PASSWORD not in output
    user = User.objects.get(username="kenji")
    assert user.check_password(GOOD_PASSWORD)
    entry = AuditEntry.objects.get(action="staff.created")
    assert entry.actor_kind == "cli"


@pytest.mark.django_db
def test_accounts_cli_create_generates_a_password():
    output = run("create", "yui", "--role", "marketing")
    password = next(line for line in output.splitlines() if line.startswith("password: ")).split(": ", 1)[1]
    assert User.objects.get(username="yui").check_password(password)


@pytest.mark.django_db
def test_accounts_cli_refusals_are_command_errors(officer):
    with pytest.raises(CommandError, match="taken"):
        run("create", "officer", "--role", "auditor")
    with pytest.raises(CommandError, match=r"weak|short|common|too"):
        run("create", "weak", "--role", "auditor", "--password-stdin", stdin="abc\n")
    with pytest.raises(CommandError, match="no staff account"):
        run("set-role", "ghost", "auditor")


@pytest.mark.django_db
def test_accounts_cli_list_set_role_deactivate(officer, agent):
    run("set-role", "agent", "marketing")
    run("deactivate", "officer")
    listing = run("list").splitlines()
    assert "agent\tmarketing\tactive\t2fa" in listing
    assert "officer\tprivacy_officer\tinactive\t2fa" in listing
    run("set-role", "agent", "none")
    assert User.objects.get(username="agent").role == ""
    assert AuditEntry.objects.filter(action="staff.role_changed").count() == 2


@pytest.mark.django_db
def test_accounts_cli_reset_password_and_totp(agent):
    run("reset-password", "agent", "--password-stdin", stdin=GOOD_PASSWORD + "\n")
    agent.refresh_from_db()
    assert agent.check_password(GOOD_PASSWORD)
    assert "enrol again" in run("totp-reset", "agent")


@pytest.mark.django_db
def test_accounts_cli_totp_code_only_in_demo_mode_for_demo(settings, officer):
    services.ensure_demo_staff()
    settings.MAMORI_DEMO = False
    with pytest.raises(CommandError, match="demo mode"):
        run("totp-code", "demo")
    settings.MAMORI_DEMO = True
    with pytest.raises(CommandError, match="only works for the demo account"):
        run("totp-code", "officer")
    code = run("totp-code", "demo").strip()
    assert len(code) == 6 and code.isdigit()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX console script path")
def test_accounts_cli_through_the_console_script(tmp_path: Path):
    """What an operator types, on a fresh SQLite database in its own data folder."""
    script = Path(sys.executable).with_name("mamori")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAMORI_")}
    env.update(
        {
            "MAMORI_DATA_DIR": str(tmp_path),
            "MAMORI_SECRET_KEY": "x" * 40,
            "MAMORI_TASKS": "immediate",
            "MAMORI_ENCRYPTION_KEYS": os.environ["MAMORI_ENCRYPTION_KEYS"],
        }
    )

    def mamori(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(script), *args], input=stdin, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
        )

    assert mamori("migrate", "--no-input").returncode == 0
    created = mamori("staff", "create", "aiko", "--role", "privacy_officer", "--password-stdin", stdin=GOOD_PASSWORD)
    assert created.returncode == 0, created.stderr
    assert "created aiko (privacy_officer)" in created.stdout
    assert "aiko\tprivacy_officer\tactive\tno-2fa" in mamori("staff", "list").stdout
    # A real key is configured, so this is not the demo: printing codes is refused for everyone.
    refused = mamori("staff", "totp-code", "aiko")
    assert refused.returncode != 0 and "only works in demo mode" in refused.stderr
    verified = mamori("audit", "verify")
    assert (verified.returncode, verified.stdout.strip()) == (0, "audit chain intact: 1 entries, 0 checkpoints")
    tail = mamori("audit", "tail", "-n", "5")
    assert "staff.created" in tail.stdout
    # Tampering with the file behind mamori's back is caught, with exit status 1.
    import sqlite3

    with sqlite3.connect(tmp_path / "mamori.sqlite3") as db:
        db.execute("UPDATE audit_auditentry SET details = '{}' WHERE seq = 1")
    broken = mamori("audit", "verify")
    assert broken.returncode == 1
    assert broken.stderr.strip().splitlines()[-1].startswith("audit chain broken at entry #1:")
