# ruff: noqa: RUF001  (Japanese text uses full-width punctuation on purpose)
"""APPI Art. 28 (NP6): consent to a category that sends data abroad shows the country, its system and
the recipient's measures, and the ledger records the consent with the hash of those words."""

from __future__ import annotations

import json
import uuid

import pytest
from django.test import Client

from mamori.catalog.mapfile import load_map
from mamori.consent.models import BannerText, ConsentEvent
from mamori.disclosures.transfers import needs_transfer_consent, notices_for
from tests.consent.conftest import _fresh_cache  # noqa: F401 - an autouse fixture: fresh site configs

from .conftest import EXAMPLES, apply_example


def test_which_recipients_need_transfer_consent() -> None:
    onemall = load_map([EXAMPLES / "onemall"]).map
    inpro = load_map([EXAMPLES / "inpro"]).map
    assert onemall is not None and inpro is not None
    needing = {r.id for r in onemall.recipients if needs_transfer_consent(r, "JP")}
    assert needing == {"google", "facebook"}  # processors abroad keep equivalent measures; JP ones stay home
    notice = notices_for(inpro, ["overseas-partners", "contractors"], "ja")
    assert len(notice) == 1 and notice[0].country == "国は未確定" and "ご予約" in notice[0].system


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["Google (the United States)", "no comprehensive federal", "The recipient's measures: Google LLC"]),
        ("ja", ["Google（米国）", "連邦レベルの包括的な個人情報保護法はなく", "提供先の措置：Google LLC（米国）"]),
    ],
)
def test_the_banner_shows_the_transfer_and_the_ledger_keeps_its_hash(
    client: Client, db: None, language: str, words: list[str]
) -> None:
    apply_example("onemall")
    config = client.get("/consent/config/onemall.json").json()
    texts = config["texts"][language]["categories"]
    advertising = next(
        category
        for category in texts.values()
        if "transfers" in category and any("Facebook" in line for line in category["transfers"])
    )
    for word in words:
        assert word in advertising["desc"]
    body = {
        "id": str(uuid.uuid4()),
        "site": "onemall",
        "device": str(uuid.uuid4()),
        "version": config["version"],
        "hash": config["hash"][language],
        "lang": language,
        "choices": {"advertising": True},
        "method": "click",
    }
    response = client.post("/api/v1/consent/events", json.dumps(body), content_type="text/plain")
    assert response.status_code == 201, response.content
    event = ConsentEvent.objects.get()
    shown = BannerText.objects.get(text_hash=event.banner_text_hash)
    assert any(words[0] in category.get("desc", "") for category in shown.content["categories"].values())
