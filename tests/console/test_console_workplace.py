"""The console as a privacy officer's workplace: the day's work on the dashboard (each number
links to exactly the requests it counts), the queue's filters, pages and CSV export (for the roles
that may read requests), the request page's actions per state and its words instead of codes, the
audit log's links and export, and the staff entry form speaking to staff."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation
from hypothesis import given
from hypothesis import strategies as st

from mamori.accounts.models import User
from mamori.audit.labels import ACTION_LABELS
from mamori.audit.models import AuditEntry
from mamori.audit.services import ACTION_PATTERN, Actor, record
from mamori.catalog.services import apply_map
from mamori.core.spreadsheet import FORMULA_STARTS, spreadsheet_safe
from mamori.rights.models import RequestStatus, RightsRequest
from mamori.rights.services import verification
from mamori.rights.services.intake import Submission, submit_request

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
REFERENCE = re.compile(r"R-[A-Z0-9]{8}")


@pytest.fixture(autouse=True)
def _english_afterwards() -> Iterator[None]:
    yield
    translation.deactivate()  # the client leaves the last page's language active in the thread


@pytest.fixture
def ipro(db: None) -> str:
    return apply_map([EXAMPLES / "i-pro"], Actor.cli("test")).organisation


def make(org: str, name: str = "Ann", *, right: str = "access", jurisdiction: str = "JP", **changes: Any) -> Any:
    found, _token = submit_request(
        Submission(
            organisation=org,
            right=right,
            jurisdiction=jurisdiction,
            requester_name=name,
            requester_email=f"{abs(hash(name))}@example.com",
        ),
        Actor.system("requester"),
    )
    if changes:
        RightsRequest.objects.filter(pk=found.pk).update(**changes)
        found.refresh_from_db()
    return found


def references(html: str) -> set[str]:
    """The request references listed in the queue's table."""
    table = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return set(REFERENCE.findall(table))


def test_the_dashboard_counts_the_days_work_and_each_number_lists_exactly_those(
    ipro: str, officer: User, client_as: Callable[[User], Client]
) -> None:
    now = timezone.now()
    overdue = make(ipro, "Late", due_at=now - timedelta(days=2))
    this_week = make(ipro, "Soon", due_at=now + timedelta(days=3))
    review = make(ipro, "Review", status=RequestStatus.VERIFYING, needs_staff_review=True)
    later = make(ipro, "Later", due_at=now + timedelta(days=20))
    make(ipro, "Done", status=RequestStatus.COMPLETED, due_at=now - timedelta(days=9))  # closed: not overdue
    staff = client_as(officer)
    page = staff.get("/console/").content.decode()
    expected = {
        "?due=overdue": {overdue.reference},
        "?due=week": {this_week.reference},
        "?status=verifying&amp;review=on": {review.reference},
    }
    for link, wanted in expected.items():
        card = re.search(rf'href="/console/requests/{re.escape(link)}"><span class="n">(\d+)</span>', page)
        assert card is not None, link
        assert int(card.group(1)) == len(wanted)
        listed = staff.get("/console/requests/" + link.replace("&amp;", "&")).content.decode()
        assert references(listed) == wanted, link
    assert later.reference not in str(expected)
    assert "Manual tasks waiting" in page and "The audit chain is intact" in page
    # Open requests by state: every open request counted once.
    states = dict(re.findall(r'status=(\w+)">[^<]+<span class="badge badge-info">(\d+)</span>', page))
    assert sum(int(n) for n in states.values()) == 4 and set(states) == {
        "received",
        "verifying",
        "verified",
        "in_progress",
    }


def test_the_dashboard_shows_each_role_only_its_own_work(
    ipro: str, auditor: User, admin_user: User, marketing: User, client_as: Callable[[User], Client]
) -> None:
    make(ipro, "Late", due_at=timezone.now() - timedelta(days=2))
    assert "Requests overdue" in client_as(auditor).get("/console/").content.decode()
    for user in (admin_user, marketing):  # neither may read requests
        page = client_as(user).get("/console/").content.decode()
        assert "Requests overdue" not in page and "Manual tasks waiting" not in page


def test_the_queue_filters_with_one_form(ipro: str, officer: User, client_as: Callable[[User], Client]) -> None:
    japan = make(ipro, "Hanako", right="access", jurisdiction="JP")
    california = make(ipro, "Carl", right="erasure", jurisdiction="US-CA")
    closed = make(ipro, "Closed", status=RequestStatus.DENIED)
    mine = make(ipro, "Mine", assignee=officer)
    staff = client_as(officer)
    assert references(staff.get("/console/requests/").content.decode()) == {
        japan.reference,
        california.reference,
        mine.reference,
    }
    assert references(staff.get("/console/requests/?jurisdiction=US-CA").content.decode()) == {california.reference}
    assert references(staff.get("/console/requests/?right=erasure").content.decode()) == {california.reference}
    assert references(staff.get("/console/requests/?status=denied").content.decode()) == {closed.reference}
    assert closed.reference in references(staff.get("/console/requests/?status=all").content.decode())
    assert references(staff.get("/console/requests/?mine=on").content.decode()) == {mine.reference}
    page = staff.get("/console/requests/").content.decode()
    assert "Hanako" in page and "Carl" in page  # the requester's name
    # A tampered value is not an error page: the open requests are listed.
    assert staff.get("/console/requests/?status=nonsense&due=yesterday").status_code == 200


