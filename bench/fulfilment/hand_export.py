"""The baseline of the access benchmarks: a hand-written exporter doing the same work as the
engine's package, with psycopg and no framework. It finds the customer by e-mail, reads the same
rows of every table (the same columns: password hashes left out, as the engine does), and writes
the same files: per table a JSON document (header and one object per row, dates in ISO form) and
a CSV file, deflated into a ZIP, plus a manifest."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import psycopg

# (table, columns, condition on the customer id): what the map says a customer owns.
OWNED_SQL = {
    "customers": (
        "id, email, first_name, last_name, phone, preferred_language, status, created_at, closed_at",
        "id = %(id)s",
    ),
    "social_accounts": ("*", "customer_id = %(id)s"),
    "addresses": ("*", "customer_id = %(id)s"),
    "orders": ("*", "customer_id = %(id)s"),
    "order_items": ("*", "order_id IN (SELECT id FROM orders WHERE customer_id = %(id)s)"),
    "payments": ("*", "customer_id = %(id)s"),
    "inquiries": ("*", "customer_id = %(id)s"),
    "newsletter_subscriptions": ("*", "customer_id = %(id)s"),
    "login_sessions": ("*", "customer_id = %(id)s"),
    "usage_events": ("*", "customer_id = %(id)s"),
}


def _plain(value: Any) -> Any:
    isoformat = getattr(value, "isoformat", None)
    return isoformat() if isoformat is not None else str(value)


def hand_export(connection: psycopg.Connection[Any], email: str, path: Path) -> dict[str, int]:
    """Write the customer's package to `path`; rows per table."""
    found = connection.execute("SELECT id FROM customers WHERE email = %s", [email]).fetchone()
    written: dict[str, int] = {}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as package:
        if found is not None:
            for table, (columns, condition) in OWNED_SQL.items():
                cursor = connection.execute(
                    f"SELECT {columns} FROM {table} WHERE {condition} ORDER BY id", {"id": found[0]}
                )
                names = [column.name for column in cursor.description or ()]
                rows = cursor.fetchall()
                if not rows:
                    continue
                document = {"system": "store-db", "table": table, "columns": names}
                document["rows"] = [dict(zip(names, row, strict=True)) for row in rows]
                package.writestr(
                    f"data/store-db/{table}.json", json.dumps(document, ensure_ascii=False, default=_plain, indent=1)
                )
                text = io.StringIO(newline="")
                writer = csv.writer(text)
                writer.writerow(names)
                writer.writerows(rows)
                package.writestr(f"data/store-db/{table}.csv", text.getvalue())
                written[table] = len(rows)
        manifest = {"tables": [{"table": table, "rows": rows} for table, rows in written.items()]}
        package.writestr("manifest.json", json.dumps(manifest, indent=2))
    connection.commit()
    return written
