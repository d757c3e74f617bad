"""Guard rail: every console page and API endpoint, read from the URL resolver, refuses whoever it
must refuse. A new URL fails `test_every_url_is_classified` until it is put in one of the lists
below, so none can go untested.

- Console URLs refuse a signed-in account without a role (the outsider) and, unless listed in
  MARKETING_MAY, the marketing role.
- API URLs refuse a token holding every scope but the one the endpoint needs (API_SCOPES), and
  a request without a token.
- PUBLIC lists, with the reason, what anyone may reach.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from mamori.accounts.models import User
from mamori.api.models import SCOPES
from mamori.api.services import create_token
from mamori.audit.services import Actor
from mamori.testing.urls import Url, every_url

pytestmark = pytest.mark.django_db

PUBLIC = {
    "": "redirects to the privacy center",
    "set_language": "Django's language switch",
    "gpc_json": "/.well-known/gpc.json is public by definition",
    "demo_storage": "the demo's storage adapter: 404 unless MAMORI_DEMO, then HMAC-signed calls only",
    "consent_events": "the banner posts choices from any site (rate-limited, site-checked)",
    "console:login": "sign-in",
    "console:logout": "sign-out",
    "console:otp_verify": "second factor during sign-in",
    "console:otp_setup": "second factor set-up during sign-in",
    "api:openapi-json": "the API's description",
    "api:openapi-view": "the API's documentation page",
    "api:api-root": "the API's index",
    "api:events_preflight": "CORS preflight of the banner's endpoint",
    "api:record_event": "the banner's endpoint (see consent_events)",
}
PUBLIC_NAMESPACES = ("center:", "consent:")  # the privacy center and the banner: for the public

# Console pages the marketing role may use (everything else refuses it).
MARKETING_MAY = {
    "console:dashboard": "every staff role has the dashboard",
    "console:map": "the map is read by every staff role (MAP_READERS)",
    "console:map_section": "as console:map",
    "console:map_versions": "as console:map",
    "console:map_version": "as console:map",
    "console:map_diff": "as console:map",
    "console:notices": "published notices are read by MAP_READERS",
    "console:notices_detail": "as console:notices",
    "consent_console:rates": "consent rates are marketing's work (CONSENT_READERS)",
}

# The scope each API endpoint needs (None: any valid token).
API_SCOPES: dict[str, str | None] = {
    "api:whoami": None,
    "api:versions": "map:read",
    "api:current": "map:read",
    "api:list_requests": "requests:read",
    "api:create_request": "requests:write",
    "api:get_request": "requests:read",
    "api:extend_request": "requests:write",
    "api:deny_request": "requests:write",
    "api:complete_request": "requests:write",
    "api:state": "consent:read",
    "api:proof": "consent:read",
    "api:unsubscribe_headers": "consent:read",
    "api:subscription_status": "consent:read",
    "api:list_restrictions": "restrictions:read",
    "api:list_recipient_notices": "recipient-notices:read",
    "api:get_recipient_notice": "recipient-notices:read",
    "api:confirm_recipient_notice": "recipient-notices:write",
    "api:provisions": "records:write",
    "api:receipts": "records:write",
    "api:list_incidents": "incidents:read",
    "api:get_incident": "incidents:read",
    "api:create_incident": "incidents:write",
    "api:list_retention_rules": "retention:read",
    "api:list_disposal_runs": "retention:read",
    "api:get_disposal_run": "retention:read",
    "api:approve_disposal_run": "retention:approve",
    "api:list_disposal_certificates": "retention:read",
    "api:get_disposal_certificate": "retention:read",
}


def is_public(url: Url) -> bool:
    return url.name in PUBLIC or url.name.startswith(PUBLIC_NAMESPACES)


def console_urls() -> list[Url]:
    return [url for url in every_url() if url.route.startswith("console/") and not is_public(url)]


def api_urls() -> list[Url]:
    return [url for url in every_url() if url.route.startswith("api/") and not is_public(url)]


def refused(client: Client, url: Url, **headers: str) -> list[int]:
    """The status of each method the URL accepts (OPTIONS, the CORS preflight, left out)."""
    statuses = []
    for method in url.methods:
        if method == "OPTIONS":
            continue
        call = getattr(client, method.lower())
        statuses.append(call(url.path, **headers).status_code)
    return statuses


def is_refusal(statuses: list[int]) -> bool:
    return set(statuses) <= {403, 405} and 403 in statuses


def test_every_url_is_classified() -> None:
    unclassified = [
        str(url)
        for url in every_url()
        if not is_public(url)
        and not url.route.startswith("console/")
        and not (url.route.startswith("api/") and url.name in API_SCOPES)
    ]
    unclassified += [str(url) for url in api_urls() if url.name not in API_SCOPES]
    assert not unclassified, "classify these URLs in tests/console/test_every_url_is_guarded.py"
    assert set(MARKETING_MAY) <= {url.name for url in console_urls()}, "MARKETING_MAY names a URL that is gone"


def test_the_outsider_is_refused_every_console_url(outsider: User, client_as: Callable[[User], Client]) -> None:
    client = client_as(outsider)
    # 403 from the role check; 405 where the method itself is not served (a POST-only action).
    let_in = [(str(url), statuses) for url in console_urls() if not is_refusal(statuses := refused(client, url))]
    assert not let_in


def test_marketing_is_refused_every_console_url_but_its_own(
    marketing: User, client_as: Callable[[User], Client]
) -> None:
    client = client_as(marketing)
    wrong = []
    for url in console_urls():
        statuses = refused(client, url)
        if is_refusal(statuses) == (url.name in MARKETING_MAY):
            wrong.append((str(url), statuses))
    assert not wrong


def test_an_api_token_without_the_scope_is_refused_every_endpoint(officer: User, client: Client) -> None:
    for url in api_urls():
        assert set(refused(client, url)) == {401}, str(url)  # no token at all
        scope = API_SCOPES[url.name]
        if scope is None:
            continue
        _, secret = create_token(
            officer, f"all but {scope}", [s for s in SCOPES if s != scope], Actor.for_user(officer)
        )
        statuses = refused(client, url, HTTP_AUTHORIZATION=f"Bearer {secret}")
        assert is_refusal(statuses), (str(url), scope, statuses)
