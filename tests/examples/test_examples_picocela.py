"""The PicoCELA example keeps the facts of seed 004 (PicoCELA privacy policy, APPI)."""

from __future__ import annotations

import pytest

pytest.importorskip("mamori.catalog.mapfile", reason="the privacy-map loader is not importable yet")


@pytest.fixture
def m(example_map):
    return example_map("picocela")


def test_controller_and_contact(m) -> None:  # PC7
    org = m.organisation
    assert org.legal_name.en == "PicoCELA Inc."
    assert org.representative.name.en == "Hiroshi Furukawa"
    assert org.representative.title.en == "President & CEO"
    contact = m.contact("personal-information-contact")
    kinds = {channel.kind: channel.value for channel in contact.channels}
    assert kinds["phone"] == "03-6661-2780"
    assert "form" in kinds


def test_purposes(m) -> None:  # PC1, PC2
    ids = [purpose.id for purpose in m.purposes]
    assert ids == [
        "service-information",
        "seminars-events",
        "surveys-prizes",
        "campaigns",
        "advertising",
        "inquiries",
        "identity-confirmation",
        "service-notices",
        "service-improvement",
        "statistics",
    ]
    assert m.purpose("statistics").statistics_only is True
    assert [purpose.id for purpose in m.purposes if purpose.statistics_only] == ["statistics"]


def test_third_party_provision(m) -> None:  # PC3
    assert m.recipient("advertisers").provision_basis == "consent"
    assert m.recipient("prize-providers").provision_basis == "consent"
    contractors = m.recipient("contractors")
    assert contractors.kind == "processor" and contractors.provision_basis == "entrustment"
    assert m.recipient("authorities").provision_basis == "law"
    assert m.collection_point("advertiser-information-request").recipients == ["advertisers"]
    assert "prize-providers" in m.collection_point("survey-prize-entry").recipients


def test_third_party_ad_cookies(m) -> None:  # PC4
    third = [cookie for cookie in m.cookies if cookie.category == "advertising"]
    assert third and all(cookie.recipient == "ad-distributors" for cookie in third)
    assert any(cookie.party == "third" for cookie in third)
    assert "opt-out page" in m.notices.texts["cookies"].en
    assert "Reject all cookies" in m.notices.texts["cookies_how_to_disable"].en


def test_requests_include_addition_in_writing(m) -> None:  # PC5
    [clock] = m.request_clocks_for("JP")
    assert {"access", "rectification", "addition", "erasure", "restriction"} <= set(clock.rights)
    assert "in writing" in m.notices.texts["requests"].en
    assert "representative" in m.notices.texts["requests"].en
    assert m.retention_rule("identity-documents").trigger == "request_closed"
    assert any(system.connector == "manual" for system in m.systems)


def test_changes_announced(m) -> None:  # PC6
    assert m.commitments.changes.notify_by == ["site_notice"]


def test_crm(m) -> None:
    crm = m.system("crm")
    assert crm.connection_env == "MAMORI_PICOCELA_CRM_URL"
    assert crm.identities["email"] == "contacts.email"
