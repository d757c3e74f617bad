"""Domain errors are shown in the language of whoever reads them, and pages show them one way."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from mamori.audit.services import Actor
from mamori.rights.services.common import RightsError
from mamori.rights.services.intake import Submission, submit_request


def test_a_message_is_translated_where_it_is_shown_with_its_parameters() -> None:
    error = RightsError(_("unknown data points: %(points)s"), code="bad_data_points", points="shoe_size")
    with translation.override("en"):
        assert error.message == "unknown data points: shoe_size" and str(error) == error.message
    with translation.override("ja"):
        assert error.message == "不明な照合項目です：shoe_size"  # noqa: RUF001 - Japanese punctuation
    assert error.code == "bad_data_points"


@pytest.mark.django_db
def test_a_refused_request_explains_itself_in_japanese() -> None:
    from pathlib import Path

    from mamori.catalog.services import apply_map

    apply_map([Path(__file__).resolve().parents[2] / "examples" / "inpro"], Actor.cli("test"))
    sub = Submission(
        organisation="inpro", right="access", jurisdiction="JP", requester_name="", requester_email="hanako@example.jp"
    )
    with pytest.raises(RightsError) as refused, translation.override("ja"):
        submit_request(sub, Actor.system("requester"))
    with translation.override("ja"):
        assert refused.value.message == "請求者の氏名は必須です。"
