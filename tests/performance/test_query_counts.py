"""The number of SQL statements of each heavy page, API call and the reminder scan is the
same with 5 rows as with 25 (issue 18): nothing is queried once per row."""

from datetime import timedelta

import pytest

from mettrack.accounts import tokens
from mettrack.core import audit
from mettrack.core.choices import Role
from mettrack.core.clock import today
from mettrack.core.extensions import db
from mettrack.core.unit_of_work import unit_of_work
from mettrack.statistics import report
from mettrack.statistics.rules import Quarter
from tests import factories
from tests.performance.conftest import LARGE, SMALL, add_cases, add_notes


def _statements_of(statements, request) -> int:
    request()  # once first: anything a first request caches is not counted
    with statements() as sent:
        response = request()
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return len(sent)


def _at_two_sizes(app, statements, grow, request) -> list[int]:
    """The statements of `request` after `grow(SMALL)`, then after growing to LARGE."""
    counts = []
    made = 0
    for size in (SMALL, LARGE):
        with app.app_context():
            grow(size - made)
        made = size
        counts.append(_statements_of(statements, request))
    return counts


def _lead(app) -> int:
    with app.app_context():
        return factories.user(roles=[Role.LEAD_PROFESSIONAL]).id


@pytest.mark.parametrize(
    "query", ["", "?sort=risk", "?sort=next_review", "?state=met_review&exploitation_type=cse"]
)
def test_the_chairs_case_list_does_not_query_per_case(app, client, auth, statements, query):
    auth.as_role(Role.MET_CHAIR)
    lead_id = _lead(app)
    counts = _at_two_sizes(
        app, statements, lambda n: add_cases(n, lead_id), lambda: client.get(f"/cases/{query}")
    )
    assert counts[0] == counts[1], counts


def test_a_leads_case_list_does_not_query_per_case(app, client, auth, statements):
    lead_id = auth.as_role(Role.LEAD_PROFESSIONAL)
    counts = _at_two_sizes(app, statements, lambda n: add_cases(n, lead_id), lambda: client.get("/cases/"))
    assert counts[0] == counts[1], counts


def test_the_case_page_does_not_query_per_note_or_episode(app, client, auth, statements):
    auth.as_role(Role.MET_CHAIR)
    lead_id = _lead(app)
    with app.app_context():
        (small,) = add_cases(1, lead_id, episodes=2)
        add_notes(small, lead_id, 2)
        (large,) = add_cases(1, lead_id, episodes=10)
        add_notes(large, lead_id, 10)
    counts = [_statements_of(statements, lambda c=c: client.get(f"/cases/{c}")) for c in (small, large)]
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize("call", ["search", "list"])
def test_the_api_case_list_and_search_do_not_query_per_case(app, client, statements, call):
    with app.app_context():
        chair = factories.user(roles=[Role.MET_CHAIR])
        _token, secret = tokens.create_token(chair, name="test")
    lead_id = _lead(app)
    headers = {"Authorization": f"Bearer {secret}"}

    def request():
        if call == "search":
            return client.post(
                "/api/v1/cases/search", json={"q": "testchild", "per_page": 100}, headers=headers
            )
        return client.get("/api/v1/cases?per_page=100", headers=headers)

    counts = _at_two_sizes(app, statements, lambda n: add_cases(n, lead_id), request)
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize("by_user", [True, False])
def test_the_audit_log_search_does_not_query_per_row(app, client, auth, statements, by_user):
    auth.as_role(Role.MET_CHAIR)
    with app.app_context():
        lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
        lead_id = lead.id

    def grow(n):
        actor = db.session.get(type(lead), lead_id)
        with unit_of_work():
            for case_id in range(n):
                audit.record("case.viewed", "case", 9000 + case_id, actor=actor)

    path = f"/audit/?actor={lead_id}" if by_user else "/audit/"
    counts = _at_two_sizes(app, statements, grow, lambda: client.get(path))
    assert counts[0] == counts[1], counts


def test_the_reminder_scan_sends_as_many_statements_for_25_cases_as_for_5(app, statements):
    from mettrack.reminders import make_due

    lead_id = _lead(app)
    with app.app_context():
        factories.user(roles=[Role.MET_CHAIR])
    scans, rescans, made = [], [], []
    for size in (SMALL, LARGE):
        with app.app_context():
            add_cases(size - (SMALL if size == LARGE else 0), lead_id)
            with statements() as sent:
                made.append(make_due())
            scans.append(len(sent))
            with statements() as again:  # a rescan finds everything made: adds nothing
                assert make_due() == 0
            rescans.append(len(again))
    # A review and a Return Home Interview reminder per case, to its lead.
    assert made == [2 * SMALL, 2 * (LARGE - SMALL)]
    assert scans[0] == scans[1], scans
    assert rescans[0] == rescans[1], rescans


def _last_90_days() -> str:
    start, end = today() - timedelta(days=90), today()
    return "&".join(
        f"{name}-{part}={getattr(day, part)}"
        for name, day in (("from", start), ("to", end))
        for part in ("day", "month", "year")
    )


@pytest.mark.parametrize("path", ["/statistics/", "/statistics/operations"])
def test_the_statistics_pages_do_not_query_per_case(app, client, auth, statements, path):
    auth.as_role(Role.ANALYST)
    lead_id = _lead(app)
    with app.app_context():
        factories.user(roles=[Role.MET_CHAIR])
    counts = _at_two_sizes(
        app, statements, lambda n: add_cases(n, lead_id), lambda: client.get(f"{path}?{_last_90_days()}")
    )
    assert counts[0] == counts[1], counts


def test_the_statistics_report_counts_the_trend_in_one_statement(app, statements):
    """The chosen period's figures are one statement and the trend's quarters one more:
    a longer trend sends no more statements (each quarter's used to send three)."""
    lead_id = _lead(app)
    with app.app_context():
        analyst = factories.user(roles=[Role.ANALYST])
        add_cases(SMALL, lead_id)
        period = Quarter(2026, 3).period
        counts = []
        for quarters in (1, 8):
            with statements() as sent:
                found = report.build_report(analyst, period, quarters=quarters)
            assert len(found.trend) == quarters + 1
            counts.append(len(sent))
    assert counts[0] == counts[1], counts
