"""Consent: configured sites, the append-only consent ledger, marketing subscriptions, opt-outs.

The ledger is keyed by hashed identifiers only (device ids, subject ids, IP addresses, e-mail
addresses go through `crypto.consent_identifier_hash`): it proves what a browser chose without holding who
the person is. Only a marketing subscription keeps its e-mail address, encrypted, because mail
has to be sent to it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LedgerImmutableError(Exception):
    """Someone tried to change or delete a ledger entry (a programming error)."""


class ConsentSite(models.Model):
    """A website with its own domain list. Without one, the organisation id is the site and the
    domain of the map's `organisation.website` is its only domain."""

    key = models.SlugField(_("site"), max_length=100, unique=True)
    organisation = models.CharField(_("organisation"), max_length=100, db_index=True)
    domains = models.JSONField(_("domains"), default=list)
    cookie_days = models.PositiveIntegerField(_("consent kept for (days)"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("consent site")

    def __str__(self) -> str:
        return self.key


class BannerText(models.Model):
    """The exact texts a banner showed, stored once per hash so a proof can show the words."""

    text_hash = models.CharField(max_length=64, unique=True)
    site = models.CharField(max_length=100)
    language = models.CharField(max_length=8)
    content = models.JSONField()
    first_served_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.site}/{self.language} {self.text_hash[:12]}"


class ConsentMethod(models.TextChoices):
    CLICK = "click", _("choice in the banner")
    GPC = "gpc", _("Global Privacy Control signal")
    DNT = "dnt", _("Do Not Track signal")
    EXPIRY = "expiry", _("earlier choice expired")
    WITHDRAWAL = "withdrawal", _("withdrawal")
    OPT_OUT = "opt_out", _("Do Not Sell or Share page")


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> int:
        raise LedgerImmutableError("ledger entries cannot be changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise LedgerImmutableError("ledger entries cannot be deleted")


class AppendOnly(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise LedgerImmutableError("ledger entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise LedgerImmutableError("ledger entries cannot be deleted")


class ConsentEvent(AppendOnly):
    """One choice of one browser (device), as proof: what was shown, what was chosen, how, when."""

    # Unique together with chosen_at, which is a function of the event id (consent.eventids): the
    # same as unique alone, and what a PostgreSQL table partitioned by chosen_at can enforce.
    event_id = models.UUIDField(_("event id"))
    site = models.CharField(_("site"), max_length=100)
    organisation = models.CharField(_("organisation"), max_length=100)
    map_version = models.PositiveIntegerField(_("map version"))
    notice_version = models.PositiveIntegerField(_("notice version"))
    banner_text_hash = models.CharField(_("banner text hash"), max_length=64)
    language = models.CharField(_("language"), max_length=8)
    choices = models.JSONField(_("choices"))
    # ",analytics,advertising," — the granted categories, so rates can be counted in SQL on any database.
    granted = models.CharField(max_length=500)
    method = models.CharField(_("method"), max_length=16, choices=ConsentMethod.choices)
    gpc = models.BooleanField(_("GPC signal present"), default=False)
    # A country code from a configured proxy header, else the browser's time zone: coarse on purpose.
    region = models.CharField(_("region"), max_length=40, blank=True)
    device_hash = models.CharField(max_length=64)
    subject_hash = models.CharField(max_length=64, blank=True)
    ip_hash = models.CharField(max_length=64, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=400, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    # When the browser made the choice, by the browser's clock: the time in the v7 event id. The
    # ledger's partition key on PostgreSQL. 1970-01-01 for ids that are not v7 (no time in them).
    chosen_at = models.DateTimeField(_("chosen at (browser clock)"))
    seal = models.CharField(max_length=64)  # keyed hash of the fields above: a changed row no longer matches

    objects: ClassVar = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent event")
        indexes: ClassVar = [
            models.Index(fields=["site", "device_hash", "-recorded_at"], name="consent_event_device"),
            models.Index(fields=["subject_hash"], name="consent_event_subject"),
            models.Index(fields=["site", "recorded_at"], name="consent_event_site_time"),
        ]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["event_id", "chosen_at"], name="consent_event_once"),
        ]

    def __str__(self) -> str:
        return f"{self.site} {self.method} {self.recorded_at:%Y-%m-%d %H:%M}"


class SubscriptionStatus(models.TextChoices):
    PENDING = "pending", _("waiting for confirmation")
    CONFIRMED = "confirmed", _("subscribed")
    WITHDRAWN = "withdrawn", _("unsubscribed")


class Subscription(models.Model):
    """A marketing list membership, found by the keyed hash of the address.

    A one-click unsubscribe from an address mamori never subscribed leaves a withdrawn row
    without an address: the company's mail system asks mamori before sending.
    """

    organisation = models.CharField(_("organisation"), max_length=100)
    topic = models.CharField(_("list"), max_length=100)
    email_hash = models.CharField(max_length=64)
    email_encrypted = models.BinaryField(null=True, blank=True)
    language = models.CharField(_("language"), max_length=8, default="en")
    status = models.CharField(_("status"), max_length=16, choices=SubscriptionStatus.choices)
    requested_at = models.DateTimeField(_("requested at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("marketing subscription")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organisation", "topic", "email_hash"], name="consent_subscription_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}/{self.topic} {self.status}"


class SubscriptionEvent(AppendOnly):
    """Proof of each step of a subscription: requested, confirmed, withdrawn (and how)."""

    subscription = models.ForeignKey(Subscription, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=32)  # requested | confirmed | withdrawn | one_click
    ip_hash = models.CharField(max_length=64, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    at = models.DateTimeField(default=timezone.now)

    objects: ClassVar = AppendOnlyQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d}"


class SaleOptOut(AppendOnly):
    """An opt-out of sale/sharing given on the "Your Privacy Choices" page with an e-mail address."""

    organisation = models.CharField(max_length=100)
    email_hash = models.CharField(max_length=64, db_index=True)
    gpc = models.BooleanField(default=False)
    at = models.DateTimeField(default=timezone.now)

    objects: ClassVar = AppendOnlyQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.organisation} opt-out {self.at:%Y-%m-%d}"
