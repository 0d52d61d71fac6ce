"""The case list through services.cases: filters, name search, sort, pages, audit, SQL."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, select

from mettrack.accounts.models import User
from mettrack.cases import queries as cases
from mettrack.cases.models import CaseTag
from mettrack.cases.queries import CaseFilters
from mettrack.children.models import Child
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import CaseState, CaseTagKind, Role
from mettrack.core.clock import set_now
from mettrack.core.errors import ValidationError
from mettrack.core.extensions import db
from mettrack.core.permissions import NotFound
from mettrack.missing import rules as missing_rules
from mettrack.missing.models import MissingEpisode
from mettrack.reference import data as reference_data
from tests import factories

# 23:30 UTC on 10 May is 00:30 on 11 May in London (BST): "today" there is the 11th.
NOW = datetime(2026, 5, 10, 23, 30, tzinfo=UTC)


@pytest.fixture
def chair(app_ctx):
    set_now(NOW)
    reference_data.seed_defaults()
    db.session.commit()
    return factories.user(roles=[Role.MET_CHAIR])


def make_case(
    *,
    lead=None,
    members=(),
    state=CaseState.MET_REVIEW,
    risk=None,
    tier=None,
    review=None,
    tags=(),
    first_name="Testchild",
    last_name=None,
    aliases=None,
):
    child = factories.child(first_name=first_name, **({"last_name": last_name} if last_name else {}))
    child.aliases = aliases
    case = factories.case(lead=lead, members=members, state=state, child_obj=child)
    case.risk_level, case.police_tier, case.next_review_on = risk, tier, review
    held = {(tag.kind, tag.value) for tag in case.tags}  # a referred case has the factory's CSE
    for kind, value in tags:
        if (kind.value, value) not in held:
            db.session.add(CaseTag(case_id=case.id, kind=kind.value, value=value))
    db.session.commit()
    return case


def episode(case, went_missing_at, returned_at=None, rhi_status=None):
    row = MissingEpisode(
        case_id=case.id,
        went_missing_at=went_missing_at,
        returned_at=returned_at,
        rhi_status=rhi_status,
        recorded_by_id=case.lead_professional_id or 1,
    )
    db.session.add(row)
    db.session.commit()
    return row


def ids(user, **filters) -> set[int]:
    return {c.id for c in cases.list_for(user, CaseFilters(**filters), per_page=100).items}


# --- each filter


def test_state_filter_takes_several_states(chair):
    referred = make_case(state=CaseState.REFERRED)
    review = make_case(state=CaseState.MET_REVIEW)
    make_case(state=CaseState.CLOSED)
    assert ids(chair, states=("referred", "met_review")) == {referred.id, review.id}
    assert ids(chair, states=("met_review",)) == {review.id}


def test_risk_level_filter(chair):
    high = make_case(risk="high")
    make_case(risk="low")
    make_case(risk=None)
    assert ids(chair, risk_levels=("high",)) == {high.id}


def test_exploitation_type_flag_and_place_of_harm_filters(chair):
    cse = make_case(tags=[(CaseTagKind.EXPLOITATION_TYPE, "cse"), (CaseTagKind.FLAG, "online")])
    both = make_case(
        tags=[
            (CaseTagKind.EXPLOITATION_TYPE, "cse"),
            (CaseTagKind.EXPLOITATION_TYPE, "cce"),
            (CaseTagKind.FLAG, "county_lines"),
            (CaseTagKind.HARM_LOCATION, "hotel"),
        ]
    )
    make_case(state=CaseState.SCREENED)  # from referral on a case has a type
    assert ids(chair, exploitation_types=("cse",)) == {cse.id, both.id}
    assert ids(chair, exploitation_types=("cce",)) == {both.id}
    assert ids(chair, flags=("county_lines", "trafficking")) == {both.id}
    assert ids(chair, harm_locations=("hotel",)) == {both.id}
    # A flag of one kind does not answer for another: "online" the flag is not the place.
    assert ids(chair, harm_locations=("online",)) == set()
    # Different filters all apply.
    assert ids(chair, exploitation_types=("cse",), flags=("online",)) == {cse.id}


def test_police_tier_filter(chair):
    high = make_case(state=CaseState.POLICE_TIERED, tier="high")
    make_case(state=CaseState.POLICE_TIERED, tier="medium")
    make_case()
    assert ids(chair, police_tiers=("high",)) == {high.id}


def test_lead_professional_filter_by_id_and_me(chair):
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    other = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    mine = make_case(lead=lead)
    make_case(lead=other)
    assert ids(chair, lead_professional_id=lead.id) == {mine.id}
    filters = cases.filters_from({"lead_professional": "me"}, lead)
    assert filters.lead_is_me and filters.lead_professional_id == lead.id
    assert {c.id for c in cases.list_for(lead, filters).items} == {mine.id}


def test_review_overdue_uses_the_date_in_london_and_open_cases_only(chair):
    yesterday_in_london = make_case(review=date(2026, 5, 10))  # still "today" in UTC
    make_case(review=date(2026, 5, 11))  # today in London: due, not overdue
    make_case(review=None)
    make_case(review=date(2026, 1, 1), state=CaseState.CLOSED)
    assert ids(chair, review_overdue=True) == {yesterday_in_london.id}


def test_rhi_overdue_open_episode_and_repeat_missing(chair):
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    overdue = make_case(lead=lead)
    episode(overdue, NOW - timedelta(days=5), returned_at=NOW - timedelta(hours=73))
    due = make_case(lead=lead)
    episode(due, NOW - timedelta(days=4), returned_at=NOW - timedelta(hours=71))
    offered = make_case(lead=lead)
    episode(offered, NOW - timedelta(days=5), returned_at=NOW - timedelta(hours=80), rhi_status="offered")
    missing_now = make_case(lead=lead)
    episode(missing_now, NOW - timedelta(hours=3))
    repeat = make_case(lead=lead)
    for days in (2, 30, 80):
        episode(
            repeat,
            NOW - timedelta(days=days),
            returned_at=NOW - timedelta(days=days) + timedelta(hours=5),
            rhi_status="declined",
        )
    not_repeat = make_case(lead=lead)
    for days in (2, 30, 100):  # the third is outside the 90 days
        episode(
            not_repeat,
            NOW - timedelta(days=days),
            returned_at=NOW - timedelta(days=days) + timedelta(hours=5),
            rhi_status="declined",
        )

    assert ids(chair, rhi_overdue=True) == {overdue.id}
    assert ids(chair, open_missing_episode=True) == {missing_now.id}
    assert ids(chair, repeat_missing=True) == {repeat.id}

    # The list's alerts say the same as the filters and the missing-episode rules.
    page = cases.list_for(chair, CaseFilters(), per_page=100)
    assert {i for i, a in page.alerts.items() if a.rhi_overdue} == {overdue.id}
    assert {i for i, a in page.alerts.items() if a.missing_now} == {missing_now.id}
    assert {i for i, a in page.alerts.items() if a.repeat_missing} == {repeat.id}
    for row in db.session.scalars(select(MissingEpisode)):
        facts = missing_rules.EpisodeFacts(row.went_missing_at, row.returned_at, row.rhi_status)
        if missing_rules.rhi_overdue(facts, NOW):
            assert page.alerts[row.case_id].rhi_overdue
        if missing_rules.is_open(facts):
            assert page.alerts[row.case_id].missing_now


# --- name search


def test_search_matches_first_last_name_and_alias_in_part_and_any_case(chair):
    sam = make_case(first_name="Samira", last_name="Okonkwo-Hale", aliases="Sammy B\nLil S")
    make_case(first_name="Jordan", last_name="Example")
    assert ids(chair, search="samira") == {sam.id}
    assert ids(chair, search="OKONKWO") == {sam.id}
    assert ids(chair, search="sAMMY b") == {sam.id}  # an alias, letters in swapped case
    assert ids(chair, search="hale sam") == {sam.id}  # last name first: each word matches
    assert ids(chair, search="konk") == {sam.id}  # part of a name
    assert ids(chair, search="samira example") == set()  # every word must match
    assert ids(chair, search="%") == set()  # LIKE wildcards are plain text


def test_search_stays_within_need_to_know(chair):
    partner = factories.user(roles=[Role.PARTNER])
    mine = make_case(first_name="Ottilie", members=[partner])
    make_case(first_name="Ottilie")
    assert {c.id for c in cases.list_for(partner, CaseFilters(search="ottilie")).items} == {mine.id}


# --- pages and sort


def test_pages_and_their_bounds(chair):
    made = [make_case().id for _ in range(5)]
    page = cases.list_for(chair, CaseFilters(), page=2, per_page=2)
    assert [c.id for c in page.items] == sorted(made, reverse=True)[2:4]
    assert (page.total, page.pages) == (5, 3)
    assert cases.list_for(chair, CaseFilters(), page=9, per_page=2).items == []
    for kwargs, field in (
        ({"per_page": 101}, "per_page"),
        ({"per_page": 0}, "per_page"),
        ({"page": 0}, "page"),
    ):
        with pytest.raises(ValidationError) as e:
            cases.list_for(chair, CaseFilters(), **kwargs)
        assert set(e.value.errors) == {field}
    assert len(cases.list_for(chair, CaseFilters(), per_page=100).items) == 5


def test_sort_by_next_review_and_by_risk(chair):
    later = make_case(review=date(2026, 6, 1), risk="low")
    sooner = make_case(review=date(2026, 5, 20), risk="medium")
    none = make_case(review=None, risk="high")
    unset = make_case(review=date(2026, 5, 25), risk=None)
    by_review = cases.list_for(chair, CaseFilters(sort="next_review")).items
    assert [c.id for c in by_review] == [sooner.id, unset.id, later.id, none.id]
    by_risk = cases.list_for(chair, CaseFilters(sort="risk")).items
    assert [c.id for c in by_risk] == [none.id, sooner.id, later.id, unset.id]


# --- parsing


def test_parse_names_each_bad_field_and_keeps_the_good_ones(chair):
    filters, errors = cases.parse_filters(
        {
            "state": ["met_review", "lost"],
            "risk_level": "high",
            "police_tier": "no-such-tier",
            "lead_professional": "abc",
            "review_overdue": "maybe",
            "sort": "name",
        },
        chair,
    )
    assert set(errors) == {"state", "police_tier", "lead_professional", "review_overdue", "sort"}
    assert "met_review" in errors["state"] and "high" in errors["police_tier"]
    assert filters.risk_levels == ("high",) and filters.states == ()
    with pytest.raises(ValidationError) as e:
        cases.filters_from({"flag": "unknown"})
    assert set(e.value.errors) == {"flag"}


def test_parse_reads_booleans_lists_and_a_search(chair):
    filters = cases.filters_from(
        {"rhi_overdue": "true", "repeat_missing": True, "flag": ["online", "online"], "q": "  Sam   Ex "}
    )
    assert filters.rhi_overdue and filters.repeat_missing and filters.flags == ("online",)
    assert filters.search == "Sam Ex"
    assert cases.parse_filters({"q": "Sam"}, search=False)[0].search is None
    with pytest.raises(ValidationError) as e:
        cases.filters_from({"q": "x" * 101})
    assert set(e.value.errors) == {"q"}


def test_query_args_never_carry_the_search(chair):
    filters = CaseFilters(states=("referred",), lead_professional_id=7, lead_is_me=True, search="Sam")
    assert filters.query_args() == {"state": ["referred"], "lead_professional": "me"}
    assert filters.without("state", "referred").query_args() == {"lead_professional": "me"}


# --- audit and SQL


def test_one_audit_row_names_the_query_and_ids_but_not_the_name(chair):
    shown = make_case(first_name="Wilhelmina", tags=[(CaseTagKind.EXPLOITATION_TYPE, "cce")])
    make_case(first_name="Wilhelmina")
    before = db.session.scalar(select(db.func.count()).select_from(AuditEvent))
    cases.list_for(chair, CaseFilters(exploitation_types=("cce",), search="wilhel", sort="risk"), per_page=10)
    rows = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "case.listed")))
    assert db.session.scalar(select(db.func.count()).select_from(AuditEvent)) == before + 1
    assert len(rows) == 1
    detail = json.loads(rows[0].detail)
    assert detail == {
        "query": {
            "exploitation_type": ["cce"],
            "name_search": True,
            "sort": "risk",
            "page": 1,
            "per_page": 10,
        },
        "ids": [shown.id],
    }
    assert "ilhel" not in rows[0].detail.lower()


def _count_queries(function) -> int:
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        function()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_the_number_of_queries_does_not_grow_with_the_page(chair):
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    member = factories.user(roles=[Role.PARTNER])

    lead_id, member_id = lead.id, member.id

    def add(n):
        lead, member = db.session.get(User, lead_id), db.session.get(User, member_id)
        for _ in range(n):
            case = make_case(lead=lead, members=[member], tags=[(CaseTagKind.EXPLOITATION_TYPE, "cse")])
            episode(case, NOW - timedelta(days=1))

    chair_id = chair.id

    def list_page():
        db.session.expunge_all()  # nothing already loaded: every read is counted
        user = db.session.get(User, chair_id)
        page = cases.list_for(user, CaseFilters(exploitation_types=("cse",), open_missing_episode=True))
        for case in page.items:  # what the page and the API read of each case
            _ = (case.child.display_name, case.lead_professional.name, [t.value for t in case.tags])
            _ = [(m.user.name, m.user.agency.name) for m in case.team]
            _ = cases.alerts_of(case)

    add(2)
    few = _count_queries(list_page)
    add(20)
    many = _count_queries(list_page)
    assert few == many


def test_alerts_of_a_single_case_work_without_a_list(chair):
    case = make_case()
    episode(case, NOW - timedelta(hours=2))
    fresh = cases.get_for(chair, case.id)
    db.session.expire_all()
    assert cases.alerts_of(fresh).missing_now


def test_get_child_for_uses_the_child_scope(chair):
    creator = factories.user(roles=[Role.PARTNER])
    other = factories.user(roles=[Role.PARTNER])
    child = factories.child()
    child.created_by_id = creator.id  # no case yet: only whoever recorded them sees them
    db.session.commit()
    assert cases.get_child_for(creator, child.id).id == child.id
    with pytest.raises(NotFound):
        cases.get_child_for(other, child.id)
    assert db.session.get(Child, child.id) is not None
