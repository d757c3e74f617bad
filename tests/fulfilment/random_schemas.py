"""Random company databases for the property tests: a schema, its privacy map and a population.

Shapes: a root table of people (with a self-reference `referred_by` and a household reference the
database does not enforce), owned tables (directly, or through another owned table), optional
references from one owned table to another's rows (which may be someone else's: another member's
card), legal holds, and a table of notes where visitors without an account leave their e-mail.
An expected model (who owns which row) is kept beside the rows, computed in Python.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from hypothesis import strategies as st

from mamori.catalog.mapfile import PrivacyMap, load_map

ENV = "MAMORI_RANDOM_URL"
MAP_HEAD = """\
mamori: 1
organisation:
  id: random
  legal_name: {en: Random K.K., ja: ランダム株式会社}
  address: {en: Tokyo, ja: 東京}
  country: JP
  time_zone: Asia/Tokyo
  contacts:
    - id: privacy
      name: {en: Privacy, ja: 個人情報窓口}
      handles: [privacy_requests]
      channels: [{kind: email, value: privacy@random.example}]
jurisdictions: [{code: JP}]
data_categories:
  - {id: contact, name: {en: Contact, ja: 連絡先}}
  - {id: record, name: {en: Records, ja: 記録}}
purposes:
  - id: service
    name: {en: Service, ja: サービス}
    categories: [contact, record]
    legal_basis: {JP: published_purpose}
retention:
  - id: tax
    name: {en: Tax, ja: 税務}
    categories: [record]
    trigger: payment_completed
    period: "0 days"
    legal_hold: {basis: {en: Tax law, ja: 税法}, period: "7 years"}
  - id: plain
    name: {en: Plain, ja: 通常}
    categories: [contact]
    trigger: account_closed
    period: "0 days"
"""


@dataclass
class OwnedTable:
    name: str
    through: str | None  # None: `person_id` -> people.id; else `parent_id` -> <through>.id
    refers_to: str | None  # a nullable `ref_id` -> <refers_to>.id (an enforced foreign key)
    delete: bool
    hold: bool


@dataclass
class World:
    tables: list[OwnedTable]
    people: int
    delete_people: bool
    household_policy: str
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    # -- schema and map

    def metadata(self) -> sa.MetaData:
        metadata = sa.MetaData()
        sa.Table(
            "homes",
            metadata,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("address", sa.String(60)),
        )
        sa.Table(
            "people",
            metadata,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("email", sa.String(80), nullable=False),
            sa.Column("name", sa.String(40)),
            sa.Column("referred_by", sa.Integer, sa.ForeignKey("people.id")),
            sa.Column("home_id", sa.Integer),
        )
        for table in self.tables:
            owner = (
                sa.Column("parent_id", sa.Integer, sa.ForeignKey(f"{table.through}.id"), nullable=False)
                if table.through
                else sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id"), nullable=False)
            )
            columns = [
                sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
                owner,
                sa.Column("data", sa.String(40)),
                sa.Column("amount", sa.Integer),
            ]
            if table.refers_to:
                columns.append(sa.Column("ref_id", sa.Integer, sa.ForeignKey(f"{table.refers_to}.id")))
            sa.Table(table.name, metadata, *columns)
        sa.Table(
            "notes",
            metadata,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id")),
            sa.Column("email", sa.String(80)),
            sa.Column("body", sa.String(40)),
        )
        return metadata

    def map_text(self) -> str:
        lines = [
            "systems:",
            "  - id: db",
            "    name: {en: Database, ja: データベース}",
            "    connector: sql",
            f"    connection_env: {ENV}",
            "    identities: {email: [people.email, notes.email], customer_id: people.id}",
            "    tables:",
            "      - name: people",
            "        owner: id",
            f"        erase: {'delete_row' if self.delete_people else 'update_fields'}",
            "        retention: plain",
            "        fields:",
            "          - {name: email, category: contact, erase: mask}",
            "          - {name: name, category: contact}",
            "        links:",
            "          - {column: referred_by, references: people.id}",
            f"          - {{column: home_id, references: homes.id, shared: {self.household_policy}}}",
            "      - name: homes",
            "        erase: delete_row",
            "        retention: plain",
            "        fields:",
            "          - {name: id, category: contact, erase: keep}",
            "          - {name: address, category: contact}",
        ]
        for table in self.tables:
            owner = "person_id" if not table.through else f"{table.through}.person_id"
            if table.through and self.table(table.through).through:
                owner = "parent_id"  # not generated: through tables hang off direct ones only
            lines += [
                f"      - name: {table.name}",
                f"        owner: {owner}",
                f"        erase: {'delete_row' if table.delete else 'update_fields'}",
                f"        retention: {'tax' if table.hold else 'plain'}",
                "        fields:",
                "          - {name: data, category: contact}",
                "          - {name: amount, category: record, erase: keep}",
            ]
        lines += [
            "      - name: notes",
            "        owner: person_id",
            "        erase: delete_row",
            "        retention: plain",
            "        fields:",
            "          - {name: email, category: contact}",
            "          - {name: body, category: contact}",
        ]
        return MAP_HEAD + "\n".join(lines) + "\n"

    def table(self, name: str) -> OwnedTable:
        return next(table for table in self.tables if table.name == name)

    def privacy_map(self, folder: Path) -> PrivacyMap:
        path = folder / "map.yaml"
        path.write_text(self.map_text(), encoding="utf-8")
        result = load_map([path])
        assert result.ok and result.map is not None, [str(problem) for problem in result.problems]
        return result.map

    def create(self, url: str) -> None:
        engine = sa.create_engine(url)
        metadata = self.metadata()
        with engine.begin() as connection:
            reflected = sa.MetaData()
            reflected.reflect(connection)
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
            reflected.drop_all(connection)
        metadata.create_all(engine)
        with engine.begin() as connection:
            for table in metadata.sorted_tables:
                if self.rows.get(table.name):
                    connection.execute(table.insert(), self.rows[table.name])
        engine.dispose()

    # -- the model: whose each row is

    def owner_of(self, table: str, row: dict[str, Any]) -> int | None:
        if table == "people":
            return int(row["id"])
        if table == "notes":
            return row["person_id"]
        spec = self.table(table)
        if spec.through is None:
            return int(row["person_id"])
        parent = next(other for other in self.rows[spec.through] if other["id"] == row["parent_id"])
        return self.owner_of(spec.through, parent)

    def email(self, person: int) -> str:
        return str(next(row for row in self.rows["people"] if row["id"] == person)["email"])

    def expected_rows(self, person: int) -> dict[str, set[int]]:
        """The rows that are the person's by the ownership rules (what the package must hold)."""
        expected: dict[str, set[int]] = {}
        email = self.email(person).lower()
        for table, rows in self.rows.items():
            if table == "homes":
                continue
            mine = {row["id"] for row in rows if self.owner_of(table, row) == person}
            if table == "notes":
                mine |= {row["id"] for row in rows if row["person_id"] is None and row["email"].lower() == email}
            expected[table] = mine
        home = next(row for row in self.rows["people"] if row["id"] == person)["home_id"]
        expected["homes"] = {home} if home is not None else set()
        return expected


