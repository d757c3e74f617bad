"""Every example map in examples/ applies and every console map page renders it, in both languages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from mamori.accounts.models import User
from mamori.audit.services import Actor
from mamori.catalog.services import apply_map
from mamori.console.views import MAP_SECTIONS

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
EXAMPLE_DIRS = sorted(p for p in EXAMPLES.iterdir() if p.is_dir()) if EXAMPLES.is_dir() else []


@pytest.mark.django_db
@pytest.mark.parametrize("example", EXAMPLE_DIRS, ids=[p.name for p in EXAMPLE_DIRS])
def test_example_map_applies_and_every_page_renders(
    example: Path, client_as: Callable[[User], Client], auditor: User
) -> None:
    version = apply_map([example], Actor.cli("examples"))
    assert version.number == 1
    assert apply_map([example], Actor.cli("examples")).pk == version.pk

    client = client_as(auditor)
    org = f"?org={version.organisation}"
    urls = [reverse("console:dashboard"), reverse("console:map_versions"), reverse("console:map_version", args=[1])]
    urls += [reverse("console:map_section", args=[section]) + org for section in MAP_SECTIONS]
    for language in ("en", "ja"):
        for url in urls:
            response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code == 200, (language, url)
            assert version.organisation.encode() in response.content, (language, url)
        legal_name = version.document["organisation"]["legal_name"]
        expected = legal_name[language] if isinstance(legal_name, dict) else legal_name
        page = client.get(reverse("console:map") + org, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert escape(expected) in page


def test_the_examples_are_there() -> None:
    # The seed companies' maps (more join as they are written); a rename changes this list.
    names = {p.name for p in EXAMPLE_DIRS}
    assert {"i-pro", "inpro", "onemall"} <= names


def test_identity_column_lists_read_as_columns(client_as, officer) -> None:  # type: ignore[no-untyped-def]
    from pathlib import Path

    from mamori.audit.services import Actor
    from mamori.catalog.services import apply_map

    apply_map([Path(__file__).resolve().parents[2] / "examples" / "onemall"], Actor.cli("test"))
    page = client_as(officer).get("/console/map/systems/").content.decode()
    assert "<code>inquiries.email</code>" in page
    assert "[&#x27;" not in page and "['" not in page
