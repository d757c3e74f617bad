"""Property tests: the fulfilment rules hold on random schemas and populations, not just fixtures.

For a random person of a random world (tests/fulfilment/random_schemas.py):
- the package holds exactly the rows the ownership rules give (nothing of anyone else's);
- erasure changes no row of anyone else beyond the forced reference removals the plan lists
  (and shared rows the map says to mask);
- verification finds nothing left but what is held;
- the plan's counts are the rows the run changes;
- erasing several people together ends exactly as erasing them one by one.

Fast and deterministic on SQLite in the normal suite (`derandomize=True`, no deadline); on
PostgreSQL and MariaDB too, with fewer examples, where the servers are running (CI).
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mamori.fulfilment.engine import FulfilmentEngine

from .conftest import MARIADB, POSTGRES, _server_database
from .random_schemas import ENV, World, snapshot, worlds

EXAMPLES = {"sqlite": 20, "postgresql": 5, "mariadb": 5}
SETTINGS = {
    "deadline": None,
    "derandomize": True,
    "database": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
}


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def scratch(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """(kind, URL) of a database the examples of one test reuse (each example recreates its tables)."""
    if request.param == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield "sqlite", f"sqlite:///{folder}/random.sqlite3"
        return
    server = POSTGRES if request.param == "postgresql" else MARIADB
    for url in _server_database(server, request.param):
        yield request.param, url


def examples(kind: str) -> Any:
    return settings(max_examples=EXAMPLES[kind], **SETTINGS)


def engine_for(world: World, url: str, folder: Path) -> FulfilmentEngine:
    return FulfilmentEngine(world.privacy_map(folder), {ENV: url})


def exported_ids(engine: FulfilmentEngine, identities: dict[str, str], path: Path) -> dict[str, set[int]]:
    engine.export(identities, path, "en")
    found: dict[str, set[int]] = {}
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("data/db/") and name.endswith(".json"):
                table = json.loads(archive.read(name))
                found[table["table"]] = {row["id"] for row in table["rows"]}
    return found


def run(kind: str, test: Any) -> None:
    examples(kind)(test)()


def test_package_holds_exactly_the_persons_rows(scratch: tuple[str, str]) -> None:
    kind, url = scratch

    @given(world=worlds(), data=st.data())
    def check(world: World, data: st.DataObject) -> None:
        world.create(url)
        person = data.draw(st.integers(1, world.people), label="person")
        with tempfile.TemporaryDirectory() as folder:
            engine = engine_for(world, url, Path(folder))
            typed = world.email(person).swapcase()  # as typed: another case than stored
            found = exported_ids(engine, {"email": typed}, Path(folder) / "package.zip")
            engine.close()
        expected = world.expected_rows(person)
        for table, ids in expected.items():
            assert found.get(table, set()) == ids, (table, found.get(table), ids)

    run(kind, check)


def _others_changes(
    world: World, person: int, before: dict[str, dict[Any, dict[str, Any]]], after: dict[str, dict[Any, dict[str, Any]]]
) -> dict[str, int]:
    """Changed rows of other people, by `table.column` (or `table` for anything else)."""
    expected = world.expected_rows(person)
    changes: dict[str, int] = {}
    for table, rows in before.items():
        for key, row in rows.items():
            if key in expected.get(table, set()):
                continue
            now = after[table].get(key)
            if now == row:
                continue
            changed = [column for column in row if now is None or now[column] != row[column]]
            if now is not None and len(changed) == 1 and now[changed[0]] is None:
                name = f"{table}.{changed[0]}"
            else:
                name = table
            changes[name] = changes.get(name, 0) + 1
    return changes


def test_erasure_touches_nobody_else_and_counts_what_it_changes(scratch: tuple[str, str]) -> None:
    kind, url = scratch

    @given(world=worlds(), data=st.data())
    def check(world: World, data: st.DataObject) -> None:
        world.create(url)
        person = data.draw(st.integers(1, world.people), label="person")
        metadata = world.metadata()
        before = snapshot(url, metadata)
        with tempfile.TemporaryDirectory() as folder:
            engine = engine_for(world, url, Path(folder))
            plan = engine.plan_erasure([{"customer_id": str(person)}])
            done = engine.execute_erasure(plan)["db"]
            residue = engine.verify_erasure(plan)["db"]
            engine.close()
        after = snapshot(url, metadata)
        assert not any(residue.values()), residue
        (system,) = plan["systems"]
        listed = {f"{item['table']}.{item['column']}": item["rows"] for item in system["references_removed"]}
        changes = _others_changes(world, person, before, after)
        shared_masked = {
            table["table"]
            for table in system["tables"]
            if table.get("shared_action") == "mask" and table["shared_rows"]
        }
        assert {name: rows for name, rows in changes.items() if name not in shared_masked} == listed
        for table in system["tables"]:
            if table["action"] in ("delete", "update") and table["rows"]:
                unchanged = table.get("shared_rows", 0) if table.get("shared_action") != "mask" else 0
                assert done.get(table["table"], 0) == table["rows"] - unchanged, table
        for item in system["references_removed"] + system["detached"]:
            assert done[f"{item['table']}.{item['column']}"] == item["rows"]
        # Nothing of the person's is left but what a legal hold or a staying row keeps.
        expected = world.expected_rows(person)
        held = {table.name for table in world.tables if table.hold}
        for table in world.tables:
            if table.delete and table.name not in held:
                left = expected[table.name] & set(after[table.name])
                assert all(after[table.name][key]["data"] is None for key in left), table.name

    run(kind, check)


@pytest.mark.parametrize("policy", ["keep", "mask", "detach"])
def test_bulk_erasure_equals_one_by_one(scratch: tuple[str, str], policy: str) -> None:
    kind, url = scratch

    # Whatever the map says of shared rows (docs/fulfilment.md, "Shared rows"), erasing people
    # together ends as erasing them one by one. One case depends on the order even one by one
    # (`keep`/`mask`: a sharer whose row stays and one whose row goes; the row is untouched when
    # the staying one is erased first): bulk then ends as one of the orders does.
    @given(world=worlds(policies=(policy,)), data=st.data())
    def check(world: World, data: st.DataObject) -> None:
        people = data.draw(
            st.lists(st.integers(1, world.people), min_size=2, max_size=world.people, unique=True), label="people"
        )
        subjects = [{"customer_id": str(person)} for person in people]
        metadata = world.metadata()
        with tempfile.TemporaryDirectory() as folder:
            world.create(url)
            engine = engine_for(world, url, Path(folder))
            plan = engine.plan_erasure(subjects)
            engine.execute_erasure(plan)
            assert not any(engine.verify_erasure(plan)["db"].values())
            together = snapshot(url, metadata)
            ends = []
            for order in (subjects, subjects[::-1]):
                world.create(url)
                for subject in order:
                    single = engine.plan_erasure([subject])
                    engine.execute_erasure(single)
                    assert not any(engine.verify_erasure(single)["db"].values())
                ends.append(snapshot(url, metadata))
            engine.close()
        if policy == "detach" or ends[0] == ends[1]:
            assert together == ends[0]
        else:
            assert together in ends

    run(kind, check)