NAMES = ["cards", "orders", "items", "visits"]


@st.composite
def worlds(draw: st.DrawFn, *, policies: tuple[str, ...] = ("keep", "mask", "detach")) -> World:
    count = draw(st.integers(1, 3))
    tables: list[OwnedTable] = []
    for number in range(count):
        direct = [table.name for table in tables if table.through is None]
        through = draw(st.sampled_from([None, *direct])) if direct else None
        refers_to = draw(st.sampled_from([None, *(table.name for table in tables)])) if tables else None
        tables.append(OwnedTable(NAMES[number], through, refers_to, draw(st.booleans()), draw(st.booleans())))
    world = World(tables, draw(st.integers(2, 4)), draw(st.booleans()), draw(st.sampled_from(policies)))
    people = list(range(1, world.people + 1))
    homes = list(range(1, draw(st.integers(1, 3)) + 1))
    world.rows["homes"] = [{"id": home, "address": f"home {home}"} for home in homes]
    world.rows["people"] = []
    for person in people:
        email = f"Person{person}@Example.com" if draw(st.booleans()) else f"person{person}@example.com"
        referrer = draw(st.sampled_from([None, *(other for other in people if other < person)]))
        world.rows["people"].append(
            {
                "id": person,
                "email": email,
                "name": f"Name {person}",
                "referred_by": referrer,
                "home_id": draw(st.sampled_from([None, *homes])),
            }
        )
    next_id = 100
    for table in tables:
        rows = []
        for _ in range(draw(st.integers(0, 4))):
            next_id += 1
            row: dict[str, Any] = {"id": next_id, "data": f"data {next_id}", "amount": next_id}
            if table.through:
                parents = world.rows[table.through]
                if not parents:
                    continue
                row["parent_id"] = draw(st.sampled_from([parent["id"] for parent in parents]))
            else:
                row["person_id"] = draw(st.sampled_from(people))
            if table.refers_to:
                targets = [target["id"] for target in world.rows[table.refers_to]]
                row["ref_id"] = draw(st.sampled_from([None, *targets])) if targets else None
            rows.append(row)
        world.rows[table.name] = rows
    notes = []
    for number in range(draw(st.integers(0, 4))):
        owner = draw(st.sampled_from([None, *people]))
        typed = draw(st.sampled_from([*people, 99]))
        email = "stranger@example.org" if typed == 99 else world.email(typed)
        if draw(st.booleans()):
            email = email.upper()
        notes.append({"id": number + 1, "person_id": owner, "email": email, "body": f"note {number}"})
    world.rows["notes"] = notes
    return world


def snapshot(url: str, metadata: sa.MetaData) -> dict[str, dict[Any, dict[str, Any]]]:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        found = {
            table.name: {row["id"]: dict(row) for row in connection.execute(sa.select(table)).mappings()}
            for table in metadata.sorted_tables
        }
    engine.dispose()
    return found


def indent(text: str) -> str:
    return textwrap.indent(text, "  ")
