"""Step 2: encrypt the contact details of existing requests and fill the e-mail lookup hashes.

Reversible: going back decrypts the columns and clears the hashes. Both directions skip values
already in the target form, so a run interrupted half-way can simply be run again.
"""

from typing import Any

from django.db import migrations

from mamori.core import crypto

ENCRYPTED_FIELDS = ("requester_name", "requester_email", "postal_address", "phone", "agent_name", "agent_email")


def _is_token(value: str) -> bool:
    return value.isascii() and crypto.is_token(value.encode("ascii"))


def _hash(address: str) -> str:
    return crypto.keyed_email_hash(address) if address.strip() else ""


def encrypt_contact_details(apps: Any, schema_editor: Any) -> None:
    RightsRequest = apps.get_model("rights", "RightsRequest")
    for row in RightsRequest.objects.values("pk", *ENCRYPTED_FIELDS).iterator():
        changes: dict[str, str] = {}
        for name in ENCRYPTED_FIELDS:
            value = row[name] or ""
            if value and not _is_token(value):
                changes[name] = crypto.encrypt(value.encode("utf-8")).decode("ascii")
        clear = {name: (crypto.decrypt(row[name].encode("ascii")).decode("utf-8") if row[name] and name not in changes
                        else row[name] or "") for name in ("requester_email", "agent_email")}
        changes["requester_email_hash"] = _hash(clear["requester_email"])
        changes["agent_email_hash"] = _hash(clear["agent_email"])
        RightsRequest.objects.filter(pk=row["pk"]).update(**changes)


def decrypt_contact_details(apps: Any, schema_editor: Any) -> None:
    RightsRequest = apps.get_model("rights", "RightsRequest")
    for row in RightsRequest.objects.values("pk", *ENCRYPTED_FIELDS).iterator():
        changes: dict[str, str] = {"requester_email_hash": "", "agent_email_hash": ""}
        for name in ENCRYPTED_FIELDS:
            value = row[name] or ""
            if value and _is_token(value):
                changes[name] = crypto.decrypt(value.encode("ascii")).decode("utf-8")
        RightsRequest.objects.filter(pk=row["pk"]).update(**changes)


class Migration(migrations.Migration):
    dependencies = [("rights", "0002_contact_details_text_and_hashes")]

    operations = [migrations.RunPython(encrypt_contact_details, decrypt_contact_details, elidable=False)]
