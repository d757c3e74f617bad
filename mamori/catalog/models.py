"""Applied versions of the privacy map.

A version is a snapshot of what an organisation promised at one moment: notices, consent proof
and request records cite it, so once stored it never changes and is never deleted.
"""

from __future__ import annotations

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

    def current(self, organisation: str) -> MapVersion | None:
        """The version in force for an organisation: the one with the highest number."""
        return self.for_organisation(organisation).order_by("-number").first()

    def organisations(self) -> list[str]:
        return sorted(set(self.values_list("organisation", flat=True)))

    def current_versions(self) -> list[MapVersion]:
        """The current version of every organisation, ordered by organisation id."""
        latest = models.Subquery(
            MapVersion.objects.filter(organisation=models.OuterRef("organisation"))
            .order_by("-number")
            .values("number")[:1]
        )
        return list(self.filter(number=latest).order_by("organisation"))


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
    def source_names(self) -> list[str]:
        return sorted(self.source_files)

    def previous(self) -> MapVersion | None:
        return (
            MapVersion.objects.filter(organisation=self.organisation, number__lt=self.number)
            .order_by("-number")
            .first()
        )
