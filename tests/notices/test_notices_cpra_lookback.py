"""CP1: the CPRA notice's "categories collected in the preceding 12 months" come from every map
version in force during those months, not only the current one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine

from mamori.audit.services import Actor
from mamori.catalog.services import apply_map
from mamori.notices.document import to_markdown
from mamori.notices.rendering import render_version

START = datetime(2026, 1, 5, 3, 0, tzinfo=UTC)


def _with_california(data: dict[str, Any]) -> None:
    data["jurisdictions"].append({"code": "US-CA"})


def _add_location(data: dict[str, Any]) -> None:
    for purpose in data["purposes"]:
        purpose["legal_basis"]["US-CA"] = "business_purpose"
    data["data_categories"].append(
        {
            "id": "location.precise",
            "name": {"en": "Precise location", "ja": "正確な位置情報"},
            "appi_class": "history_characteristic",
            "cpra_category": "geolocation",
        }
    )
    data["purposes"][0]["categories"].append("location.precise")


def _drop_location(data: dict[str, Any]) -> None:
    data["data_categories"] = [c for c in data["data_categories"] if c["id"] != "location.precise"]
    data["purposes"][0]["categories"].remove("location.precise")


@pytest.mark.django_db
def test_categories_of_the_preceding_12_months(map_dir: Path, edit_map: Callable[..., None]) -> None:
    edit_map("organisation.yaml", _with_california)
    edit_map("data.yaml", _add_location)
    with time_machine.travel(START, tick=False):
        apply_map([map_dir], Actor.cli("test"))
    edit_map("data.yaml", _drop_location)
    with time_machine.travel(START + timedelta(days=60), tick=False):
        current = apply_map([map_dir], Actor.cli("test"))
    with time_machine.travel(START + timedelta(days=90), tick=False):
        notice = to_markdown(render_version(current, "cpra", "en"))
        assert "Precise location" in notice  # collected until day 60, within the 12 months
        assert "正確な位置情報" in to_markdown(render_version(current, "cpra", "ja"))
    with time_machine.travel(START + timedelta(days=60 + 370), tick=False):
        assert "Precise location" not in to_markdown(render_version(current, "cpra", "en"))
