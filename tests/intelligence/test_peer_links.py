"""Peer links between children's cases (intelligence/peers.py): who adds and removes them,
bad input naming the field with nothing saved, shown only to those who see both cases,
audited with both case ids; the pages and the API."""

import pytest
from sqlalchemy import func, select

from mettrack.core.choices import Role
from mettrack.core.errors import NotAllowed, NotFound, ValidationError
from mettrack.core.extensions import db
from mettrack.intelligence import peers
from mettrack.intelligence.models import PeerLink
from tests import factories
from tests.conftest import post_form
from tests.intelligence import factories as intel
from tests.intelligence.cases_world import audit_rows, detail_of, make_world

GOOD = {"kind": "sibling", "reliability": "confirmed", "note": "Same household"}


@pytest.fixture
def w(app_ctx):
    return make_world()


def _count() -> int:
    return db.session.scalar(select(func.count(PeerLink.id)))


def test_the_lead_of_both_links_them_stored_once_and_shown_on_both(w):
    view = peers.add(w["lead"], w["b"].id, {**GOOD, "other_case_id": w["a"].id})
    link = db.session.get(PeerLink, view.id)
    assert (link.case_id, link.other_case_id) == tuple(sorted([w["a"].id, w["b"].id]))
    assert view.case_id == w["b"].id and view.other_case_id == w["a"].id
    assert view.other_child_name == w["a"].child.display_name and view.kind_label == "Sibling"
    on_a = peers.list_for(w["lead"], w["a"].id)
    assert [v.other_case_id for v in on_a] == [w["b"].id]
    (row,) = audit_rows("peer_link.added")
    assert detail_of(row) == {
        "case_id": link.case_id,
        "other_case_id": link.other_case_id,
        "kind": "sibling",
        "reliability": "confirmed",
    }
    assert "Same household" not in row.detail


def test_a_viewer_who_sees_one_case_sees_nothing_of_the_link(w):
    intel.peer_link(w["chair"], w["a"], w["c"])
    assert [v.other_case_id for v in peers.list_for(w["chair"], w["a"].id)] == [w["c"].id]
    assert peers.list_for(w["lead"], w["a"].id) == []
    assert peers.list_for(w["other_lead"], w["c"].id) == []
    assert peers.visible_links(w["lead"], [w["a"].id, w["c"].id]) == {}


def test_a_reviewer_links_cases_they_see_a_lead_of_neither_is_refused(w):
    peers.add(w["chair"], w["a"].id, {**GOOD, "other_case_id": w["c"].id})
    member = factories.user(roles=[Role.PARTNER])
    with pytest.raises(NotFound):  # not on either team: the case is out of reach
        peers.add(member, w["a"].id, {**GOOD, "other_case_id": w["b"].id})
    assert _count() == 1


