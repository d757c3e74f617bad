"""The i-PRO example keeps the facts of seeds 000 (Cookie Policy) and 001 (Privacy Policy + CPRA Appendix)."""

from __future__ import annotations

import datetime

import pytest

pytest.importorskip("mamori.catalog.mapfile", reason="the privacy-map loader is not importable yet")


@pytest.fixture
def m(example_map):
    return example_map("i-pro")


def test_controller_headquarters_in_japan(m) -> None:  # IP8
    org = m.organisation
    assert org.legal_name.en == "i-PRO Co., Ltd."
    assert org.country == "JP"
    assert "2-15-1 Konan, Minato-ku, Tokyo" in org.address.en
    assert "Shinagawa Intercity Building A" in org.address.en
    assert "108-0075" in org.address.en
    assert "i-PRO Company" in org.trade_names


def test_eu_and_uk_representatives(m) -> None:  # IP8
    reps = {rep.region: rep for rep in m.organisation.representatives}
    assert "Laarderhoogtweg 25, 1101 EB, Amsterdam" in reps["EU"].address.en
    assert "The Netherlands" in reps["EU"].address.en
    assert "1010 Cambourne Business Park" in reps["UK"].address.en
    assert "CB23 6DP" in reps["UK"].address.en


def test_supervisory_authorities(m) -> None:  # IC4, IP5
    authorities = {authority.jurisdiction: authority for authority in m.organisation.supervisory_authorities}
    assert "edpb.europa.eu" in authorities["EU"].url
    assert "ICO" in authorities["UK"].name.en
    assert "ico.org.uk" in authorities["UK"].url


def test_jurisdictions(m) -> None:
    assert set(m.jurisdiction_codes) >= {"EU", "UK", "US-CA"}


def test_the_only_cookie_is_the_essential_session_cookie(m) -> None:  # IC3, IC5
    assert [cookie.name for cookie in m.cookies] == ["PHPSESSID_SECURE"]
    cookie = m.cookies[0]
    assert cookie.category == "essential"
    assert str(cookie.provider) == "i-PRO"
    assert cookie.party == "first"
    assert cookie.duration.is_session
    assert str(cookie.duration) == "session"
    assert cookie.purpose.en == "Preserves users states across page requests"
    assert cookie.purpose.ja
    assert all(cookie.party == "first" for cookie in m.cookies)


def test_cookie_classes_and_bases(m) -> None:  # IC1, IC2
    categories = {category.id: category for category in m.cookie_categories}
    assert set(categories) == {"essential", "performance", "functional", "advertising"}
    assert categories["essential"].legal_basis["EU"] == "legitimate_interests"
    assert categories["essential"].legal_basis["UK"] == "legitimate_interests"
    for ident in ("performance", "functional", "advertising"):
        assert categories[ident].legal_basis["EU"] == "consent"


def test_cpra_request_clock(m) -> None:  # CP4, CP5, CP6
    [clock] = m.request_clocks_for("US-CA")
    assert {"access", "erasure", "rectification"} <= set(clock.rights)
    assert str(clock.acknowledge) == "10 business days"
    assert clock.acknowledge_same_channel is True
    assert str(clock.respond) == "45 days"
    assert str(clock.extend_to) == "90 days"
    assert str(clock.verification_timeout) == "45 days"


def test_request_records_kept_24_months(m) -> None:  # CP7
    assert str(m.commitments.request_records) == "24 months"


def test_no_sale_no_sharing_no_disclosure(m) -> None:  # CP9
    assert m.commitments.signals.global_privacy_control == "honour"
    assert m.commitments.signals.do_not_track is None  # the seeds say nothing about DNT
    sale = m.commitments.sale
    assert sale.sells is False
    assert sale.shares is False
    assert sale.discloses_for_business_purpose is False
    assert sale.no_sale_under_age == 16


def test_changes_by_email_or_notice_with_reconsent(m) -> None:  # IC6, IP7
    changes = m.commitments.changes
    assert set(changes.notify_by) == {"email", "site_notice"}
    assert changes.reconsent_on_material_change is True
    assert m.notices.first_published == datetime.date(2021, 4, 1)
    assert m.notices.last_modified == datetime.date(2024, 2, 19)


def test_legal_bases(m) -> None:  # IP2
    assert m.legal_basis("customer-support", "EU") == "contract"
    assert m.legal_basis("customer-support", "UK") == "contract"
    assert m.legal_basis("website-operation", "EU") == "legitimate_interests"
    assert m.purpose("newsletter").consent_required is True


def test_what_is_collected(m) -> None:  # IP1, CP1
    ids = {category.id for category in m.data_categories}
    assert {"contact.name", "contact.email", "contact.company", "contact.phone", "contact.mailing_address"} <= ids
    assert {"product.serial_number", "product.purchase_date", "support.diagnostic_logs"} <= ids
    assert {"device.identifier", "device.ip_address", "usage.log", "usage.search_terms", "cookie.session_id"} <= ids
    assert m.sensitive_categories() == []


def test_recipients_never_for_their_own_marketing(m) -> None:  # IP3, IP4
    kinds = {recipient.kind for recipient in m.recipients}
    assert {"affiliate", "processor", "authority", "successor", "third_party"} <= kinds
    assert all(not recipient.for_own_marketing for recipient in m.recipients)
    assert all(recipient.transfer is not None for recipient in m.transfers_abroad())
    assert m.recipient("with-your-consent").provision_basis == "consent"


def test_cpra_texts(m) -> None:  # CP2, CP3, CP8
    texts = m.notices.texts
    assert "name and e-mail address" in texts["cpra_verification"].en
    assert "written permission" in texts["cpra_authorized_agents"].en
    assert "identity verification document" in texts["cpra_authorized_agents"].en
    assert "discriminate" in texts["cpra_non_discrimination"].en


def test_support_crm_is_reachable_by_name_and_email(m) -> None:  # CP3
    crm = m.system("support-crm")
    assert crm.connector == "sql"
    assert crm.connection_env == "MAMORI_IPRO_SUPPORT_URL"
    assert crm.identities["email"] == "contacts.email"
    assert crm.identities["name"] == "contacts.full_name"
