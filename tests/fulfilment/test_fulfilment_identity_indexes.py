"""On PostgreSQL, finding a person by e-mail (`lower(email)`) or by phone (separators removed)
uses an index: the one `mamori map inspect` tells the user to create, with its exact DDL. Proven
with EXPLAIN on the very statements the connector sends, on a table big enough for the planner
to prefer the index."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from mamori.catalog.mapfile import load_map
from mamori.fulfilment.connectors.sql.connector import SqlConnector
from mamori.fulfilment.connectors.sql.identities import index_statement
from mamori.fulfilment.inspect import inspect_map

from .club import ENV, MAP, club_map, create_club

MEMBERS = 20000  # enough rows that a sequential scan costs more than the index


@pytest.fixture
def big_club(postgres_database: str) -> Iterator[str]:
    create_club(postgres_database)
    engine = sa.create_engine(postgres_database)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO members (id, email, phone, name, restricted) "
                "SELECT n, 'Member' || n || '@Example.com', '090-' || lpad(n::text, 4, '0') || '-' || "
                "lpad((n % 10000)::text, 4, '0'), 'Member ' || n, false FROM generate_series(100, :last) AS n"
            ),
            {"last": 100 + MEMBERS},
        )
    engine.dispose()
    yield postgres_database


def index_findings(url: str) -> dict[str, str]:
    result = load_map([MAP / "map.yaml"])
    findings, _systems = inspect_map(result, {ENV: url})
    return {
        finding.message.split()[2]: finding.message for finding in findings if finding.kind == "identity_without_index"
    }


def plans_of_lookups(url: str, identities: dict[str, str]) -> dict[str, str]:
    """EXPLAIN of each statement the connector sends to find the person, as sent (same parameters)."""
    privacy_map = club_map()
    connector = SqlConnector(privacy_map.system("club-db"), privacy_map, url)
    sent: list[tuple[str, Any]] = []

    def remember(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM members" in statement:
            sent.append((statement, parameters))

    sa.event.listen(connector.engine, "before_cursor_execute", remember)
    connector.locate([identities], counts=False)
    sa.event.remove(connector.engine, "before_cursor_execute", remember)
    plans: dict[str, str] = {}
    with connector.engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE members")
        for statement, parameters in sent:
            rows = connection.exec_driver_sql("EXPLAIN " + statement, parameters).all()
            plans[statement] = "\n".join(row[0] for row in rows)
    connector.close()
    return plans


def test_inspect_gives_the_index_and_the_lookups_then_use_it(big_club: str) -> None:
    before = index_findings(big_club)
    # members.email is UNIQUE, yet that index cannot serve lower(email): inspect says so.
    assert "lower(email)" in before["members.email"]
    fixes = {
        ref: index_statement(kind, *ref.split("."))
        for ref, kind in (("members.email", "email"), ("members.phone", "phone"))
    }
    for ref, fix in fixes.items():
        assert fix is not None and fix in before[ref]  # the exact DDL to run
    engine = sa.create_engine(big_club)
    with engine.begin() as connection:
        for fix in fixes.values():
            connection.exec_driver_sql(str(fix))
    engine.dispose()
    after = index_findings(big_club)
    assert "members.email" not in after and "members.phone" not in after
    by_email = plans_of_lookups(big_club, {"email": "MEMBER5000@example.COM"})
    (email_plan,) = [plan for statement, plan in by_email.items() if "lower(members.email)" in statement]
    assert "ix_members_email_lower" in email_plan and "Seq Scan on members" not in email_plan
    by_phone = plans_of_lookups(big_club, {"phone": "+81 90 5000 5000"})
    (phone_plan,) = [plan for statement, plan in by_phone.items() if "replace(" in statement]
    assert "ix_members_phone_digits" in phone_plan and "Seq Scan on members" not in phone_plan


def test_without_the_index_the_lookup_reads_the_whole_table(big_club: str) -> None:
    """The control: the same statement scans every row until the index exists."""
    plans = plans_of_lookups(big_club, {"email": "member5000@example.com"})
    (plan,) = [plan for statement, plan in plans.items() if "lower(members.email)" in statement]
    assert "Seq Scan on members" in plan
