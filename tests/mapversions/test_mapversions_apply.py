"""Applying a privacy map: versions are numbered, immutable, idempotent and audited."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mamori.audit.models import AuditEntry
from mamori.audit.services import Actor
from mamori.catalog.errors import CatalogError
from mamori.catalog.models import ImmutableError, MapVersion
from mamori.catalog.services import apply_map

pytestmark = pytest.mark.django_db

ACTOR = Actor.cli("deploy")


def test_first_apply_stores_version_one_with_sources_document_and_actor(map_dir: Path) -> None:
    version = apply_map([map_dir], ACTOR, note="  first import ")

    assert version.was_created
    assert (version.organisation, version.number) == ("tinyshop", 1)
    assert len(version.content_hash) == 64
    assert sorted(version.source_files) == ["data.yaml", "organisation.yaml"]
    assert version.source_files["data.yaml"] == (map_dir / "data.yaml").read_text(encoding="utf-8")
    assert version.document["organisation"]["id"] == "tinyshop"
    assert [p["id"] for p in version.document["purposes"]] == ["orders"]
    assert (version.applied_by_kind, version.applied_by_label) == ("cli", "deploy")
    assert version.note == "first import"
    assert MapVersion.objects.in_force("tinyshop") == version


def test_apply_writes_one_audit_entry_with_counts_and_no_personal_data(map_dir: Path) -> None:
    version = apply_map([map_dir], ACTOR)

    entry = AuditEntry.objects.get(action="map.applied")
    assert entry.target_id == "tinyshop/1"
    assert entry.details["organisation"] == "tinyshop"
    assert entry.details["number"] == 1
    assert entry.details["content_hash"] == version.content_hash
    assert entry.details["counts"]["purposes"] == 1
    assert entry.details["counts"]["cookies"] == 2
    # The contact's e-mail address in the map stays out of the log.
    assert "privacy@tinyshop.example" not in str(entry.details)


def test_reapplying_the_same_files_is_a_no_op(map_dir: Path) -> None:
    first = apply_map([map_dir], ACTOR)
    again = apply_map([map_dir], Actor.cli("someone-else"))

    assert again.pk == first.pk
    assert not again.was_created
    assert MapVersion.objects.count() == 1
    assert AuditEntry.objects.filter(action="map.applied").count() == 1


def test_the_hash_does_not_depend_on_how_the_folder_is_named(map_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = apply_map([map_dir.resolve()], ACTOR)
    monkeypatch.chdir(map_dir.parent)
    again = apply_map([Path(map_dir.name)], ACTOR)
    assert again.pk == first.pk
    assert os.path.isabs(str(map_dir.resolve()))


def test_a_changed_map_becomes_the_next_version(map_dir: Path, edit_map) -> None:
    first = apply_map([map_dir], ACTOR)
    edit_map("organisation.yaml", lambda d: d["commitments"].update(request_records="36 months"))

    second = apply_map([map_dir], ACTOR)

    assert second.was_created
    assert second.number == 2
    assert second.content_hash != first.content_hash
    assert MapVersion.objects.in_force("tinyshop") == second
    assert second.previous() == first
    assert AuditEntry.objects.filter(action="map.applied").count() == 2


def test_an_invalid_map_is_refused_with_every_problem_and_nothing_is_stored(map_dir: Path, edit_map) -> None:
    def break_it(data: dict) -> None:
        data["purposes"][0]["categories"].append("no.such.category")
        data["cookies"][0]["category"] = "undeclared"

    edit_map("data.yaml", break_it)

    with pytest.raises(CatalogError) as caught:
        apply_map([map_dir], ACTOR)

    assert caught.value.code == "map_invalid"
    assert len(caught.value.problems) >= 2
    rendered = [str(p) for p in caught.value.problems]
    assert all(":" in line and "data.yaml" in line for line in rendered)
    assert MapVersion.objects.count() == 0
    assert not AuditEntry.objects.filter(action="map.applied").exists()


def test_an_unreadable_map_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CatalogError) as caught:
        apply_map([tmp_path / "missing.yaml"], ACTOR)
    assert caught.value.code == "map_unreadable"
    assert MapVersion.objects.count() == 0


def test_versions_cannot_be_changed_or_deleted(map_dir: Path) -> None:
    version = apply_map([map_dir], ACTOR)

    version.note = "rewritten history"
    with pytest.raises(ImmutableError):
        version.save()
    with pytest.raises(ImmutableError):
        version.delete()
    with pytest.raises(ImmutableError):
        MapVersion.objects.filter(pk=version.pk).update(note="rewritten")
    with pytest.raises(ImmutableError):
        MapVersion.objects.all().delete()
    assert MapVersion.objects.get(pk=version.pk).note == ""


def test_current_versions_lists_the_latest_of_each_organisation(map_dir: Path, edit_map) -> None:
    apply_map([map_dir], ACTOR)
    edit_map("organisation.yaml", lambda d: d["commitments"].update(request_records="36 months"))
    apply_map([map_dir], ACTOR)
    edit_map("organisation.yaml", lambda d: d["organisation"].update(id="othershop"))
    apply_map([map_dir], ACTOR)

    current = [(v.organisation, v.number) for v in MapVersion.objects.in_force_versions()]
    assert current == [("othershop", 1), ("tinyshop", 2)]
