"""Where a requester lives, said by name in the reader's language (never a bare code such as "EU-DE")."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

PLACES = {
    "JP": _("Japan"),
    "US-CA": _("California, USA"),
    "UK": _("United Kingdom"),
    "CH": _("Switzerland"),
    "EU": _("European Union"),
    "EEA": _("European Economic Area"),
    # EU member states (GDPR; each with its own public holidays for the deadline).
    "AT": _("Austria"),
    "BE": _("Belgium"),
    "BG": _("Bulgaria"),
    "HR": _("Croatia"),
    "CY": _("Cyprus"),
    "CZ": _("Czechia"),
    "DK": _("Denmark"),
    "EE": _("Estonia"),
    "FI": _("Finland"),
    "FR": _("France"),
    "DE": _("Germany"),
    "GR": _("Greece"),
    "HU": _("Hungary"),
    "IE": _("Ireland"),
    "IT": _("Italy"),
    "LV": _("Latvia"),
    "LT": _("Lithuania"),
    "LU": _("Luxembourg"),
    "MT": _("Malta"),
    "NL": _("Netherlands"),
    "PL": _("Poland"),
    "PT": _("Portugal"),
    "RO": _("Romania"),
    "SK": _("Slovakia"),
    "SI": _("Slovenia"),
    "ES": _("Spain"),
    "SE": _("Sweden"),
    # The EEA outside the EU.
    "IS": _("Iceland"),
    "LI": _("Liechtenstein"),
    "NO": _("Norway"),
}


def jurisdiction_label(code: str) -> str:
    """The place a jurisdiction code stands for, in the active language ("EU-DE" -> "Germany")."""
    for prefix in ("EU-", "EEA-"):
        if code.startswith(prefix):
            code = code.removeprefix(prefix)
            break
    found = PLACES.get(code)
    return str(found) if found is not None else code


def sorted_by_name(codes: list[str]) -> list[tuple[str, str]]:
    """(code, name) pairs for a select: the map's own places first as listed, member states by name."""
    named = [(code, jurisdiction_label(code)) for code in codes]
    first = [pair for pair in named if "-" not in pair[0] or pair[0] == "US-CA"]
    rest = sorted((pair for pair in named if pair not in first), key=lambda pair: pair[1])
    return first + rest
