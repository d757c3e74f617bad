from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ClosureDay(models.Model):
    """A day the company is closed (a summer shutdown, a foundation day), set in the console.

    Closures are added to the business calendar of the company's home country, so business-day
    clocks skip them; GDPR month ends never move for them (a company cannot lengthen a legal period).
    """

    organisation = models.SlugField(_("organisation"), max_length=64)
    day = models.DateField(_("day"))
    name = models.CharField(_("name"), max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["organisation", "day"]
        constraints = [models.UniqueConstraint(fields=["organisation", "day"], name="rights_closure_unique_day")]
        verbose_name = _("closure day")

    def __str__(self) -> str:
        return f"{self.organisation} {self.day} {self.name}"
