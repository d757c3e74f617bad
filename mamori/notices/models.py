"""Published notices: one release per published map version, and the e-mails sent about it."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NoticeRelease(models.Model):
    """The notices of one map version, published with a date they take effect.

    Consent proof and the site notice cite a release by its number, so a release is never changed:
    a correction is a new release.
    """

    organisation = models.CharField(_("organisation"), max_length=100, db_index=True)
    map_version = models.ForeignKey(
        "catalog.MapVersion", on_delete=models.PROTECT, related_name="notice_releases", verbose_name=_("map version")
    )
    number = models.PositiveIntegerField(_("release"))
    effective_from = models.DateField(_("effective from"))
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    material = models.BooleanField(_("material change"), default=False)
    classification = models.JSONField(_("classification"), default=dict)
    notify_by = models.JSONField(_("notify by"), default=list)  # the map's commitments.changes.notify_by then
    # Markdown of every notice in both languages, as published: the changelog diffs these, so old
    # versions read exactly as people saw them even after the renderer improves.
    rendered = models.JSONField(_("rendered notices"), default=dict)
    published_by_kind = models.CharField(_("published by (kind)"), max_length=16)
    published_by_ident = models.CharField(_("published by (id)"), max_length=150)
    published_by_label = models.CharField(_("published by"), max_length=150)

    class Meta:
        verbose_name = _("notice release")
        verbose_name_plural = _("notice releases")
        ordering: ClassVar = ["organisation", "number"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organisation", "number"], name="notices_release_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} notices #{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("published notice releases cannot be changed")
        super().save(*args, **kwargs)

    @property
    def reasons(self) -> list[str]:
        return list(self.classification.get("reasons", []))

    @property
    def changes(self) -> list[dict[str, Any]]:
        return list(self.classification.get("changes", []))

    def previous(self) -> NoticeRelease | None:
        return (
            NoticeRelease.objects.filter(organisation=self.organisation, number__lt=self.number)
            .order_by("-number")
            .first()
        )


class NoticeNotification(models.Model):
    """One e-mail about one release to one person: the job sends it at most once.

    Only a keyed hash of the address is stored; the address itself stays with whoever provided
    it (the consent domain's subscribers, ...).
    """

    release = models.ForeignKey(NoticeRelease, on_delete=models.PROTECT, related_name="notifications")
    recipient_hash = models.CharField(_("recipient (hashed)"), max_length=64)
    language = models.CharField(_("language"), max_length=8)
    created_at = models.DateTimeField(_("queued at"), default=timezone.now)
    # Set by the one worker whose compare-and-set claimed the row (notifications.claim_notification).
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice notification")
        verbose_name_plural = _("notice notifications")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["release", "recipient_hash"], name="notices_notification_once"),
        ]

    def __str__(self) -> str:
        return f"{self.release} → {self.recipient_hash[:8]}"
