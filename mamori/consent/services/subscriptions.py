"""Marketing lists: double opt-in, one-step withdrawal, RFC 8058 one-click unsubscribe, and the
"Do Not Sell or Share" opt-out.

A list is a purpose of the map that a collection point gathers a `marketing.*` category for (the
newsletter sign-up). Nobody is subscribed without an express request and a confirmed address.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from mamori.audit.services import Actor, record
from mamori.catalog.in_force import parsed_map, version_in_force
from mamori.catalog.mapfile import PrivacyMap
from mamori.catalog.mapfile.values import Duration
from mamori.consent.models import SaleOptOut, Subscription, SubscriptionEvent, SubscriptionStatus
from mamori.consent.services.errors import ConsentError
from mamori.core import crypto

CONFIRM_SALT = "mamori.consent.confirm"
UNSUBSCRIBE_SALT = "mamori.consent.unsubscribe"
CONFIRM_SECONDS = 7 * 24 * 3600
PUBLIC = Actor.system("privacy-center")
SYSTEM = Actor.system("consent")


def _map(organisation: str) -> PrivacyMap:
    version = version_in_force(organisation)
    if version is None:
        raise ConsentError(_("no privacy map is applied for this organisation"), code="organisation_unknown")
    return parsed_map(version)


def marketing_topics(privacy_map: PrivacyMap) -> list[Any]:
    """The purposes people subscribe to: those a collection point gathers a marketing category for."""
    ids: list[str] = []
    for point in privacy_map.collection_points:
        if any(category.startswith("marketing") for category in point.categories):
            ids.extend(purpose for purpose in point.purposes if purpose not in ids)
    return [privacy_map.purpose(ident) for ident in ids if privacy_map.find("purposes", ident)]


def _topic_ids(organisation: str) -> list[str]:
    return [purpose.id for purpose in marketing_topics(_map(organisation))]


def _clean_email(email: str) -> str:
    email = (email or "").strip()
    try:
        validate_email(email)
    except Exception:
        raise ConsentError(_("enter a valid e-mail address"), code="email_invalid") from None
    return email


def _event(subscription: Subscription, action: str, ip: str, user_agent: str) -> None:
    ip_hash = crypto.consent_identifier_hash("ip", ip) if ip else ""
    SubscriptionEvent.objects.create(
        subscription=subscription, action=action, ip_hash=ip_hash, user_agent=user_agent[:400]
    )


def request_subscription(
    organisation: str,
    topic: str,
    email: str,
    language: str,
    *,
    express_request: bool,
    ip: str = "",
    user_agent: str = "",
) -> Subscription:
    """Start a double opt-in: store the request as pending and send the confirmation e-mail.

    `express_request` is the unticked box the person ticked themselves (IP1: only on express request).
    """
    if not express_request:
        raise ConsentError(
            _("tick the box to ask for the newsletter; we never subscribe anyone without it"),
            code="express_request_missing",
        )
    if topic not in _topic_ids(organisation):
        raise ConsentError(_("there is no mailing list '%(topic)s'"), code="topic_unknown", topic=topic)
    email = _clean_email(email)
    language = "ja" if language.startswith("ja") else "en"
    with transaction.atomic():
        subscription, _created = Subscription.objects.select_for_update().get_or_create(
            organisation=organisation,
            topic=topic,
            email_hash=crypto.consent_email_hash(email),
            defaults={"status": SubscriptionStatus.PENDING},
        )
        if subscription.status != SubscriptionStatus.CONFIRMED:
            subscription.status = SubscriptionStatus.PENDING
            subscription.withdrawn_at = None
        subscription.email_encrypted = crypto.encrypt(email.encode())
        subscription.language = language
        subscription.requested_at = timezone.now()
        subscription.save()
        _event(subscription, "requested", ip, user_agent)
        record(
            PUBLIC,
            "consent.subscription_requested",
            target_type="subscription",
            target_id=str(subscription.pk),
            details={"organisation": organisation, "topic": topic},
        )
        if subscription.status == SubscriptionStatus.PENDING:
            subscription_id = subscription.pk
            transaction.on_commit(lambda: send_confirmation.enqueue(subscription_id))
    return subscription


def confirmation_token(subscription: Subscription) -> str:
    return signing.dumps({"s": subscription.pk, "h": subscription.email_hash[:16]}, salt=CONFIRM_SALT)


def confirm_subscription(token: str, *, ip: str = "", user_agent: str = "") -> Subscription:
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_SECONDS)
    except signing.SignatureExpired:
        raise ConsentError(_("this confirmation link has expired; subscribe again"), code="token_expired") from None
    except signing.BadSignature:
        raise ConsentError(_("this confirmation link is not valid"), code="token_invalid") from None
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().filter(pk=data.get("s")).first()
        if subscription is None or subscription.email_hash[:16] != data.get("h"):
            raise ConsentError(_("this confirmation link is not valid"), code="token_invalid")
        if subscription.status == SubscriptionStatus.CONFIRMED:
            return subscription
        if subscription.status == SubscriptionStatus.WITHDRAWN:
            raise ConsentError(_("you unsubscribed after asking; subscribe again to receive mail"), code="withdrawn")
        subscription.status = SubscriptionStatus.CONFIRMED
        subscription.confirmed_at = timezone.now()
        subscription.save(update_fields=["status", "confirmed_at"])
        _event(subscription, "confirmed", ip, user_agent)
        record(
            PUBLIC,
            "consent.subscription_confirmed",
            target_type="subscription",
            target_id=str(subscription.pk),
            details={"organisation": subscription.organisation, "topic": subscription.topic},
        )
    return subscription


def unsubscribe_token(organisation: str, topic: str, email: str) -> str:
    """A signed, non-expiring token naming the list and the address's hash (never the address)."""
    return signing.dumps({"o": organisation, "t": topic, "e": crypto.consent_email_hash(email)}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_headers(organisation: str, topic: str, email: str) -> dict[str, str]:
    """RFC 8058 headers for one recipient of the company's own mail."""
    if topic not in _topic_ids(organisation):
        raise ConsentError(_("there is no mailing list '%(topic)s'"), code="topic_unknown", topic=topic)
    token = unsubscribe_token(organisation, topic, _clean_email(email))
    path = reverse("center:consent_unsubscribe", kwargs={"organisation": organisation, "token": token})
    url = f"{settings.BASE_URL}{quote(path, safe='/:')}"
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _read_unsubscribe_token(organisation: str, token: str) -> dict[str, str]:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise ConsentError(_("this unsubscribe link is not valid"), code="token_invalid") from None
    if data.get("o") != organisation:
        raise ConsentError(_("this unsubscribe link is not valid"), code="token_invalid")
    return data


def unsubscribe(
    organisation: str, token: str, *, one_click: bool = False, ip: str = "", user_agent: str = ""
) -> Subscription:
    """Withdraw in one step. An address mamori never subscribed is kept as withdrawn (by hash) so the
    company's mail system, which asks before sending, stops too."""
    data = _read_unsubscribe_token(organisation, token)
    with transaction.atomic():
        subscription, _created = Subscription.objects.select_for_update().get_or_create(
            organisation=organisation,
            topic=data["t"],
            email_hash=data["e"],
            defaults={"status": SubscriptionStatus.WITHDRAWN, "withdrawn_at": timezone.now()},
        )
        if subscription.status != SubscriptionStatus.WITHDRAWN:
            subscription.status = SubscriptionStatus.WITHDRAWN
            subscription.withdrawn_at = timezone.now()
            subscription.save(update_fields=["status", "withdrawn_at"])
        if withdrawn_address_kept_for(_map(organisation), data["t"]).amount == 0:
            _dispose_address(subscription)
        _event(subscription, "one_click" if one_click else "withdrawn", ip, user_agent)
        record(
            PUBLIC,
            "consent.unsubscribed",
            target_type="subscription",
            target_id=str(subscription.pk),
            details={"organisation": organisation, "topic": data["t"], "one_click": one_click},
        )
    return subscription


def withdrawn_address_kept_for(privacy_map: PrivacyMap, topic: str) -> Duration:
    """How long an unsubscribed address may stay readable: the retention rule (trigger
    consent_withdrawn) of the collection point that signs people up to ``topic``. A map that says
    nothing keeps it no time at all. The keyed hash always stays, so the address is not mailed again."""
    for point in privacy_map.collection_points:
        if topic not in point.purposes or not point.retention:
            continue
        rule = privacy_map.find("retention", point.retention)
        if rule is not None and rule.trigger == "consent_withdrawn" and rule.period is not None:
            return rule.period
    return Duration(0, "day")


def _dispose_address(subscription: Subscription) -> None:
    if subscription.email_encrypted is None:
        return
    subscription.email_encrypted = None
    subscription.save(update_fields=["email_encrypted"])
    record(
        SYSTEM,
        "consent.address_disposed",
        target_type="subscription",
        target_id=str(subscription.pk),
        details={"organisation": subscription.organisation, "topic": subscription.topic},
    )


def dispose_withdrawn_addresses(now: datetime | None = None) -> int:
    """Sweep: unsubscribed addresses whose retention period has run out are no longer kept readable."""
    now = now or timezone.now()
    disposed = 0
    kept_for: dict[tuple[str, str], Duration] = {}
    rows = Subscription.objects.filter(
        status=SubscriptionStatus.WITHDRAWN, email_encrypted__isnull=False, withdrawn_at__isnull=False
    )
    for row in rows:
        key = (row.organisation, row.topic)
        if key not in kept_for:
            kept_for[key] = withdrawn_address_kept_for(_map(row.organisation), row.topic)
        if row.withdrawn_at is not None and row.withdrawn_at + timedelta(days=kept_for[key].shortest_days()) <= now:
            with transaction.atomic():
                _dispose_address(row)
            disposed += 1
    return disposed


@task()
def dispose_withdrawn_addresses_job() -> int:
    """Hourly (core.schedule): unsubscribed addresses past their retention period are disposed of."""
    return dispose_withdrawn_addresses()


def subscription_status(organisation: str, topic: str, email: str) -> str:
    """'confirmed', 'pending', 'withdrawn' or 'none': may the company send to this address?"""
    found = Subscription.objects.filter(
        organisation=organisation, topic=topic, email_hash=crypto.consent_email_hash(_clean_email(email))
    ).first()
    return found.status if found else "none"


def record_sale_opt_out(organisation: str, *, email: str = "", gpc: bool = False) -> SaleOptOut | None:
    """The e-mail half of a "Do Not Sell or Share" opt-out (the browser half is a ledger event)."""
    _map(organisation)
    if not email:
        return None
    email = _clean_email(email)
    with transaction.atomic():
        opt_out = SaleOptOut.objects.create(
            organisation=organisation, email_hash=crypto.consent_email_hash(email), gpc=gpc
        )
        record(
            PUBLIC,
            "consent.sale_opt_out",
            target_type="sale_opt_out",
            target_id=str(opt_out.pk),
            details={"organisation": organisation, "gpc": gpc},
        )
    return opt_out


def confirmed_subscribers(organisation: str) -> list[tuple[str, str]]:
    """(e-mail, language) of everyone confirmed on any list: told about material notice changes."""
    seen: dict[str, tuple[str, str]] = {}
    rows = Subscription.objects.filter(
        organisation=organisation, status=SubscriptionStatus.CONFIRMED, email_encrypted__isnull=False
    )
    for row in rows:
        if row.email_hash not in seen and row.email_encrypted is not None:
            seen[row.email_hash] = (crypto.decrypt(bytes(row.email_encrypted)).decode(), row.language)
    return list(seen.values())


def unsubscribed_addresses(organisation: str, addresses: Collection[str]) -> set[str]:
    """Which of a batch of addresses unsubscribed from the organisation's mail (withdrawn from a list
    and on none now): material-change e-mails leave them out. One query per batch, by keyed hash."""
    by_hash = {crypto.consent_email_hash(address): address for address in addresses}
    statuses: dict[str, set[str]] = {}
    rows = Subscription.objects.filter(organisation=organisation, email_hash__in=list(by_hash)).values_list(
        "email_hash", "status"
    )
    for digest, status in rows:
        statuses.setdefault(digest, set()).add(status)
    return {
        by_hash[digest]
        for digest, found in statuses.items()
        if SubscriptionStatus.WITHDRAWN in found and SubscriptionStatus.CONFIRMED not in found
    }


@task()
def send_confirmation(subscription_id: int) -> None:
    """Job: the double opt-in e-mail. Sent again only while the subscription is still pending."""
    subscription = Subscription.objects.filter(pk=subscription_id, status=SubscriptionStatus.PENDING).first()
    if subscription is None or subscription.email_encrypted is None:
        return
    email = crypto.decrypt(bytes(subscription.email_encrypted)).decode()
    version = version_in_force(subscription.organisation)
    if version is None:
        return
    privacy_map = parsed_map(version)
    language = "ja" if subscription.language == "ja" else "en"
    topic = privacy_map.find("purposes", subscription.topic)
    path = reverse(
        "center:consent_confirm",
        kwargs={"organisation": subscription.organisation, "token": confirmation_token(subscription)},
    )
    context = {
        "controller": privacy_map.organisation.legal_name.get(language),
        "topic": topic.name.get(language) if topic else subscription.topic,
        "confirm_url": f"{settings.BASE_URL}{path}",
    }
    subject, _newline, body = render_to_string(f"consent/email/confirm_{language}.txt", context).partition("\n")
    message = EmailMessage(
        subject.strip(),
        body.lstrip("\n"),
        to=[email],
        headers=unsubscribe_headers(subscription.organisation, subscription.topic, email),
    )
    message.send()