def test_days_left_and_overdue_are_shown(ipro: str, officer: User, client_as: Callable[[User], Client]) -> None:
    now = timezone.now()
    make(ipro, "Late", due_at=now - timedelta(days=3))
    make(ipro, "Soon", due_at=now + timedelta(days=2))
    page = client_as(officer).get("/console/requests/").content.decode()
    assert 'class="row-late"' in page and "days overdue" in page
    assert re.search(r'badge-warn">\d days?</span>', page)


def test_the_queue_is_paged_and_the_filters_stay_on_every_page(
    ipro: str, officer: User, client_as: Callable[[User], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    from mamori.rights.views import console

    monkeypatch.setattr(console, "PAGE_SIZE", 2)
    made = {make(ipro, f"Person {n}", jurisdiction="JP").reference for n in range(5)}
    staff = client_as(officer)
    first = staff.get("/console/requests/?jurisdiction=JP").content.decode()
    assert "Page 1 of 3" in first and 'href="?jurisdiction=JP&amp;page=2"' in first
    seen = set()
    for number in (1, 2, 3):
        seen |= references(staff.get(f"/console/requests/?jurisdiction=JP&page={number}").content.decode())
    assert seen == made


def test_the_csv_export_holds_what_the_queue_lists_and_is_audited(
    ipro: str, agent: User, auditor: User, client_as: Callable[[User], Client]
) -> None:
    california = make(ipro, '=HYPERLINK("http://evil")', right="erasure", jurisdiction="US-CA")
    make(ipro, "Hanako", jurisdiction="JP")
    for user in (agent, auditor):
        response = client_as(user).get("/console/requests/export.csv?jurisdiction=US-CA")
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        assert "attachment" in response["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[0][:3] == ["Reference", "Requester", "Organisation"]
        assert len(rows) == 2 and rows[1][0] == california.reference
        assert rows[1][1] == '\'=HYPERLINK("http://evil")'  # shown as text, never run as a formula
        assert rows[1][3] == "Erasure" and rows[1][4] == "US-CA"
    entry = AuditEntry.objects.filter(action="request.queue_exported").latest("seq")
    assert entry.details == {"rows": 1, "filters": {"jurisdiction": "US-CA"}}
    assert entry.actor_label == auditor.get_username()


@pytest.mark.parametrize("who", ["marketing", "admin_user", "outsider"])
def test_the_csv_export_refuses_roles_that_may_not_read_requests(
    ipro: str, who: str, request: pytest.FixtureRequest, client_as: Callable[[User], Client]
) -> None:
    make(ipro, "Hanako")
    response = client_as(request.getfixturevalue(who)).get("/console/requests/export.csv")
    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action="request.queue_exported").exists()


def action_links(html: str, pk: int) -> set[str]:
    """The actions the request page offers: the ends of its action forms' URLs."""
    return set(re.findall(rf'action="/console/requests/{pk}/([a-z_]+)/(?:confirm/)?"', html))


def test_the_request_page_offers_only_the_actions_that_fit_the_state(
    ipro: str, officer: User, auditor: User, client_as: Callable[[User], Client]
) -> None:
    staff = client_as(officer)
    verifying = make(ipro, "Verifying", status=RequestStatus.VERIFYING, needs_staff_review=True)
    offered = action_links(staff.get(f"/console/requests/{verifying.pk}/").content.decode(), verifying.pk)
    assert {"accept_identity", "reject_identity", "deny", "assign", "acknowledge"} <= offered
    assert not offered & {"plan", "execute", "complete", "start"}

    access = make(ipro, "Access", status=RequestStatus.VERIFYING, email_verified_at=timezone.now())
    verification.review_identity(access, Actor.system("staff"), accept=True)
    offered = action_links(staff.get(f"/console/requests/{access.pk}/").content.decode(), access.pk)
    assert {"plan", "start", "deny"} <= offered
    assert not offered & {"accept_identity", "reject_identity", "execute", "complete"}  # the work is not done

    objection = make(
        ipro, "Withdraw", right="withdraw_consent", status=RequestStatus.VERIFYING, email_verified_at=timezone.now()
    )
    verification.review_identity(objection, Actor.system("staff"), accept=True)
    offered = action_links(staff.get(f"/console/requests/{objection.pk}/").content.decode(), objection.pk)
    assert "complete" in offered and "plan" not in offered  # no engine: staff answer it themselves

    closed = make(ipro, "Closed", status=RequestStatus.DENIED, closed_at=timezone.now())
    assert action_links(staff.get(f"/console/requests/{closed.pk}/").content.decode(), closed.pk) == {"note"}
    read_only = client_as(auditor).get(f"/console/requests/{verifying.pk}/").content.decode()
    assert action_links(read_only, verifying.pk) == set() and "You can read this request" in read_only


def test_the_request_page_says_in_words_what_the_codes_mean(
    ipro: str, officer: User, client_as: Callable[[User], Client]
) -> None:
    found = make(
        ipro,
        "Hanako",
        right="erasure",
        status=RequestStatus.IN_PROGRESS,
        identity_method="staff_review",
        identity_verified_at=timezone.now(),
        outcome_status="needs_review",
        outcome_summary={
            "right": "erasure",
            "steps": [
                {"system": "shop-db", "action": "erase", "status": "done", "tables": {"customers": 1, "orders": 2}},
                {"system": "shop-db", "action": "verify", "status": "done", "residue": {"customers": 0}},
                {"system": "paper", "action": "manual", "status": "waiting"},
            ],
        },
    )
    staff = client_as(officer)
    english = staff.get(f"/console/requests/{found.pk}/").content.decode()
    assert "documents reviewed by staff" in english
    assert "Partly done: finish the remaining steps or deny with a ground." in english
    assert "Erased (rows changed per table): customers 1, orders 2" in english
    assert "Checked: nothing of the person is left." in english
    assert "Waiting for staff to do it and record evidence." in english
    staff.cookies["django_language"] = "ja"
    japanese = staff.get(f"/console/requests/{found.pk}/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "担当者による書類の確認" in japanese and "削除済み" in japanese
    for page in (english, japanese):
        text = re.sub(r"<[^>]+>", " ", page)
        for code in ("staff_review", "needs_review", "in_progress", "{'", "'steps'"):
            assert code not in text, code


def test_the_request_page_links_its_audit_entries(
    ipro: str, officer: User, agent: User, client_as: Callable[[User], Client]
) -> None:
    found = make(ipro, "Hanako")
    make(ipro, "Other")
    page = client_as(officer).get(f"/console/requests/{found.pk}/").content.decode()
    link = f"/console/audit/?target_type=rights.request&amp;target_id={found.pk}"
    assert link in page
    log = client_as(officer).get(link.replace("&amp;", "&")).content.decode()
    targets = set(re.findall(r'href="/console/requests/(\d+)/"', log))
    assert targets == {str(found.pk)}  # only its entries, each linking back to it
    assert link not in client_as(agent).get(f"/console/requests/{found.pk}/").content.decode()  # no audit access


def test_the_audit_log_exports_csv_for_its_readers_only(
    ipro: str, officer: User, auditor: User, agent: User, marketing: User, client_as: Callable[[User], Client]
) -> None:
    found = make(ipro, "Hanako")
    response = client_as(auditor).get(f"/console/audit/export.csv?target_type=rights.request&target_id={found.pk}")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Number" and len(rows) > 1
    assert {row[5] for row in rows[1:]} == {"rights.request"} and {row[6] for row in rows[1:]} == {str(found.pk)}
    assert "Hanako" not in response.content.decode()
    full = client_as(officer).get("/console/audit/export.csv")
    assert any(row[4] == "map.applied" for row in csv.reader(io.StringIO(full.content.decode("utf-8-sig"))))
    for user in (agent, marketing):
        assert client_as(user).get("/console/audit/export.csv").status_code == 403


def test_the_staff_entry_form_asks_staff(ipro: str, agent: User, client_as: Callable[[User], Client]) -> None:
    page = client_as(agent).get(f"/console/requests/new/?org={ipro}").content.decode()
    assert "Where does the requester live?" in page and "Requester&#x27;s full name" in page
    assert "Where do you live?" not in page and "Your full name" not in page
    assert "<legend>The requester</legend>" in page and "<legend>Filed by an agent</legend>" in page


@given(st.text())
def test_no_exported_cell_starts_a_formula(value: str) -> None:
    cell = spreadsheet_safe(value)
    assert not cell.startswith(FORMULA_STARTS)
    assert cell in (value, "'" + value)  # nothing but the quote is added


@pytest.mark.parametrize(("language", "label"), [("en", "Request received"), ("ja", "請求を受付")])
def test_the_audit_log_names_its_actions_and_keeps_their_codes(
    ipro: str, officer: User, client_as: Callable[[User], Client], language: str, label: str
) -> None:
    found = make(ipro, "Hanako")
    record(Actor.cli("test"), "example.unnamed_action", target_type="rights.request", target_id=str(found.pk))
    page = client_as(officer).get(
        f"/console/audit/?target_type=rights.request&target_id={found.pk}", HTTP_ACCEPT_LANGUAGE=language
    )
    cells = re.findall(r'<td data-label="[^"]+">(.*?)</td>', page.content.decode(), re.S)
    # A known action reads in the page's language, its code below it for staff who search by it;
    # an action without a name shows its code alone.
    assert f'{label}<br><code class="muted small">request.received</code>' in cells
    assert "<code>example.unnamed_action</code>" in cells


def test_every_named_audit_action_is_a_valid_code() -> None:
    # A name under a misspelt code would never be shown: each key must be an action code's shape.
    assert all(ACTION_PATTERN.match(code) for code in ACTION_LABELS)
