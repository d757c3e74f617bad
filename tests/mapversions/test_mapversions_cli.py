"""`mamori map apply|versions|diff|show` as an engineer uses them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from mamori.catalog.models import MapVersion


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("map", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_apply_then_reapply(map_dir: Path) -> None:
    out, _ = run("apply", str(map_dir), "--note", "initial")
    version = MapVersion.objects.get()
    assert out.strip() == f"applied tinyshop version 1 (sha256:{version.content_hash[:12]})"
    assert version.note == "initial"
    assert version.applied_by_kind == "cli"

    out, _ = run("apply", str(map_dir))
    assert out.strip() == "tinyshop is unchanged at version 1"
    assert MapVersion.objects.count() == 1


@pytest.mark.django_db
def test_apply_invalid_map_prints_problems_and_fails(map_dir: Path, edit_map) -> None:
    edit_map("data.yaml", lambda d: d["cookies"][0].update(category="undeclared"))
    err = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("map", "apply", str(map_dir), stdout=StringIO(), stderr=err)

    assert caught.value.returncode == 1
    lines = err.getvalue().splitlines()
    assert lines, "every problem is printed"
    file_name, line, col, _message = lines[0].split(":", 3)
    assert file_name.endswith("data.yaml")
    assert line.isdigit() and col.isdigit()
    assert MapVersion.objects.count() == 0


@pytest.mark.django_db
def test_versions_diff_and_show(map_dir: Path, edit_map) -> None:
    run("apply", str(map_dir))
    edit_map("data.yaml", lambda d: d["cookies"][1].update(duration="2 years"))
    run("apply", str(map_dir), "--note", "longer csrf cookie")

    out, _ = run("versions")
    lines = out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("* tinyshop   2")
    assert lines[0].endswith("longer csrf cookie")
    assert lines[1].startswith("  tinyshop   1")

    out, _ = run("diff")
    assert out.splitlines()[0] == "tinyshop: version 1 → version 2"
    assert "cookies:\n  ~ csrftoken\n      ~ duration: 1 year → 2 years" in out

    reverse, _ = run("diff", "tinyshop", "2", "1")
    assert "~ duration: 2 years → 1 year" in reverse

    out, _ = run("show", "--version", "1")
    assert json.loads(out)["organisation"]["id"] == "tinyshop"

    out, _ = run("show", "tinyshop", "--sources")
    assert "# data.yaml" in out and "2 years" in out


@pytest.mark.django_db
def test_diff_and_show_explain_what_is_missing(map_dir: Path) -> None:
    with pytest.raises(CommandError, match="no map has been applied"):
        run("show")
    run("apply", str(map_dir))
    with pytest.raises(CommandError, match="nothing to compare"):
        run("diff")
    with pytest.raises(CommandError, match="has no version 7"):
        run("diff", "1", "7")
    with pytest.raises(CommandError, match="no map has been applied for 'nobody'"):
        run("versions", "nobody")


def test_the_real_command_exits_1_with_problems_on_stderr(map_dir: Path, edit_map, tmp_path: Path) -> None:
    """The invalid map is refused before the database is touched, so no migrations are needed."""
    edit_map("data.yaml", lambda d: d["purposes"][0].update(categories=["no.such.category"]))
    env = {**os.environ, "MAMORI_DATA_DIR": str(tmp_path / "data")}
    env.pop("MAMORI_DATABASE_URL", None)
    mamori = Path(sys.executable).parent / "mamori"
    result = subprocess.run(
        [str(mamori), "map", "apply", str(map_dir)], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 1
    assert "data.yaml:" in result.stderr
    assert "no.such.category" in result.stderr
    assert result.stdout == ""
