"""The onemall example keeps the facts of seed 003 (INAGORA Privacy & Cookies Policy)."""

from __future__ import annotations

import datetime

import pytest

pytest.importorskip("mamori.catalog.mapfile", reason="the privacy-map loader is not importable yet")


@pytest.fixture
def m(example_map):
    return example_map("onemall")


def test_controller(m) -> None:
    org = m.organisation
    assert org.legal_name.en == "INAGORA Co., Ltd."
    assert org.trade_names == ["onemall"]
    assert org.website == "https://www.onemall.jp/"
    assert "1-1-7 Sakuragicho, Naka-ku, Yokohama, Kanagawa" in org.address.en
    assert org.representative.name.en == "WENG YONGBIAO"
    assert org.representative.title.en == "CEO"
    assert m.contact("privacy-desk").name.en == "Personal Data Inquiries Department"


def test_jurisdictions_and_authorities(m) -> None:  # OM4
    assert m.jurisdiction_codes == ["JP", "EEA"]
    authorities = {authority.jurisdiction: authority for authority in m.organisation.supervisory_authorities}
    assert "Personal Information Protection Commission" in authorities["JP"].name.en
    assert "EEA" in authorities["EEA"].name.en


def test_what_is_collected_and_social_logins(m) -> None:  # OM1
    ids = {category.id for category in m.data_categories}
    assert {"contact.email", "contact.name", "address.residential", "address.billing"} <= ids
    assert {"network.ip_address", "location.geolocation", "usage.activity", "cookie.identifiers"} <= ids
    social = m.source("social-login")
    assert social.kind == "third_party"
    for network in ("Facebook", "TikTok", "Google"):
        assert network in social.provider.name.en
    assert {"contact.name", "contact.email", "social.profile"} <= set(social.categories)


def test_dnt_ignored_and_minimum_age(m) -> None:  # OM9, OM11
    assert m.commitments.signals.do_not_track == "ignore"
    assert m.commitments.minimum_age == 18
    assert "Do Not Track" in m.notices.texts["do_not_track"].en
    assert "under 18" in m.notices.texts["children"].en


def test_cookies_and_consent_mode(m) -> None:  # OM2, OM10
    cookies = {cookie.name: cookie for cookie in m.cookies}
    expected = {
        "_ga": ("analytics", "Google", "2 years", "google"),
        "_gid": ("analytics", "Google", "1 day", "google"),
        "_gcl_au": ("advertising", "Google", "90 days", "google"),
        "IDE": ("advertising", "Google", "13 months", "google"),
        "_fbp": ("advertising", "Facebook", "90 days", "facebook"),
        "fr": ("advertising", "Facebook", "90 days", "facebook"),
    }
    for name, (category, provider, duration, recipient) in expected.items():
        cookie = cookies[name]
        assert (cookie.category, str(cookie.provider), str(cookie.duration), cookie.recipient) == (
            category,
            provider,
            duration,
            recipient,
        )
    assert cookies["onemall_session"].duration.is_session
    categories = {category.id: category for category in m.cookie_categories}
    assert set(categories["advertising"].consent_mode) == {"ad_storage", "ad_user_data", "ad_personalization"}
    assert categories["analytics"].consent_mode == ["analytics_storage"]
    assert categories["advertising"].legal_basis == {"EEA": "consent", "JP": "consent"}


def test_recipients(m) -> None:  # OM6, OM10
    assert m.recipient("google").country == "US"
    assert m.recipient("facebook").provision_basis == "consent"
    for ident in ("stripe", "paypal", "braintree"):
        assert m.recipient(ident).kind == "processor"
        assert "payments" in m.recipient(ident).purposes
    alibaba = m.recipient("alibaba-cloud")
    assert str(alibaba.name) == "Alibaba Cloud"
    assert alibaba.provision_basis == "entrustment"
    assert all(recipient.transfer is not None for recipient in m.transfers_abroad())
    assert "transferred to and processed in Japan" in m.notices.texts["transfers"].en


def test_marketing_opt_out(m) -> None:  # OM3
    newsletter = m.purpose("newsletter")
    assert newsletter.consent_required is False
    assert "unsubscribe link" in m.notices.texts["marketing"].en


def test_retention(m) -> None:  # OM5, OM13
    inquiry = m.retention_rule("inquiry-data")
    assert inquiry.trigger == "inquiry_resolved"
    assert str(inquiry.period) == "0 days"
    orders = m.retention_rule("order-records")
    assert "tax" in orders.legal_hold.basis.en
    assert str(orders.legal_hold.period) == "7 years"
    assert m.retention_rule("usage-data").period.longest_days() < orders.legal_hold.period.shortest_days()


def test_collection_point_notices(m) -> None:  # OM13
    membership = m.collection_point("membership-registration")
    assert set(membership.purposes) >= {"orders", "member-authentication", "newsletter"}
    assert "limit our ability to offer certain services" in membership.consequence_of_not_providing.en
    inquiry = m.collection_point("inquiry")
    assert inquiry.purposes == ["inquiries"]
    assert inquiry.retention == "inquiry-data"
    assert "unable to respond to the inquiry" in inquiry.consequence_of_not_providing.en


def test_requests_and_breach(m) -> None:  # OM7, OM8, OM12
    [clock] = m.request_clocks_for("JP")
    assert {"usage_report", "access", "rectification", "erasure", "restriction", "provision_records"} <= set(
        clock.rights
    )
    assert "preferred method" in m.notices.texts["disclosure_procedure"].en
    assert m.commitments.breach_notification.include_summary_of_actions is True
    assert m.commitments.changes.advance_notice is not None
    assert set(m.commitments.changes.notify_by) == {"email", "site_notice"}


def test_shop_database(m) -> None:
    shop = m.system("shop-db")
    assert shop.connector == "sql"
    assert shop.connection_env == "MAMORI_ONEMALL_SHOP_URL"
    # Visitors' inquiries and subscriptions are found by the e-mail too (OM7, OM13).
    assert shop.identities["email"] == ["customers.email", "inquiries.email", "newsletter_subscriptions.email"]
    tables = {table.name: table for table in shop.tables}
    assert set(tables) == {
        "customers",
        "social_accounts",
        "addresses",
        "orders",
        "order_items",
        "payments",
        "inquiries",
        "newsletter_subscriptions",
        "login_sessions",
        "usage_events",
    }
    assert tables["payments"].retention == "order-records"
    assert tables["payments"].owner == "customer_id"
    assert tables["order_items"].owner == "orders.customer_id"
    assert tables["inquiries"].retention == "inquiry-data"
    connectors = {system.connector for system in m.systems}
    assert connectors == {"sql", "webhook", "manual"}


def test_dates(m) -> None:
    assert m.notices.first_published == datetime.date(2018, 5, 24)
    assert m.notices.last_modified == datetime.date(2022, 12, 1)
