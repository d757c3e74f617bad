"""Sites scanned on a schedule and the scans kept as history.

A scan's result holds what the browser saw with no personal data: cookie names and attributes
(never values), hosts and URLs without their query strings, storage keys, Consent Mode states.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ScanSite(models.Model):
    """A website of an organisation that the scheduler scans every `every_hours`."""

    organisation = models.CharField(_("organisation"), max_length=100, db_index=True)
    start_url = models.URLField(_("start page"), max_length=500)
    max_pages = models.PositiveIntegerField(_("most pages"), default=10)
    every_hours = models.PositiveIntegerField(_("every (hours)"), default=168)
    enabled = models.BooleanField(_("scheduled"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("scanned site")
        verbose_name_plural = _("scanned sites")
        ordering: ClassVar = ["organisation", "start_url"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organisation", "start_url"], name="scanner_site_unique_url"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.start_url}"


class Scan(models.Model):
    organisation = models.CharField(_("organisation"), max_length=100, db_index=True)
    site = models.ForeignKey(
        ScanSite, null=True, blank=True, on_delete=models.SET_NULL, related_name="scans", verbose_name=_("site")
    )
    map_version = models.PositiveIntegerField(_("map version"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"))
    pages = models.PositiveIntegerField(_("pages"), default=0)
    violations = models.PositiveIntegerField(_("violations"), default=0)
    warnings = models.PositiveIntegerField(_("warnings"), default=0)
    notes = models.PositiveIntegerField(_("notes"), default=0)
    result = models.JSONField(_("result"), default=dict)  # report.report_data without screenshots
    screenshots = models.JSONField(_("screenshots"), default=dict)  # state -> base64 JPEG
    started_by = models.CharField(_("started by"), max_length=150)

    class Meta:
        verbose_name = _("scan")
        verbose_name_plural = _("scans")
        ordering: ClassVar = ["-finished_at", "-id"]

    def __str__(self) -> str:
        return f"{self.organisation} scan #{self.pk}"

    @property
    def findings(self) -> list[dict[str, Any]]:
        return list(self.result.get("findings", []))

    def report_data(self) -> dict[str, Any]:
        return {**self.result, "screenshots": self.screenshots}
