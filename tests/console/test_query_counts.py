"""Guard rail: the busiest pages cost a fixed number of queries, however many rows they show.

Each page is loaded with a few rows and again with twice as many: the count must not move (no
query per row), and it is pinned, so a change that adds one says so on purpose. On failure
`assert_query_count` prints every statement.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client

from mamori.accounts.models import User
from mamori.api.services import create_token
from mamori.audit.services import Actor
from mamori.catalog.services import apply_map
from mamori.rights.models import RightsRequest
from mamori.rights.services.intake import Submission, submit_request
from mamori.testing.queries import assert_query_count

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def ipro(db: None) -> str:
    return apply_map([EXAMPLES / "i-pro"], Actor.cli("test")).organisation


def add_requests(organisation: str, count: int) -> list[RightsRequest]:
    made = []
    for number in range(count):
        sub = Submission(
            organisation=organisation,
            right="access",
            jurisdiction="US-CA",
            requester_name=f"Person {number}",
            requester_email=f"person{number}@example.com",
        )
        made.append(submit_request(sub, Actor.system("requester"))[0])
    return made


def counted(call: Callable[[], object], expected: int) -> None:
    with assert_query_count(expected):
        response = call()
    assert getattr(response, "status_code", 200) == 200


# The pinned counts, each starting with the session, the user and the second-factor device (the
# API: the token). The queue used to look the organisation's time zone up once per row.
# The dashboard's open incidents: one query, plus one per organisation that has any.
# The queue (8): the paginator's count and the jurisdictions of the filter form each cost one; the
# separate "due soon" query is gone (days left are counted from the rows). The request page (11):
# its timeline reads the clock's pauses. The dashboard (10): the day's work costs one query for the
# requests (every count in one aggregate), one for manual tasks, one for retention approvals.
QUEUE, REQUEST_PAGE, API_LIST, AUDIT_LOG, DASHBOARD = 8, 11, 2, 7, 10


def test_the_request_queue_and_the_api_list_do_not_grow_per_row(
    ipro: str, officer: User, client_as: Callable[[User], Client], client: Client
) -> None:
    staff = client_as(officer)
    _, secret = create_token(officer, "list", ["requests:read"], Actor.for_user(officer))
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    add_requests(ipro, 3)
    staff.get("/console/requests/")  # warm the map cache as a running server has it
    client.get("/api/v1/requests", **auth)  # the token's first use records it (once a minute)
    counted(lambda: staff.get("/console/requests/"), QUEUE)
    counted(lambda: client.get("/api/v1/requests", **auth), API_LIST)
    add_requests(ipro, 3)
    counted(lambda: staff.get("/console/requests/"), QUEUE)
    counted(lambda: client.get("/api/v1/requests", **auth), API_LIST)


def test_the_request_page_audit_log_and_dashboard_have_fixed_costs(
    ipro: str, officer: User, client_as: Callable[[User], Client]
) -> None:
    staff = client_as(officer)
    first = add_requests(ipro, 2)[0]
    staff.get(f"/console/requests/{first.pk}/")  # warm the map cache
    counted(lambda: staff.get(f"/console/requests/{first.pk}/"), REQUEST_PAGE)
    counted(lambda: staff.get("/console/audit/"), AUDIT_LOG)
    counted(lambda: staff.get("/console/"), DASHBOARD)
    add_requests(ipro, 4)
    counted(lambda: staff.get("/console/audit/"), AUDIT_LOG)
    counted(lambda: staff.get("/console/"), DASHBOARD)
