"""Applied versions of the privacy map.

A version is a snapshot of what an organisation promised at one moment: notices, consent proof
and request records cite it, so once stored it never changes and is never deleted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImmutableError(Exception):
    """Someone tried to change or delete an applied map version."""


class MapVersionQuerySet(models.QuerySet["MapVersion"]):
    def update(self, **kwargs: Any) -> int:
        raise ImmutableError(_("applied map versions cannot be changed"))

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ImmutableError(_("applied map versions cannot be deleted"))

    def for_organisation(self, organisation: str) -> MapVersionQuerySet:
        return self.filter(organisation=organisation)

    def newest(self, organisation: str) -> MapVersion | None:
        """The version applied last (whether or not it is in force yet): new numbers follow it."""
        return self.for_organisation(organisation).order_by("-number").first()

    def effective_by(self, at: datetime) -> MapVersionQuerySet:
        """Versions that have taken effect by `at`: those without a date (in force once applied) and
        those whose date has come."""
        return self.filter(models.Q(effective_at__isnull=True) | models.Q(effective_at__lte=at))

    def in_force(self, organisation: str, at: datetime | None = None) -> MapVersion | None:
        """The version in force at `at` (default now): the newest one that has taken effect.

        Read through `catalog.in_force`, the one home; this is its query."""
        versions = self.for_organisation(organisation).effective_by(at or timezone.now())
        return versions.order_by("-number").first()

    def upcoming(self, organisation: str, at: datetime | None = None) -> MapVersion | None:
        """The newest version applied with a date still to come, when it is newer than the one in force."""
        at = at or timezone.now()
        in_force = self.in_force(organisation, at)
        later = self.for_organisation(organisation).filter(effective_at__gt=at)
        if in_force is not None:
            later = later.filter(number__gt=in_force.number)
        return later.order_by("-number").first()

    def organisations(self) -> list[str]:
        return sorted(set(self.values_list("organisation", flat=True)))

    def in_force_versions(self, at: datetime | None = None) -> list[MapVersion]:
        """The version in force of every organisation (at `at`, default now), ordered by organisation id."""
        at = at or timezone.now()
        newest_in_force = models.Subquery(
            MapVersion.objects.filter(organisation=models.OuterRef("organisation"))
            .effective_by(at)
            .order_by("-number")
            .values("number")[:1]
        )
        return list(self.filter(number=newest_in_force).order_by("organisation"))

    def schedule(self, pk: int, effective_at: datetime | None) -> int:
        """The one change a stored version allows: when it takes effect (its content never changes).
        Only `catalog.services.schedule_version` calls this."""
        # QuerySet.update of the base class: this queryset's own update() refuses every change.
        return models.QuerySet.update(self.filter(pk=pk), effective_at=effective_at)


class MapVersion(models.Model):
    organisation = models.CharField(_("organisation"), max_length=100, db_index=True)
    number = models.PositiveIntegerField(_("version"))
    content_hash = models.CharField(_("content hash"), max_length=64)
    source_files = models.JSONField(_("source files"))
    document = models.JSONField(_("normalized map"))
    applied_by_kind = models.CharField(_("applied by (kind)"), max_length=16)
    applied_by_ident = models.CharField(_("applied by (id)"), max_length=150)
    applied_by_label = models.CharField(_("applied by"), max_length=150)
    applied_at = models.DateTimeField(_("applied at"), default=timezone.now)
    # When its processing takes effect (banner, clocks, rights, notices, fulfilment, retention);
    # empty: as soon as it is applied. Set by `mamori map apply --effective` or by publishing its
    # notices with a later effective date (the start of that day where the organisation is).
    effective_at = models.DateTimeField(_("takes effect at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    # Set by services.apply_map on the version it has just stored (not a database field), so
    # callers can tell "applied" from "unchanged".
    was_created = False

    objects: ClassVar[MapVersionQuerySet] = MapVersionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("privacy map version")
        verbose_name_plural = _("privacy map versions")
        ordering: ClassVar = ["organisation", "number"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organisation", "number"], name="catalog_mapversion_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableError(_("applied map versions cannot be changed"))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableError(_("applied map versions cannot be deleted"))

    @property
    def short_hash(self) -> str:
        return f"sha256:{self.content_hash[:12]}"

    @property
    def takes_effect_at(self) -> datetime:
        """When the version took or takes effect: its date, or when it was applied."""
        return self.effective_at or self.applied_at

    @property
    def source_names(self) -> list[str]:
        return sorted(self.source_files)

    def previous(self) -> MapVersion | None:
        return (
            MapVersion.objects.filter(organisation=self.organisation, number__lt=self.number)
            .order_by("-number")
            .first()
        )
