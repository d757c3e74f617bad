"""Background jobs of the consent domain (ids in, idempotent)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task

from mamori.catalog.mapfile import PrivacyMap
from mamori.catalog.models import MapVersion
from mamori.consent.models import Subscription, SubscriptionStatus
from mamori.core import crypto


@task()
def send_confirmation(subscription_id: int) -> None:
    """The double opt-in e-mail. Sent again only while the subscription is still pending."""
    from mamori.consent.services.subscriptions import confirmation_token, unsubscribe_headers

    subscription = Subscription.objects.filter(pk=subscription_id, status=SubscriptionStatus.PENDING).first()
    if subscription is None or subscription.email_encrypted is None:
        return
    email = crypto.decrypt(bytes(subscription.email_encrypted)).decode()
    version = MapVersion.objects.current(subscription.organisation)
    if version is None:
        return
    privacy_map = PrivacyMap.from_document(version.document)
    language = "ja" if subscription.language == "ja" else "en"
    topic = privacy_map.find("purposes", subscription.topic)
    path = reverse("center:consent_confirm", kwargs={"organisation": subscription.organisation,
                                                      "token": confirmation_token(subscription)})
    context = {
        "controller": privacy_map.organisation.legal_name.get(language),
        "topic": topic.name.get(language) if topic else subscription.topic,
        "confirm_url": f"{settings.BASE_URL}{path}",
    }
    subject, _, body = render_to_string(f"consent/email/confirm_{language}.txt", context).partition("\n")
    message = EmailMessage(subject.strip(), body.lstrip("\n"), to=[email],
                           headers=unsubscribe_headers(subscription.organisation, subscription.topic, email))
    message.send()


@task()
def dispose_withdrawn_addresses() -> int:
    """Unsubscribed addresses past their retention period are no longer kept readable (hourly)."""
    from mamori.consent.services.subscriptions import dispose_withdrawn_addresses as dispose

    return dispose()
