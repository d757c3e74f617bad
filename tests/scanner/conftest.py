"""Scanner fixtures: synthetic scan results (what browser.Scanner.run returns), no browser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mamori.audit.services import Actor
from mamori.catalog.services import apply_map

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parents[1] / "examples"
PAGE = "https://www.example.jp/"


def cookie(
    name: str,
    *,
    domain: str = "www.example.jp",
    party: str = "first",
    days: float | None = None,
    setter: str = "https://www.example.jp/tag.js",
) -> dict[str, Any]:
    return {
        "name": name,
        "domain": domain,
        "path": "/",
        "party": party,
        "session": days is None,
        "lifetime_days": days,
        "http_only": False,
        "secure": True,
        "same_site": "Lax",
        "set_by": {"kind": "script", "url": setter},
    }


def request(url: str, kind: str = "script", initiator: str = PAGE) -> dict[str, Any]:
    from mamori.scanner.sites import host_of, site_of

    host = host_of(url)
    return {"url": url, "host": host, "kind": kind, "frame": PAGE, "site": site_of(host), "initiator": initiator}


def visit(
    state: str,
    cookies: list[dict[str, Any]] = (),
    requests: list[dict[str, Any]] = (),  # type: ignore[assignment]
    **extra: Any,
) -> dict[str, Any]:
    return {
        "page": PAGE,
        "region": "JP",
        "state": state,
        "error": "",
        "banner_shown": state == "none",
        "choice_made": state in ("reject", "accept"),
        "gpc_note_shown": False,
        "storage": {"local": [], "session": [], "indexeddb": []},
        "consent_mode": [],
        "cookies": list(cookies),
        "requests": list(requests),
        **extra,
    }


def scan_of(*visits: dict[str, Any]) -> dict[str, Any]:
    return {
        "started_at": 1_800_000_000.0,
        "finished_at": 1_800_000_060.0,
        "pages": [PAGE],
        "truncated": False,
        "regions": ["JP"],
        "states": ["none", "reject", "accept", "gpc"],
        "visits": list(visits),
        "screenshots": {},
    }


@pytest.fixture
def onemall(db: None) -> str:
    return apply_map([EXAMPLES / "onemall"], Actor.cli("test")).organisation


def _onemall_map() -> Any:
    from mamori.catalog.mapfile import load_map

    return load_map([EXAMPLES / "onemall"]).map


ONEMALL_MAP = _onemall_map()


def _faulty_map() -> Any:
    from mamori.catalog.mapfile import load_map

    return load_map([HERE / "faultyshop"]).map


FAULTY_MAP = _faulty_map()
