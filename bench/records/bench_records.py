"""Provision records on PostgreSQL: ingest through the bulk API against bare INSERTs of the same rows,
and one person's records found among millions.

1. Ingest. The bulk API (`POST /api/v1/records/provisions`, called in-process through Django's test
   client: the whole view stack, token check, JSON parsing, validation against the map, keyed
   hashing, one transaction per call) stores CALLS calls of PEOPLE people each. The baseline stores
   the same rows (one record row per call, one person row per person, the hashes computed beforehand)
   with bare psycopg `INSERT`s (executemany, one transaction per call) into tables made `LIKE` the
   register's, with the same indexes. Target: API people/s / bare people/s >= 0.5 (median of
   ROUNDS rounds, each measuring both).
2. Look-up. The register is filled with LOOKUP_PEOPLE person rows (in SQL, `generate_series`; the
   hashes of generated people are SHA-256 of a counter, the looked-up people get real keyed hashes),
   then `records_of_person()` (the call the disclosure request and the console make) is timed for
   random known people, warm. Target: p99 < 10 ms.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import time
import uuid
from typing import Any

from bench.common import SMALL, admin_connection, header, line, ms, pg_url, setup_django, verdict

DATABASE = "mamori_bench_records"
ROUNDS = 3
CALLS = 4 if SMALL else 10
PEOPLE = 1_000 if SMALL else 5_000
LOOKUP_PEOPLE = int(os.environ.get("BENCH_LOOKUP_PEOPLE", 200_000 if SMALL else 10_000_000))
LOOKUPS = 1_000


def fresh_database() -> None:
    with admin_connection() as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DATABASE}"')


def body(round_number: int, call: int) -> dict[str, Any]:
    return {
        "organisation": "picocela",
        "records": [
            {
                "client_key": f"r{round_number}-c{call}",
                "recipient": "prize-providers",
                "transferred_on": "2026-11-29",
                "made_from": "bulk",
                "consent_document": "campaign entry form",
                "people": [{"identities": {"email": f"r{round_number}c{call}p{n}@example.jp"}} for n in range(PEOPLE)],
            }
        ],
    }


def bare_tables(cursor: Any) -> None:
    cursor.execute("DROP TABLE IF EXISTS bare_person, bare_record")
    cursor.execute("CREATE TABLE bare_record (LIKE disclosures_transferrecord INCLUDING ALL)")
    cursor.execute("CREATE TABLE bare_person (LIKE disclosures_recordperson INCLUDING ALL)")


def bare_insert(connection: Any, round_number: int, call: int, hashes: list[str]) -> None:
    with connection.transaction(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bare_record (organisation, map_version, direction, basis, client_key, content_hash,"
            " counterparty_id, counterparty_name, counterparty_address, counterparty_representative, how_obtained,"
            " categories, items, transferred_on, ppc_publication, consent_document, made_from, channel,"
            " people_count, recorded_at, recorded_by, dispose_after) VALUES (%s, 1, 'provision', 'consent', %s,"
            " %s, 'prize-providers', 'Prize providers', '', '', '', %s, '', '2026-11-29', '', 'form', 'bulk', 'api',"
            " %s, now(), 'bench', now() + interval '3 years') RETURNING id",
            ["picocela", f"r{round_number}-c{call}", "0" * 64, json.dumps(["contact.name"]), len(hashes)],
        )
        record_id = cursor.fetchone()[0]
        cursor.executemany(
            "INSERT INTO bare_person (record_id, person, identity_hash, consent_event, consent_document)"
            " VALUES (%s, %s, %s, NULL, '')",
            [(record_id, n, digest) for n, digest in enumerate(hashes)],
        )


def ingest(client: Any, secret: str) -> list[float]:
    import psycopg

    from mamori.disclosures.identities import identity_hash

    ratios = []
    warm = json.dumps({"organisation": "picocela", "records": [{**body(99, 0)["records"][0], "client_key": "warm"}]})
    response = client.post(
        "/api/v1/records/provisions",
        data=warm,
        content_type="application/json",
        HTTP_HOST="127.0.0.1",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 201, response.content[:500]
    with psycopg.connect(pg_url(DATABASE)) as connection:
        with connection.cursor() as cursor:
            bare_tables(cursor)
        connection.commit()
        for round_number in range(ROUNDS):
            bodies = [json.dumps(body(round_number, call)) for call in range(CALLS)]
            hashes = [
                [
                    identity_hash("picocela", "email", person["identities"]["email"])
                    for person in json.loads(text)["records"][0]["people"]
                ]
                for text in bodies
            ]
            started = time.perf_counter()
            for text in bodies:
                response = client.post(
                    "/api/v1/records/provisions",
                    data=text,
                    content_type="application/json",
                    HTTP_HOST="127.0.0.1",
                    HTTP_AUTHORIZATION=f"Bearer {secret}",
                )
                assert response.status_code == 201, response.content[:500]
            api_seconds = time.perf_counter() - started
            started = time.perf_counter()
            for call in range(CALLS):
                bare_insert(connection, round_number, call, hashes[call])
            bare_seconds = time.perf_counter() - started
            people = CALLS * PEOPLE
            ratio = (people / api_seconds) / (people / bare_seconds)
            ratios.append(ratio)
            line(
                f"round {round_number + 1}: API {people / api_seconds:,.0f} people/s, "
                f"bare INSERT {people / bare_seconds:,.0f} people/s, ratio {ratio:.2f}"
            )
    return ratios


def fill_register(known: dict[str, str]) -> None:
    """LOOKUP_PEOPLE person rows in records of 5,000, in SQL; the known people get 3 records each."""
    import psycopg

    records = LOOKUP_PEOPLE // 5_000
    with psycopg.connect(pg_url(DATABASE), autocommit=True) as connection:
        started = time.perf_counter()
        connection.execute("DROP INDEX IF EXISTS disclosures_person_hash")
        connection.execute(
            "INSERT INTO disclosures_transferrecord (organisation, map_version, direction, basis, client_key,"
            " content_hash, counterparty_id, counterparty_name, counterparty_address, counterparty_representative,"
            " how_obtained, categories, items, transferred_on, ppc_publication, consent_document, made_from, channel,"
            " people_count, recorded_at, recorded_by, dispose_after)"
            " SELECT 'picocela', 1, 'provision', 'consent', 'gen-' || n, repeat('0', 64), 'prize-providers',"
            " 'Prize providers', '', '', '', '[\"contact.name\"]', '', DATE '2026-01-01' + (n %% 300), '', 'form',"
            " 'bulk', 'api', 5000, now(), 'bench', now() + interval '3 years' FROM generate_series(1, %s) AS n",
            [records],
        )
        connection.execute(
            "INSERT INTO disclosures_recordperson (record_id, person, identity_hash, consent_event, consent_document)"
            " SELECT r.id, g.n, encode(sha256(('gen-' || r.id || '-' || g.n)::bytea), 'hex'), NULL, ''"
            " FROM disclosures_transferrecord r CROSS JOIN generate_series(0, 4999) AS g(n)"
            " WHERE r.client_key LIKE 'gen-%%'"
        )
        ids = [
            row[0]
            for row in connection.execute(
                "SELECT id FROM disclosures_transferrecord WHERE client_key LIKE 'gen-%%'"
            ).fetchall()
        ]
        rows = [(random.choice(ids), 5000 + k, digest) for k, digest in enumerate(known.values()) for _ in range(3)]
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO disclosures_recordperson (record_id, person, identity_hash, consent_event,"
                " consent_document) VALUES (%s, %s, %s, NULL, '')",
                rows,
            )
        connection.execute("CREATE INDEX disclosures_person_hash ON disclosures_recordperson (identity_hash)")
        connection.execute("VACUUM ANALYZE disclosures_recordperson")
        connection.execute("VACUUM ANALYZE disclosures_transferrecord")
        count = connection.execute("SELECT count(*) FROM disclosures_recordperson").fetchone()[0]
        line(f"register filled: {count:,} person rows in {records:,} records ({time.perf_counter() - started:.0f} s)")


def lookups(known: dict[str, str]) -> tuple[list[float], list[float]]:
    """`records_of_person` timings, and those of the same look-up as one bare psycopg query (hash given)."""
    import psycopg

    from mamori.disclosures.services import records_of_person

    emails = list(known)
    for email in emails[:50]:  # warm the cache
        records_of_person("picocela", {"email": email})
    timings, bare = [], []
    with psycopg.connect(pg_url(DATABASE)) as connection:
        for _ in range(LOOKUPS):
            email = random.choice(emails)
            started = time.perf_counter()
            found = records_of_person("picocela", {"email": email})
            timings.append(time.perf_counter() - started)
            assert len(found) >= 1
            started = time.perf_counter()
            rows = connection.execute(
                "SELECT * FROM disclosures_transferrecord WHERE organisation = %s AND id IN (SELECT record_id FROM"
                " disclosures_recordperson WHERE identity_hash = %s) ORDER BY recorded_at DESC, id DESC",
                ["picocela", known[email]],
            ).fetchall()
            bare.append(time.perf_counter() - started)
            assert rows
    return timings, bare


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[int(len(ordered) * 0.99) - 1]


def main() -> int:
    fresh_database()
    setup_django(pg_url(DATABASE))
    from django.core.management import call_command
    from django.test import Client

    from mamori.accounts.models import Role, User
    from mamori.api.services import create_token
    from mamori.audit.services import Actor
    from mamori.catalog.services import apply_map
    from mamori.disclosures.identities import identity_hash

    header("provision records: bulk API vs bare INSERT; one person among many")
    line(f"load average at start: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    call_command("migrate", verbosity=0)
    apply_map(["examples/picocela"], Actor.cli("bench"))
    officer = User.objects.create_user(username=f"bench-{uuid.uuid4().hex[:6]}", role=Role.PRIVACY_OFFICER)
    secret = create_token(officer, "bench", ["records:write"], Actor.cli("bench"))[1]
    line(f"ingest: {ROUNDS} rounds of {CALLS} calls x {PEOPLE:,} people")
    ratios = ingest(Client(), secret)
    ratio = statistics.median(ratios)
    line(f"ingest ratio: median {ratio:.2f}, range {min(ratios):.2f}-{max(ratios):.2f}")
    known = {f"known{k}@example.jp": identity_hash("picocela", "email", f"known{k}@example.jp") for k in range(2_000)}
    fill_register(known)
    runs = []
    for run in range(ROUNDS):
        timings, bare = lookups(known)
        runs.append(p99(timings))
        line(
            f"look-up run {run + 1} ({LOOKUPS} look-ups): records_of_person median {ms(statistics.median(timings))},"
            f" p99 {ms(p99(timings))}; bare SQL median {ms(statistics.median(bare))}, p99 {ms(p99(bare))}"
        )
    worst = statistics.median(runs)
    line(f"look-up p99: median of runs {ms(worst)}, range {ms(min(runs))}-{ms(max(runs))}")
    line(f"load average at end: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    verdict("ingest API/bare", ratio, ">= 0.5", ratio >= 0.5)
    verdict(f"p99 look-up among {LOOKUP_PEOPLE:,} (ms)", worst * 1000, "< 10", worst < 0.010)
    return 0


if __name__ == "__main__":
    sys.exit(main())
