"""Sites with their own domain list (an organisation id is a site without any configuration)."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from mamori.audit.services import Actor, record
from mamori.catalog.in_force import version_in_force
from mamori.consent import siteconfig
from mamori.consent.models import ConsentSite
from mamori.consent.services.errors import ConsentError

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_DOMAIN = re.compile(rf"^(?=.{{1,253}}$)({_LABEL}\.)*{_LABEL}(:\d{{1,5}})?$")
_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")


def configure_site(
    key: str, organisation: str, domains: list[str], actor: Actor, cookie_days: int | None = None
) -> ConsentSite:
    """Create or change a site. Domains are host names (a port allowed for local testing)."""
    clean = [domain.strip().lower() for domain in domains if domain.strip()]
    if not _KEY.match(key):
        raise ConsentError(_("a site key is lower-case letters, digits, '-' and '_'"), code="site_invalid")
    if not clean:
        raise ConsentError(_("a site needs at least one domain"), code="site_invalid")
    bad = [domain for domain in clean if not _DOMAIN.match(domain)]
    if bad:
        raise ConsentError(_("not a host name: %(hosts)s"), code="site_invalid", hosts=", ".join(bad))
    if cookie_days is not None and not 1 <= cookie_days <= 3650:
        raise ConsentError(_("the consent cookie lasts between 1 and 3650 days"), code="site_invalid")
    if version_in_force(organisation) is None:
        raise ConsentError(_("no privacy map is applied for this organisation"), code="site_invalid")
    with transaction.atomic():
        site, created = ConsentSite.objects.update_or_create(
            key=key, defaults={"organisation": organisation, "domains": clean, "cookie_days": cookie_days}
        )
        record(
            actor,
            "consent.site_created" if created else "consent.site_changed",
            target_type="consent_site",
            target_id=key,
            details={"organisation": organisation, "domains": clean, "cookie_days": cookie_days},
        )
        transaction.on_commit(lambda: siteconfig.forget(key))
    return site


def remove_site(key: str, actor: Actor) -> None:
    with transaction.atomic():
        deleted, _by_model = ConsentSite.objects.filter(key=key).delete()
        if not deleted:
            raise ConsentError(_("no configured site '%(key)s'"), code="site_unknown", key=key)
        record(actor, "consent.site_removed", target_type="consent_site", target_id=key)
        transaction.on_commit(lambda: siteconfig.forget(key))
