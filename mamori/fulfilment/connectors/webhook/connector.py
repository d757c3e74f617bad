"""HTTPS webhook connector: mamori POSTs signed JSON to a small adapter the company runs.

Request: `POST <url>` with body `{"action", "system", ...}` and headers
- `X-Mamori-Timestamp`: Unix seconds;
- `X-Mamori-Signature`: `sha256=` + hex HMAC-SHA256 of `"<timestamp>." + body` with the shared
  secret (environment variable named like the URL's, `..._URL` -> `..._SECRET`);
- `Idempotency-Key`: the same for every retry and every resumption of the same step, so the
  adapter can answer a repeated call without doing the work twice.

Actions and the answers expected (JSON):
- `ping` -> anything 2xx;
- `find` `{"subjects": [{kind: value}]}` -> `{"results": [{"counts": {name: n}, "held": {name: n}}]}`;
- `export` `{"identities"}` -> `{"records": {name: [row objects]}}`;
- `erase` `{"subjects"}` -> `{"erased": {name: n}}`;
- `rectify` `{"identities", "fields": {name: value}}` -> `{"changed": {name: n}}`;
- `restrict` `{"identities", "restricted": bool}` -> `{"changed": {name: n}}`.
Connection errors, 429 and 5xx are retried with exponential back-off; other 4xx fail at once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.utils.translation import gettext_lazy as _

from mamori.fulfilment.connectors.base import (
    ConnectorError,
    Known,
    Located,
    PackageSink,
    Subjects,
    SystemNotConfigured,
    SystemPlan,
)

if TYPE_CHECKING:
    from mamori.catalog.mapfile.schema import System

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def secret_env_name(url_env: str) -> str:
    return url_env[: -len("_URL")] + "_SECRET" if url_env.endswith("_URL") else url_env + "_SECRET"


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret, timestamp.encode("ascii") + b"." + body, hashlib.sha256).hexdigest()


class WebhookConnector:
    kind = "webhook"

    def __init__(
        self, system: System, url: str, secret: str, *, attempts: int = 4, backoff: float = 0.5, timeout: float = 30
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in LOCAL_HOSTS):
            raise ConnectorError(_("system %(system)s: the webhook URL must use https"), system=system.id)
        self.system = system
        self.system_id = system.id
        self.url = url
        self.secret = secret.encode("utf-8")
        self.attempts = attempts
        self.backoff = backoff
        self.timeout = timeout

    @classmethod
    def from_environment(cls, system: System, environ: Mapping[str, str]) -> WebhookConnector:
        url_env = system.url_env or ""
        url, secret = environ.get(url_env, ""), environ.get(secret_env_name(url_env), "")
        if not url or not secret:
            raise SystemNotConfigured(
                _("system %(system)s: set %(url_env)s (the webhook URL) and %(secret_env)s (its signing secret)"),
                system=system.id,
                url_env=url_env,
                secret_env=secret_env_name(url_env),
            )
        return cls(system, url, secret)

    def call(self, action: str, payload: Mapping[str, Any], *, idempotency_key: str) -> dict[str, Any]:
        body = json.dumps({"action": action, "system": self.system_id, **payload}, sort_keys=True).encode("utf-8")
        last_error = ""
        for attempt in range(self.attempts):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            timestamp = str(int(time.time()))
            request = urllib.request.Request(  # noqa: S310 (scheme checked in __init__)
                self.url,
                data=body,
                method="POST",
                headers={
                    "Content-Type": "application/json",
                    "X-Mamori-Timestamp": timestamp,
                    "X-Mamori-Signature": sign(self.secret, timestamp, body),
                    "Idempotency-Key": idempotency_key,
                },
            )
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                    text = response.read().decode("utf-8")
                    return json.loads(text) if text.strip() else {}
            except urllib.error.HTTPError as exc:
                last_error = f"HTTP {exc.code}"
                if exc.code != 429 and exc.code < 500:
                    break
            except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
                last_error = type(exc).__name__
            except json.JSONDecodeError:
                raise ConnectorError(
                    _("system %(system)s: the webhook answered %(action)s with invalid JSON"),
                    system=self.system_id,
                    action=action,
                ) from None
        raise ConnectorError(
            _("system %(system)s: the webhook refused %(action)s (%(error)s)"),
            system=self.system_id,
            action=action,
            error=last_error,
        )

    def test_connection(self) -> None:
        self.call("ping", {}, idempotency_key=f"ping-{int(time.time())}")

    def locate(self, subjects: Subjects, *, counts: bool = True, known: Known | None = None) -> Located:
        # `known` is not sent: an adapter keeps its own keys and never masks what finds a person.
        answer = self.call("find", {"subjects": [dict(s) for s in subjects]}, idempotency_key=_key("find", subjects))
        results = answer.get("results") or []
        found: dict[str, dict[str, int]] = {}  # the adapter answers counts at no extra cost
        held: dict[str, dict[str, int]] = {}
        for index, result in enumerate(results[: len(subjects)]):
            for name, number in (result.get("counts") or {}).items():
                found.setdefault(str(name), {})[str(index)] = int(number)
            for name, number in (result.get("held") or {}).items():
                held.setdefault(str(name), {})[str(index)] = int(number)
        return {"state": {"subjects": [dict(s) for s in subjects], "held": held}, "counts": found}

    def export(self, located: Located, index: int, sink: PackageSink, *, idempotency_key: str) -> dict[str, int]:
        return self.export_subject(located["state"]["subjects"][index], sink, idempotency_key=idempotency_key)

    def export_subject(
        self, identities: Mapping[str, str], sink: PackageSink, *, idempotency_key: str
    ) -> dict[str, int]:
        # The adapter finds the subject itself: no `find` call first.
        answer = self.call("export", {"identities": dict(identities)}, idempotency_key=idempotency_key)
        written = {}
        for name, rows in (answer.get("records") or {}).items():
            columns = list(dict.fromkeys(key for row in rows for key in row))
            written[name] = sink.write_table(
                self.system_id, str(name), columns, ([row.get(column) for column in columns] for row in rows), {}
            )
        return written

    def plan_erasure(self, located: Located) -> SystemPlan:
        held = located["state"].get("held", {})
        tables = []
        for name, per_subject in located["counts"].items():
            rows = sum(per_subject.values())
            kept = sum(held.get(name, {}).values())
            tables.append(
                {
                    "table": name,
                    "ownership": "owned",
                    "rows": rows,
                    "rows_by_subject": per_subject,
                    "action": "keep" if kept >= rows else "delete",
                    "reason": "legal_hold" if kept else "",
                    "retention": "",
                    "hold_basis": None,
                    "hold_period": "",
                    "shared_rows": 0,
                    "fields": [],
                }
            )
        return {"system": self.system_id, "kind": "webhook", "tables": tables, "order": [], "state": located["state"]}

    def erase(self, plan: SystemPlan, *, idempotency_key: str) -> dict[str, int]:
        answer = self.call("erase", {"subjects": plan["state"]["subjects"]}, idempotency_key=idempotency_key)
        return {str(name): int(number) for name, number in (answer.get("erased") or {}).items()}

    def verify(self, plan: SystemPlan) -> dict[str, int]:
        again = self.locate(plan["state"]["subjects"])
        held = again["state"]["held"]
        return {
            name: max(0, sum(per.values()) - sum(held.get(name, {}).values())) for name, per in again["counts"].items()
        }

    def rectify(
        self, located: Located, index: int, values: Mapping[str, Any], *, idempotency_key: str
    ) -> dict[str, int]:
        payload = {"identities": located["state"]["subjects"][index], "fields": dict(values)}
        answer = self.call("rectify", payload, idempotency_key=idempotency_key)
        return {str(name): int(number) for name, number in (answer.get("changed") or {}).items()}

    def restrict(self, located: Located, index: int, *, restricted: bool, idempotency_key: str) -> dict[str, int]:
        payload = {"identities": located["state"]["subjects"][index], "restricted": restricted}
        answer = self.call("restrict", payload, idempotency_key=idempotency_key)
        return {str(name): int(number) for name, number in (answer.get("changed") or {}).items()}


def _key(action: str, subjects: Subjects) -> str:
    digest = hashlib.sha256(json.dumps([dict(s) for s in subjects], sort_keys=True).encode("utf-8")).hexdigest()
    return f"{action}-{digest[:32]}"
