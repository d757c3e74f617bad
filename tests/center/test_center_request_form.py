"""The privacy center's request form: where you live first, then a form worded for that place's law;
agent fields count only when "I am an agent" is ticked; errors stand beside their field, in the page's
language; countries are named, not coded; contact links go somewhere real."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from mamori.audit.services import Actor
from mamori.catalog.services import apply_map
from mamori.rights.models import RightsRequest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def ipro(db: None) -> Iterator[str]:
    cache.clear()
    yield apply_map([EXAMPLES / "i-pro"], Actor.cli("test")).organisation
    cache.clear()
    translation.deactivate()


def form_url(organisation: str, place: str = "") -> str:
    return f"/privacy/{organisation}/requests/new/" + (f"?jurisdiction={place}" if place else "")


def test_first_step_names_the_places_in_the_pages_language(client: Client, ipro: str) -> None:
    page = client.get(form_url(ipro), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert 'name="jurisdiction"' in page and 'name="requester_name"' not in page
    assert ">ドイツ<" in page and ">日本<" in page and "EU-DE</option>" not in page
    english = client.get(form_url(ipro), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ">Germany<" in english and ">California, USA<" in english


def test_californian_wording_only_for_california(client: Client, ipro: str) -> None:
    japan = client.get(form_url(ipro, "JP"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "penalty of perjury" not in japan and "specific pieces" not in japan
    california = client.get(form_url(ipro, "US-CA"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "penalty of perjury" in california and "specific pieces" in california


def test_errors_stand_beside_their_fields_in_japanese(client: Client, ipro: str) -> None:
    response = client.post(form_url(ipro), {"jurisdiction": "JP", "right": "access"}, HTTP_ACCEPT_LANGUAGE="ja")
    page = response.content.decode()
    assert response.status_code == 200 and not RightsRequest.objects.exists()
    assert '<p class="field-error" id="id_requester_email_error">メールアドレスを入力してください' in page
    assert 'aria-describedby="id_requester_email_helptext id_requester_email_error"' in page
    assert 'id="id_requester_name_error"' in page
    assert "required" not in page.split('id="id_requester_name_error">')[1].split("</p>")[0]


def test_agent_fields_are_ignored_unless_the_box_is_ticked(client: Client, ipro: str) -> None:
    base = {
        "jurisdiction": "JP",
        "right": "access",
        "requester_name": "Hanako Yamada",
        "requester_email": "hanako@example.jp",
        "delivery": "electronic",
        "agent_name": "left over",
        "agent_email": "not an address",
    }
    response = client.post(form_url(ipro), base)
    assert response.status_code == 302
    created = RightsRequest.objects.get()
    assert created.is_agent is False and not created.agent_email

    ticked = client.post(form_url(ipro), {**base, "is_agent": "on", "agent_email": ""}, HTTP_ACCEPT_LANGUAGE="en")
    page = ticked.content.decode()
    assert ticked.status_code == 200 and RightsRequest.objects.count() == 1
    assert 'id="id_agent_name_error"' not in page  # a name was given
    for field in ("agent_email", "agent_permission", "agent_identity"):
        assert f'id="id_{field}_error"' in page
    assert '<details class="card" open>' in page  # the agent part stays open to show its errors


def test_contact_links_go_somewhere(client: Client, ipro: str) -> None:
    page = client.get(f"/privacy/{ipro}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'href="/privacy/{ipro}/requests/new/"' in page
    assert 'href="/privacy/">' not in page
