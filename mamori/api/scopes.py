"""Which roles may hold which API scope: the same people the console lets do the same thing.

A token never does more than its owner could in the console: a scope the owner's role lacks is
refused when the token is issued, and ignored when a token is used (an older token issued before
this rule, or an owner whose role changed since).
"""

from __future__ import annotations


def scope_roles() -> dict[str, tuple[str, ...]]:
    from mamori.accounts.access import AUDIT_READERS, MAP_READERS
    from mamori.accounts.models import Role
    from mamori.consent.access import CONSENT_READERS
    from mamori.fulfilment.access import FULFILMENT_STAFF
    from mamori.incidents.access import INCIDENT_EDITORS, INCIDENT_READERS
    from mamori.retention.access import RETENTION_ACTORS, RETENTION_READERS
    from mamori.rights.access import REQUEST_READERS, REQUEST_WORKERS

    return {
        "map:read": MAP_READERS,
        "audit:read": AUDIT_READERS,
        "requests:read": REQUEST_READERS,
        "requests:write": REQUEST_WORKERS,
        "consent:read": CONSENT_READERS,
        "consent:write": (Role.PRIVACY_OFFICER, Role.ADMIN),
        "fulfilment:write": FULFILMENT_STAFF,
        "restrictions:read": (*FULFILMENT_STAFF, Role.ADMIN),
        "recipient-notices:read": FULFILMENT_STAFF,
        "recipient-notices:write": FULFILMENT_STAFF,
        "records:write": (Role.PRIVACY_OFFICER, Role.ADMIN),
        "incidents:read": INCIDENT_READERS,
        "incidents:write": INCIDENT_EDITORS,
        "retention:read": RETENTION_READERS,
        "retention:approve": RETENTION_ACTORS,
    }


def allowed_scopes(role: str) -> set[str]:
    return {scope for scope, roles in scope_roles().items() if role in roles}
