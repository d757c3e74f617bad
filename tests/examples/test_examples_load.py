"""Every example map loads cleanly, cites its seed, and cites every promise id of its seed(s)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

mapfile = pytest.importorskip(
    "mamori.catalog.mapfile", reason="the privacy-map loader (mamori.catalog.mapfile) is not importable yet"
)
load_map = mapfile.load_map

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

# Promise ids of /work/shared/PROMISES.md per example (000 and 001 both belong to i-PRO).
PROMISES = {
    "i-pro": [f"IC{n}" for n in range(1, 7)] + [f"IP{n}" for n in range(1, 9)] + [f"CP{n}" for n in range(1, 10)],
    "inpro": [f"NP{n}" for n in range(1, 15)],
    "onemall": [f"OM{n}" for n in range(1, 14)],
    "picocela": [f"PC{n}" for n in range(1, 8)],
}
SEEDS = {
    "i-pro": ["000_db886d2d465561db", "001_e62eb5969cb47db2"],
    "inpro": ["002_40cf765cfc9bddda"],
    "onemall": ["003_78b12de4f3220711"],
    "picocela": ["004_e4724953d6b534c6"],
}


def yaml_files(name: str) -> list[Path]:
    return sorted((EXAMPLES / name).glob("*.yaml"))


@pytest.mark.parametrize("name", sorted(PROMISES))
def test_example_loads_without_problems(name: str) -> None:
    result = load_map([EXAMPLES / name])

    assert [str(problem) for problem in result.problems] == []
    assert result.ok
    assert result.map is not None
    assert result.map.organisation.id == name


@pytest.mark.parametrize("name", sorted(PROMISES))
def test_example_is_split_by_topic(name: str) -> None:
    names = {path.name for path in yaml_files(name)}

    assert {"organisation.yaml", "data.yaml", "purposes.yaml", "recipients.yaml", "systems.yaml"} <= names
    assert {"retention.yaml", "cookies.yaml", "collection_points.yaml", "notices.yaml"} <= names


@pytest.mark.parametrize("name", sorted(PROMISES))
def test_every_file_names_its_seed_in_the_header(name: str) -> None:
    for path in yaml_files(name):
        header = "".join(line for line in path.read_text(encoding="utf-8").splitlines(keepends=True)[:4])
        assert any(seed in header for seed in SEEDS[name]), f"{path.name} does not name its seed"


@pytest.mark.parametrize("name", sorted(PROMISES))
def test_every_promise_of_the_seed_is_cited(name: str) -> None:
    text = "".join(path.read_text(encoding="utf-8") for path in yaml_files(name))

    missing = [ident for ident in PROMISES[name] if not re.search(rf"\b{ident}\b", text)]

    assert missing == []


@pytest.mark.parametrize("name", sorted(PROMISES))
def test_mamori_check_exits_zero(name: str) -> None:
    from mamori.catalog.mapfile.cli import main as check_main

    assert check_main([str(EXAMPLES / name)], prog="mamori check") == 0


@pytest.mark.parametrize("name", sorted(PROMISES))
def test_texts_for_people_have_japanese(name: str, example_map) -> None:
    # Plain strings are allowed for proper nouns only; a sentence needs a real Japanese text.
    privacy_map = example_map(name)
    document = privacy_map.to_document()
    same: list[str] = []

    def walk(node: object, where: str) -> None:
        if isinstance(node, dict):
            if set(node) == {"en", "ja"} and node["en"] == node["ja"] and len(node["en"].split()) > 3:
                same.append(f"{where}: {node['en']}")
            for key, value in node.items():
                walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{where}[{index}]")

    walk(document, name)
    assert same == []
