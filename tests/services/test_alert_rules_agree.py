"""The case list filters in SQL and the domain rules in Python say the same, at the edges.

"Review overdue", "Return Home Interview overdue" and "repeatedly missing" are each one rule
in the rules modules (risk.rules.review_overdue, missing.rules.rhi_overdue,
missing.rules.repeat_missing) with a twin in SQL (cases/queries.py) so that the list can
filter on them. Each test builds one case per edge, then checks that the list's filter, the
list's alerts and the domain rule pick the same cases, and that those are the ones the
rule's wording says. Run on PostgreSQL: the comparisons of timestamps and NULLs are the
database's."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from mettrack.cases import queries as cases
from mettrack.cases.models import Case
from mettrack.cases.queries import CaseFilters
from mettrack.core.choices import CaseState, Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.missing import rules as missing_rules
from mettrack.missing.episodes import repeat_rule
from mettrack.missing.models import MissingEpisode
from mettrack.risk import assessments as risk_assessments
from mettrack.risk import rules as risk_rules
from tests import factories

# 23:30 UTC on 10 May is 00:30 on 11 May in London (BST): "today" there is the 11th.
NOW = datetime(2026, 5, 10, 23, 30, tzinfo=UTC)
SECOND = timedelta(seconds=1)
DUE = missing_rules.RHI_DUE_WITHIN


@pytest.fixture
def chair(app_ctx, postgres):
    set_now(NOW)
    return factories.user(roles=[Role.MET_CHAIR])


def make_cases(names) -> dict[str, Case]:
    return {name: factories.case(state=CaseState.MET_REVIEW) for name in names}


def add_episode(case, user, went_missing_at, returned_at=None, rhi_status=None) -> None:
    db.session.add(
        MissingEpisode(
            case_id=case.id,
            went_missing_at=went_missing_at,
            returned_at=returned_at,
            rhi_status=rhi_status,
            recorded_by_id=user.id,
        )
    )
    db.session.commit()


def filtered(user, **filters) -> set[int]:
    return {c.id for c in cases.list_for(user, CaseFilters(**filters), per_page=100).items}


def alerted(user, alert: str) -> set[int]:
    page = cases.list_for(user, CaseFilters(), per_page=100)
    return {case_id for case_id, alerts in page.alerts.items() if getattr(alerts, alert)}


def names_of(made: dict[str, Case], ids: set[int]) -> set[str]:
    return {name for name, case in made.items() if case.id in ids}


def episodes_by_case() -> dict[int, list[MissingEpisode]]:
    """The episodes as read back from the database, so the rule sees what the SQL saw."""
    db.session.expire_all()
    by_case: dict[int, list[MissingEpisode]] = {}
    for row in db.session.scalars(select(MissingEpisode)):
        by_case.setdefault(row.case_id, []).append(row)
    return by_case


# --- Return Home Interview overdue: 72 hours after the return, to the second

RHI_EDGES = {
    # name: (returned this long before now, what is recorded about the interview, overdue?)
    "returned 72 hours less a second ago": (DUE - SECOND, None, False),
    "returned exactly 72 hours ago": (DUE, None, False),
    "returned 72 hours and a second ago": (DUE + SECOND, None, True),
    "returned 72 hours and a microsecond ago": (DUE + timedelta(microseconds=1), None, True),
    "returned long ago, status blank": (DUE * 3, "", True),
    "returned long ago, interview offered": (DUE * 3, "offered", False),
    "returned long ago, interview not possible": (DUE * 3, "not_possible", False),
}


def test_rhi_overdue_in_sql_and_in_the_rule_agree_to_the_second(chair):
    made = make_cases([*RHI_EDGES, "still missing"])
    for name, (ago, status, _overdue) in RHI_EDGES.items():
        add_episode(made[name], chair, NOW - ago - timedelta(hours=5), NOW - ago, status)
    add_episode(made["still missing"], chair, NOW - DUE * 2)

    by_rule = {
        case_id
        for case_id, rows in episodes_by_case().items()
        if any(
            missing_rules.rhi_overdue(
                missing_rules.EpisodeFacts(r.went_missing_at, r.returned_at, r.rhi_status), NOW
            )
            for r in rows
        )
    }
    expected = {name for name, (_ago, _status, overdue) in RHI_EDGES.items() if overdue}

    assert names_of(made, filtered(chair, rhi_overdue=True)) == expected
    assert names_of(made, alerted(chair, "rhi_overdue")) == expected
    assert names_of(made, by_rule) == expected


# --- repeatedly missing: the count, and the period's first and last moments


def repeat_edges(rule: missing_rules.RepeatMissingRule) -> dict[str, tuple[list[datetime], bool]]:
    """name: (when each episode began, flagged?). The period is the last `rule.days` days up
    to now, both ends included; `rule.episodes` in it flag the child."""
    start = NOW - timedelta(days=rule.days)
    recent = [NOW - timedelta(hours=6 * (n + 1)) for n in range(rule.episodes - 1)]
    return {
        "one too few": (recent, False),
        "enough, the oldest at the period's first moment": ([start, *recent], True),
        "enough, the oldest a second before the period": ([start - SECOND, *recent], False),
        "enough, the oldest a second into the period": ([start + SECOND, *recent], True),
        "enough, the newest at this moment": ([NOW, *recent], True),
        "one more, outside the period": ([start - SECOND, start + SECOND, *recent], True),
    }


@pytest.mark.parametrize(
    "setting",
    [None, {"MISSING_REPEAT_EPISODES": 2, "MISSING_REPEAT_DAYS": 7}],
    ids=["the default", "2 in 7 days"],
)
def test_repeat_missing_in_sql_and_in_the_rule_agree_at_the_count_and_the_period(
    app, chair, monkeypatch, setting
):
    for key, value in (setting or {}).items():
        monkeypatch.setitem(app.config, key, value)
    rule = repeat_rule()
    edges = repeat_edges(rule)
    made = make_cases(edges)
    for name, (began, _flagged) in edges.items():
        for moment in began:
            add_episode(made[name], chair, moment, rhi_status="declined")

    by_rule = {
        case_id
        for case_id, rows in episodes_by_case().items()
        if missing_rules.repeat_missing([r.went_missing_at for r in rows], NOW, rule).flagged
    }
    expected = {name for name, (_began, flagged) in edges.items() if flagged}

    assert names_of(made, filtered(chair, repeat_missing=True)) == expected
    assert names_of(made, alerted(chair, "repeat_missing")) == expected
    assert names_of(made, by_rule) == expected


# --- review overdue: before today's date in London, open cases only

REVIEW_EDGES = {
    # name: (next review date, state, overdue?)
    "due yesterday in London (today in UTC)": (date(2026, 5, 10), CaseState.MET_REVIEW, True),
    "due today in London": (date(2026, 5, 11), CaseState.MET_REVIEW, False),
    "due tomorrow": (date(2026, 5, 12), CaseState.MET_REVIEW, False),
    "no review date": (None, CaseState.MET_REVIEW, False),
    "closed, long past its date": (date(2026, 1, 1), CaseState.CLOSED, False),
}


def test_review_overdue_in_sql_in_the_rule_and_on_the_case_page_agree(chair):
    made = {}
    for name, (review_on, state, _overdue) in REVIEW_EDGES.items():
        case = factories.case(state=state)
        case.next_review_on = review_on
        made[name] = case
    db.session.commit()

    today = date(2026, 5, 11)
    by_rule = {
        case.id
        for case in made.values()
        if risk_rules.review_overdue(case.next_review_on, case_open=case.is_open, today=today)
    }
    on_case_page = {case.id for case in made.values() if risk_assessments.summary_of(case).overdue}
    expected = {name for name, (_review_on, _state, overdue) in REVIEW_EDGES.items() if overdue}

    assert names_of(made, filtered(chair, review_overdue=True)) == expected
    assert names_of(made, alerted(chair, "review_overdue")) == expected
    assert names_of(made, by_rule) == expected
    assert names_of(made, on_case_page) == expected
