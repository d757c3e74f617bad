"""Human names for the privacy map's sections, in the viewer's language."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

SECTION_LABELS = {
    "mamori": _("Format version"),
    "organisation": _("Organisation"),
    "jurisdictions": _("Jurisdictions"),
    "commitments": _("Commitments"),
    "data_categories": _("Data categories"),
    "data_subjects": _("Data subjects"),
    "sources": _("Sources"),
    "purposes": _("Purposes"),
    "recipients": _("Recipients"),
    "systems": _("Systems"),
    "retention": _("Retention rules"),
    "cookie_categories": _("Cookie categories"),
    "cookies": _("Cookies"),
    "collection_points": _("Collection points"),
    "notices": _("Notice texts"),
}

COUNT_LABELS = {
    "data_categories": _("Data categories"),
    "purposes": _("Purposes"),
    "recipients": _("Recipients"),
    "systems": _("Systems"),
    "cookies": _("Cookies"),
    "retention": _("Retention rules"),
}
