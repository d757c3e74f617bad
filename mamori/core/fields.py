"""Model fields shared by the domains.

`EncryptedTextField` keeps personal data encrypted at rest: the column holds a Fernet token (text)
made with mamori.core.crypto, and the model attribute holds the clear value. Tokens are randomised,
so the column cannot be searched or compared in SQL: filter on a companion column holding
`crypto.keyed_identifier_hash(...)` instead. Only `isnull` lookups are allowed, so a filter that could never
match fails loudly instead of silently returning nothing.

The empty string is stored as the empty string (it is not personal data, and blank fields stay cheap).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldError
from django.db import models

from mamori.core import crypto


class EncryptedTextField(models.TextField):
    description = "Text encrypted at rest with the configured Fernet keys"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt(value.encode("ascii")).decode("utf-8")

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value).encode("utf-8")).decode("ascii")

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            raise FieldError(
                f"{self.model.__name__}.{self.name} is encrypted: it cannot be searched with '{lookup_name}'; "
                "filter on its lookup-hash column instead"
            )
        return super().get_lookup(lookup_name)
