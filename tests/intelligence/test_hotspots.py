"""Hotspots (intelligence/hotspots.py): places ranked by the children and items linked to
them in a period, what is new since the last meeting, for reviewers only; with three
children, two persons and two places, including a C-coded link."""

from datetime import UTC, date, datetime

import pytest

from mettrack.core.choices import LocationType, Role
from mettrack.core.clock import set_now
from mettrack.core.errors import NotAllowed, ValidationError
from mettrack.core.extensions import db
from mettrack.intelligence import hotspots
from mettrack.intelligence.models import CaseSubjectLink
from tests import factories
from tests.intelligence import factories as intel
from tests.intelligence.cases_world import audit_rows, detail_of, make_world
from tests.meetings import factories as meeting_factories

LONG_AGO = datetime(2025, 6, 1, 9, tzinfo=UTC)
BEFORE_MEETING = datetime(2026, 2, 20, 9, tzinfo=UTC)
LAST_MEETING = datetime(2026, 2, 24, 10, tzinfo=UTC)
AFTER_MEETING = datetime(2026, 3, 2, 9, tzinfo=UTC)
NOW = datetime(2026, 3, 9, 12, tzinfo=UTC)


def _world():
    set_now(BEFORE_MEETING)
    w = make_world()
    meeting_factories.meeting(chair=w["chair"], starts_at=LAST_MEETING)
    partner = w["partner"]
    # The hotel: a's case directly (before the meeting), a P item on a and b (after), a C
    # item on c (after). The park: c's case directly (after), and an old item outside the period.
    intel.item(
        partner,
        handling="P",
        cases=[w["a"], w["b"]],
        locations=[w["hotel"]],
        persons=[w["dale"]],
        linked_at=AFTER_MEETING,
    )
    intel.item(
        partner,
        handling="C",
        cases=[w["c"]],
        locations=[w["hotel"]],
        persons=[w["kyle"]],
        linked_at=AFTER_MEETING,
    )
    intel.item(partner, handling="P", cases=[w["a"]], locations=[w["park"]], linked_at=LONG_AGO)
    set_now(BEFORE_MEETING)
    intel.location(partner, name="Quay Hotel", location_type=LocationType.HOTEL)  # nothing linked
    db.session.add_all(
        [
            CaseSubjectLink(
                case_id=w["a"].id,
                location_id=w["hotel"].id,
                reliability="likely",
                created_by_id=w["chair"].id,
                created_at=BEFORE_MEETING,
            ),
            CaseSubjectLink(
                case_id=w["c"].id,
                location_id=w["park"].id,
                reliability="possible",
                created_by_id=w["chair"].id,
                created_at=AFTER_MEETING,
            ),
        ]
    )
    db.session.commit()
    set_now(NOW)
    return w


@pytest.fixture
def w(app):
    with app.test_request_context():
        yield _world()
        set_now(None)


def test_places_ranked_by_children_then_items_with_what_is_new(w):
    found = hotspots.ranking(w["chair"])
    assert found.period == hotspots.Period(date(2025, 12, 10), date(2026, 3, 9))
    assert found.since == LAST_MEETING
    rows = [(r.name, r.children, r.items, r.new_children, r.new_items) for r in found.rows]
    assert rows == [("Harbour View Hotel", 3, 2, 3, 2), ("Old Mill Park", 1, 0, 1, 0)]
    (row,) = audit_rows("hotspots.viewed")
    assert detail_of(row)["location_ids"] == [w["hotel"].id, w["park"].id]
    assert detail_of(row)["from"] == "2025-12-10" and "Harbour" not in row.detail


def test_a_longer_period_counts_the_old_item(w):
    found = hotspots.ranking(w["chair"], hotspots.parse_period({"from": "2025-01-01", "to": "2026-03-09"}))
    park = next(r for r in found.rows if r.name == "Old Mill Park")
    assert (park.children, park.items) == (2, 1)


def test_counting_follows_handling_for_someone_outside_it(w):
    counts = {row[0]: row[1:3] for row in hotspots.counts(w["lead"], hotspots.default_period(), LAST_MEETING)}
    assert counts[w["hotel"].id] == (2, 1)  # the C item and the child only it links are left out


def test_a_police_reviewer_may_see_them_and_others_may_not(w):
    assert hotspots.ranking(w["officer"]).rows
    for user in (w["lead"], w["partner"], factories.user(roles=[Role.ANALYST])):
        with pytest.raises(NotAllowed):
            hotspots.ranking(user)


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"from": "yesterday"}, "from"),
        ({"to": "2026-02-30"}, "to"),
        ({"from": "2026-03-09", "to": "2026-03-01"}, "from"),
        ({"from": "2000-01-01", "to": "2026-01-01"}, "from"),
        ({"from-day": "31", "from-month": "2", "from-year": "2026"}, "from"),
    ],
)
def test_a_bad_period_names_the_field(w, args, field):
    with pytest.raises(ValidationError) as e:
        hotspots.parse_period(args)
    assert field in e.value.errors


def test_no_meeting_yet_means_no_new_counts(app):
    with app.test_request_context():
        set_now(NOW)
        chair = factories.user(roles=[Role.MET_CHAIR])
        found = hotspots.ranking(chair)
        assert found.since is None and found.rows == []
        set_now(None)


def test_the_page(app, client, auth):
    with app.test_request_context():
        w = _world()
        chair, lead = w["chair"].email, w["lead"].email
    try:
        auth.login(chair)
        page = client.get("/intelligence/hotspots/")
        text = page.get_data(as_text=True)
        assert page.status_code == 200 and text.index("Harbour View Hotel") < text.index("Old Mill Park")
        assert "Quay Hotel" not in text
        bad = client.get("/intelligence/hotspots/?from-day=40&from-month=1&from-year=2026")
        assert bad.status_code == 400 and "From must be a real date" in bad.get_data(as_text=True)
        auth.logout()
        auth.login(lead)
        assert client.get("/intelligence/hotspots/").status_code == 403
    finally:
        set_now(None)


def test_the_api(app, client):
    from mettrack.accounts import tokens

    with app.test_request_context():
        w = _world()
        token = {who: tokens.create_token(w[who], name="t")[1] for who in ("chair", "officer", "lead")}

    def get(who, query=""):
        return client.get(f"/api/v1/hotspots{query}", headers={"Authorization": f"Bearer {token[who]}"})

    try:
        body = get("officer").get_json()
        assert [i["name"] for i in body["items"]] == ["Harbour View Hotel", "Old Mill Park"]
        assert body["from"] == "2025-12-10" and body["items"][0]["new_children"] == 3
        assert get("lead").status_code == 403
        unknown = get("chair", "?colour=red")
        assert unknown.status_code == 422 and "colour" in unknown.get_json()["errors"]
        bad = get("chair", "?from=soon")
        assert bad.status_code == 422 and "from" in bad.get_json()["errors"]
    finally:
        set_now(None)
