"""Open connectors kept between runs, so a request does not pay for them again.

Building a connector costs a database engine, new connections and reading the schema (about
100 ms for a shop). It depends only on the map version in force and on the connection settings,
so this process keeps them per

    (organisation, map version number, content hash, system id, digest of its connection settings)

(the parsed map itself is kept by `mamori.catalog.in_force`). The content hash is part of the
scope because a version number alone can come back with other content (a database restored, a
test database re-created). A new version of an organisation's map retires the older scopes'
connectors (their pools are closed); so does a changed connection setting, which gives a new key.
Thread-safe: a run may build a connector while another reads it.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mamori.fulfilment.connectors import Connector, connector_for
from mamori.fulfilment.connectors.webhook.connector import secret_env_name
from mamori.fulfilment.engine import FulfilmentEngine

if TYPE_CHECKING:
    from mamori.catalog.mapfile import PrivacyMap
    from mamori.catalog.mapfile.schema import System


@dataclass(frozen=True)
class MapScope:
    organisation: str
    version: int
    content_hash: str


def settings_digest(system: System, environ: Mapping[str, str]) -> str:
    """A digest of the environment values a system's connector is built from (URLs, secrets)."""

    names = [system.connector, system.connection_env or "", system.url_env or ""]
    if system.url_env:
        names.append(secret_env_name(system.url_env))
    values = [names[0], *(environ.get(name, "") for name in names[1:] if name)]
    return hashlib.sha256("\0".join(values).encode("utf-8")).hexdigest()


def _close(connector: Connector) -> None:
    close = getattr(connector, "close", None)
    if close is not None:
        close()


class EngineCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._scopes: dict[str, MapScope] = {}  # organisation -> the scope its connectors belong to
        self._connectors: dict[tuple[MapScope, str, str], Connector] = {}
        self.built = 0  # connectors built so far (tests and benchmarks read it)

    def engine(self, scope: MapScope, privacy_map: PrivacyMap, environ: Mapping[str, str]) -> FulfilmentEngine:
        """An engine for one run whose connectors are the cached ones (its `close()` keeps them open)."""

        self._retire_older(scope)

        def source(system: System) -> Connector:
            return self.connector(scope, system, privacy_map, environ)

        return FulfilmentEngine(privacy_map, environ, connector_source=source)

    def connector(
        self, scope: MapScope, system: System, privacy_map: PrivacyMap, environ: Mapping[str, str]
    ) -> Connector:
        key = (scope, system.id, settings_digest(system, environ))
        with self._lock:
            found = self._connectors.get(key)
        if found is not None:
            return found
        built = connector_for(system, privacy_map, environ)  # may raise: nothing is kept then
        with self._lock:
            kept = self._connectors.setdefault(key, built)
            self.built += kept is built
            # The same system with other settings (a changed URL) is not used again.
            replaced = [
                self._connectors.pop(other) for other in list(self._connectors) if other[:2] == key[:2] and other != key
            ]
        for connector in [*replaced, *([built] if kept is not built else [])]:
            _close(connector)
        return kept

    def retire(self, organisation: str) -> None:
        """Forget everything of an organisation (a new map version was applied)."""
        with self._lock:
            stale = self._retire_locked(organisation, keep=None)
        for connector in stale:
            _close(connector)

    def clear(self) -> None:
        with self._lock:
            stale = list(self._connectors.values())
            self._connectors.clear()
            self._scopes.clear()
        for connector in stale:
            _close(connector)

    def _retire_older(self, scope: MapScope) -> None:
        """A run on a newer scope than the one seen last closes the older scope's connectors."""
        with self._lock:
            if self._scopes.get(scope.organisation) == scope:
                return
            self._scopes[scope.organisation] = scope
            stale = self._retire_locked(scope.organisation, keep=scope)
        for connector in stale:
            _close(connector)

    def _retire_locked(self, organisation: str, keep: MapScope | None) -> list[Connector]:
        if keep is None:
            self._scopes.pop(organisation, None)
        stale_keys = [key for key in self._connectors if key[0].organisation == organisation and key[0] != keep]
        return [self._connectors.pop(key) for key in stale_keys]


ENGINES = EngineCache()  # one per process


def forget_organisation(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    """post_save of MapVersion: a newly applied version retires the connectors of the older ones."""
    if created:
        ENGINES.retire(instance.organisation)
