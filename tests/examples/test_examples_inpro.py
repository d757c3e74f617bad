"""The INPRO example keeps the facts of seed 002 (INPRO Privacy Policy, APPI)."""

from __future__ import annotations

import datetime

import pytest

pytest.importorskip("mamori.catalog.mapfile", reason="the privacy-map loader is not importable yet")


@pytest.fixture
def m(example_map):
    return example_map("inpro")


def test_customer_centre_phone_address_and_hours(m) -> None:  # NP14
    org = m.organisation
    assert org.legal_name.en == "INPRO Co., Ltd."
    assert org.address.ja == "埼玉県熊谷市銀座4-5-20"
    assert "Ginza 4-5-20" in org.address.en and "Kumagaya" in org.address.en and "Saitama" in org.address.en
    contact = m.contact("customer-service")
    phones = [channel.value for channel in contact.channels if channel.kind == "phone"]
    assert phones == ["(+81) 50-5375-8684"]
    assert contact.hours.calendar == "JP"
    assert contact.hours.days == "business_days"
    assert contact.hours.open == "09:00"
    assert contact.hours.close == "18:00"
    assert contact.hours.after_hours == "next_business_day"


def test_only_japan_in_scope(m) -> None:
    assert m.jurisdiction_codes == ["JP"]
    assert [authority.id for authority in m.organisation.supervisory_authorities] == ["ppc"]


def test_personal_information_kept_apart_from_history_information(m) -> None:  # NP1
    personal = {"member.name", "member.birth_date", "member.address", "member.phone", "member.email"}
    history = {"history.ip_address", "history.cookie", "history.location", "history.device_id", "history.usage"}
    for ident in personal:
        assert m.category(ident).appi_class == "personal_information"
    for ident in history:
        assert m.category(ident).appi_class == "history_characteristic"
    assert m.category("characteristic.profile").appi_class == "history_characteristic"
    assert "will not be disclosed in principle" in m.notices.texts["history_information"].en


def test_registration_items_and_credit_bureaus(m) -> None:  # NP2
    registration = set(m.source("registration").categories)
    assert {"payment.account_number", "payment.card_number", "member.drivers_licence"} <= registration
    bureaus = m.source("credit-bureaus")
    assert bureaus.kind == "third_party"
    assert bureaus.provider.name.en == "Credit bureaus"
    assert bureaus.provider.name.ja == "信用情報機関"


def test_no_sensitive_information(m) -> None:  # NP3
    assert m.sensitive_categories() == []


def test_purposes_of_use(m) -> None:  # NP4
    ids = [purpose.id for purpose in m.purposes]
    assert ids[:12] == [
        "registration",
        "inquiries",
        "guide-identification",
        "billing",
        "maintenance",
        "new-service-ads",
        "gifts",
        "statistics",
        "user-transactions",
        "requested-functions",
        "user-management",
        "incidental",
    ]
    assert "interpreters and tour guides" in m.purpose("guide-identification").name.en
    assert m.purpose("statistics").statistics_only is True
    assert all(purpose.legal_basis == {"JP": "published_purpose"} for purpose in m.purposes)


def test_provision_rules(m) -> None:  # NP5
    assert m.recipient("contractors").provision_basis == "entrustment"
    assert m.recipient("successor").provision_basis == "succession"
    joint = m.recipient("joint-users")
    assert joint.kind == "joint_user" and joint.provision_basis == "joint_use"
    assert joint.joint_use.scope and joint.joint_use.purpose and joint.joint_use.manager
    assert "INPRO" in joint.joint_use.manager.en
    opt_out = m.recipient("opt-out-partners")
    assert opt_out.provision_basis == "opt_out"
    assert opt_out.opt_out_provision.items and opt_out.opt_out_provision.method
    assert "stop" in opt_out.opt_out_provision.how_to_stop.en
    assert m.recipient("authorities").provision_basis == "law"
    assert m.recipient("other-users").provision_basis == "consent"


def test_foreign_recipient_information(m) -> None:  # NP6
    [abroad] = list(m.transfers_abroad())
    assert abroad.transfer.safeguard == "consent"
    assert "what business" in abroad.transfer.note.en


def test_cookies(m) -> None:  # NP7
    login = next(cookie for cookie in m.cookies if cookie.name == "inpro_login")
    assert login.duration.is_session and login.category == "essential"
    assert "logout" in login.purpose.en
    assert {category.id for category in m.cookie_categories} == {"essential", "preferences", "promotion"}
    assert "Chrome" in m.notices.texts["cookies_how_to_disable"].en


def test_security_and_separate_servers(m) -> None:  # NP8, NP9
    measures = " ".join(measure.en for measure in m.organisation.security_measures)
    assert "separate server" in measures
    assert "minimum number of people" in measures
    assert "training" in measures
    envs = {system.connection_env for system in m.systems if system.connector == "sql"}
    assert envs == {"MAMORI_INPRO_PLATFORM_URL", "MAMORI_INPRO_USAGE_LOG_URL"}
    assert m.commitments.breach_notification.notify_people == "promptly"


def test_requests(m) -> None:  # NP10, NP11, NP12
    [clock] = m.request_clocks_for("JP")
    assert {"access", "rectification", "erasure", "restriction", "withdraw_consent"} <= set(clock.rights)
    texts = m.notices.texts
    assert "without delay" in texts["disclosure_refusals"].en
    assert "My Page" in texts["correction_deletion"].en
    assert "withdraw your consent" in texts["suspension_of_use"].en


def test_destruction_triggers_and_commercial_act_hold(m) -> None:  # NP13
    triggers = {rule.id: rule.trigger for rule in m.retention}
    assert triggers["subscription-data"] == "account_closed"
    assert triggers["payment-data"] == "payment_completed"
    assert triggers["unpaid-claims"] == "claim_expired"
    assert triggers["survey-event-data"] == "campaign_closed"
    for ident in ("payment-data", "unpaid-claims", "transaction-records"):
        hold = m.retention_rule(ident).legal_hold
        assert "Commercial Act" in hold.basis.en and "商法" in hold.basis.ja
    disposal = m.retention_rule("subscription-data").disposal
    assert "shredder" in disposal.en and "シュレッダー" in disposal.ja


def test_dates(m) -> None:
    assert m.notices.first_published == datetime.date(2019, 7, 1)