def test_a_lead_who_cannot_see_the_other_case_gets_a_message_naming_the_field(w):
    with pytest.raises(ValidationError) as e:
        peers.add(w["lead"], w["a"].id, {**GOOD, "other_case_id": w["c"].id})
    assert "other_case_id" in e.value.errors
    assert audit_rows("peer_link.added.denied")[0].record_id == str(w["c"].id)
    with pytest.raises(NotFound):
        peers.add(w["lead"], w["c"].id, {**GOOD, "other_case_id": w["a"].id})
    assert _count() == 0


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"other_case_id": "999999"}, "other_case_id"),
        ({"other_case_id": "abc"}, "other_case_id"),
        ({"other_case_id": None}, "other_case_id"),
        ({"kind": "cousin"}, "kind"),
        ({"reliability": "certain"}, "reliability"),
        ({"note": "x" * 501}, "note"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(w, data, field):
    body = {**GOOD, "other_case_id": w["b"].id, **data}
    with pytest.raises(ValidationError) as e:
        peers.add(w["lead"], w["a"].id, body)
    assert field in e.value.errors
    assert _count() == 0


def test_linking_a_case_to_itself_or_twice_is_refused(w):
    with pytest.raises(ValidationError) as e:
        peers.add(w["lead"], w["a"].id, {**GOOD, "other_case_id": w["a"].id})
    assert "itself" in e.value.errors["other_case_id"]
    peers.add(w["lead"], w["a"].id, {**GOOD, "other_case_id": w["b"].id})
    with pytest.raises(ValidationError) as e:
        peers.add(w["lead"], w["b"].id, {**GOOD, "other_case_id": w["a"].id})
    assert "already linked" in e.value.errors["kind"]
    peers.add(w["lead"], w["b"].id, {**GOOD, "kind": "friend", "other_case_id": w["a"].id})
    assert _count() == 2


def test_remove_by_the_lead_audited_with_both_ids_and_refusals(w):
    link = intel.peer_link(w["chair"], w["a"], w["b"])
    cross = intel.peer_link(w["chair"], w["a"], w["c"])
    partner = factories.user(roles=[Role.PARTNER])
    with pytest.raises(NotFound):  # the other case is out of the lead's reach
        peers.remove(w["lead"], w["a"].id, cross.id)
    with pytest.raises(NotFound):  # not a link of this case
        peers.remove(w["lead"], w["b"].id, cross.id)
    with pytest.raises(NotFound):
        peers.remove(partner, w["a"].id, link.id)
    peers.remove(w["lead"], w["b"].id, link.id)
    assert db.session.get(PeerLink, link.id) is None
    (row,) = audit_rows("peer_link.removed")
    assert detail_of(row)["case_id"] == w["a"].id and detail_of(row)["other_case_id"] == w["b"].id


def test_a_team_member_who_is_not_the_lead_may_not_change_links(w):
    member = factories.user(roles=[Role.PARTNER])
    from mettrack.cases.models import CaseTeamMember

    for case in (w["a"], w["b"]):
        db.session.add(CaseTeamMember(case_id=case.id, user_id=member.id, team_role="member"))
    db.session.commit()
    with pytest.raises(NotAllowed):
        peers.add(member, w["a"].id, {**GOOD, "other_case_id": w["b"].id})
    link = intel.peer_link(w["chair"], w["a"], w["b"])
    with pytest.raises(NotAllowed):
        peers.remove(member, w["a"].id, link.id)
    assert [v.id for v in peers.list_for(member, w["a"].id)] == [link.id]


def test_a_police_reviewer_links_cases_on_their_team(w):
    from mettrack.cases.models import CaseTeamMember

    for case in (w["a"], w["c"]):
        db.session.add(CaseTeamMember(case_id=case.id, user_id=w["officer"].id, team_role="member"))
    db.session.commit()
    view = peers.add(w["officer"], w["a"].id, {**GOOD, "other_case_id": w["c"].id})
    assert view.other_case_id == w["c"].id


def test_the_pages_add_and_remove(app, client, auth):
    with app.app_context():
        w = make_world()
        a, b, email = w["a"].id, w["b"].id, w["lead"].email
    auth.login(email)
    form = client.get(f"/cases/{a}/peer-links/new")
    assert form.status_code == 200 and "Link another child" in form.get_data(as_text=True)
    bad = post_form(
        client,
        f"/cases/{a}/peer-links/new",
        {**GOOD, "other_case_id": str(a)},
        page=f"/cases/{a}/peer-links/new",
    )
    assert bad.status_code == 400 and "cannot be linked to itself" in bad.get_data(as_text=True)
    done = post_form(
        client,
        f"/cases/{a}/peer-links/new",
        {**GOOD, "other_case_id": str(b)},
        page=f"/cases/{a}/peer-links/new",
    )
    assert done.status_code == 302
    page = client.get(f"/cases/{b}").get_data(as_text=True)
    assert 'id="intelligence-peers"' in page and "Amberly" in page
    with app.app_context():
        link_id = db.session.scalar(select(PeerLink.id))
    removed = post_form(client, f"/cases/{b}/peer-links/{link_id}/remove", page=f"/cases/{b}")
    assert removed.status_code == 302
    with app.app_context():
        assert _count() == 0


@pytest.fixture
def api_world(app):
    from mettrack.accounts import tokens

    with app.app_context():
        w = make_world()
        ids = {k: v.id for k, v in w.items()}
        ids["tokens"] = {
            who: tokens.create_token(w[who], name="test")[1] for who in ("lead", "chair", "other_lead")
        }
        return ids


def _call(client, ids, who, method, path, body=None):
    return client.open(
        path, method=method, headers={"Authorization": f"Bearer {ids['tokens'][who]}"}, json=body
    )


def test_the_api(client, api_world):
    ids = api_world
    path = f"/api/v1/cases/{ids['a']}/peer-links"
    made = _call(client, ids, "lead", "POST", path, {**GOOD, "other_case_id": ids["b"]})
    assert made.status_code == 201, made.get_json()
    link_id = made.get_json()["id"]
    listed = _call(client, ids, "lead", "GET", f"/api/v1/cases/{ids['b']}/peer-links").get_json()
    assert [item["other_case_id"] for item in listed] == [ids["a"]]
    unknown = _call(client, ids, "lead", "POST", path, {**GOOD, "other_case_id": ids["b"], "colour": 1})
    assert unknown.status_code == 422 and "colour" in unknown.get_json()["errors"]
    itself = _call(client, ids, "lead", "POST", path, {**GOOD, "other_case_id": ids["a"]})
    assert itself.status_code == 422 and "other_case_id" in itself.get_json()["errors"]
    twice = _call(client, ids, "lead", "POST", path, {**GOOD, "other_case_id": ids["b"]})
    assert twice.status_code == 422 and "kind" in twice.get_json()["errors"]
    assert _call(client, ids, "other_lead", "GET", path).status_code == 404
    assert _call(client, ids, "other_lead", "DELETE", f"{path}/{link_id}").status_code == 404
    assert _call(client, ids, "lead", "DELETE", f"{path}/{link_id}").status_code == 204
    assert _call(client, ids, "lead", "DELETE", f"{path}/{link_id}").status_code == 404
