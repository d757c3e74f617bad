from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from mamori.catalog.in_force import map_in_force_or_404, versions_in_force

CHANNEL_LABELS = {
    "email": _("E-mail"),
    "phone": _("Telephone"),
    "post": _("Post"),
    "fax": _("Fax"),
    "form": _("Inquiry form"),
    "in_person": _("In person"),
}


def contact_link(kind: str, value: str, organisation: str) -> dict[str, str]:
    """A contact channel as the reader can use it: mail and phone numbers open the right app, and a
    form that points into mamori's own privacy center ("/privacy/...") opens this center's request form
    (the center may be mounted elsewhere than the map assumed)."""
    href = ""
    text = value
    if kind == "email":
        href = f"mailto:{value}"
    elif kind == "phone":
        href = "tel:" + "".join(ch for ch in value if ch.isdigit() or ch == "+")
    elif value.startswith(("https://", "http://")):
        href = value
    elif kind == "form" and value.startswith("/privacy/"):
        href = reverse("center:requests_new", args=[organisation])
        text = str(_("Make a request"))
    return {"kind": str(CHANNEL_LABELS.get(kind, kind)), "href": href, "text": text}


def index(request: HttpRequest) -> HttpResponse:
    """With one organisation go straight to its center; otherwise list them."""
    versions = versions_in_force()
    if len(versions) == 1:
        return redirect("center:home", organisation=versions[0].organisation)
    return render(request, "center/index.html", {"versions": versions})


def home(request: HttpRequest, organisation: str) -> HttpResponse:
    version, privacy_map = map_in_force_or_404(organisation)
    language = (get_language() or "en").split("-")[0]
    codes = set(privacy_map.jurisdiction_codes)
    context = {
        "version": version,
        "map": privacy_map,
        "organisation": organisation,
        "org_name": privacy_map.organisation.legal_name.get(language),
        "address": privacy_map.organisation.address.get(language),
        "contacts": [
            {
                "name": contact.name.get(language),
                "channels": [contact_link(c.kind, c.value, organisation) for c in contact.channels],
                "hours": contact.hours,
            }
            for contact in privacy_map.organisation.contacts
        ],
        "collection_points": [(point.id, point.name.get(language)) for point in privacy_map.collection_points],
        "has_cpra": "US-CA" in codes,
        "has_appi": "JP" in codes,
        "demo": bool(settings.MAMORI_DEMO),
    }
    return render(request, "center/home.html", context)
