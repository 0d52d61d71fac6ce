"""The actions pages: /actions, /actions/<id> and its forms, /meetings/<id>/actions."""

from datetime import UTC, datetime

import pytest

from mettrack.core.choices import Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.language import seed_defaults
from tests import factories
from tests.conftest import post_form
from tests.meetings.action_helpers import make_world

NOW = datetime(2026, 3, 20, 12, tzinfo=UTC)


@pytest.fixture
def world(app):
    with app.app_context():
        set_now(NOW)
        seed_defaults()
        db.session.commit()
        return make_world()


@pytest.fixture
def sign_in(auth, world):
    def sign(who):
        response = auth.login(world["emails"][who])
        assert response.status_code == 302

    return sign


def _text(response):
    return response.get_data(as_text=True)


def test_my_actions_defaults_to_my_open_actions(client, world, sign_in):
    sign_in("owner")
    page = _text(client.get("/actions/"))
    assert "My open actions" in page
    assert f'id="action-{world["a"]}"' in page and f'id="action-{world["b"]}"' not in page
    assert "<table" not in page  # summary cards, readable on a phone
    everyone = _text(client.get("/actions/?owner=any"))
    assert f'id="action-{world["b"]}"' in everyone


def test_owner_without_case_access_sees_the_action_not_the_case(client, world, sign_in):
    sign_in("owner")
    for path in ("/actions/?owner=any", f"/actions/{world['a']}", f"/meetings/{world['meeting']}/actions"):
        page = _text(client.get(path))
        assert "Arrange a strategy meeting" in page
        assert "a case you do not have access to" in page
        assert world["child_first"] not in page and world["child_last"] not in page
        assert f"/cases/{world['case']}" not in page


def test_chair_sees_the_child_and_the_link(client, world, sign_in):
    sign_in("chair")
    page = _text(client.get(f"/actions/{world['a']}"))
    assert world["child_last"] in page and f"/cases/{world['case']}" in page


def test_detail_shows_the_history(client, world, sign_in):
    sign_in("owner")
    page = _text(client.get(f"/actions/{world['a']}"))
    assert "Raised</strong> at MET operational group" in page
    assert "Carried forward</strong> to MET April" in page


def test_owner_marks_done_and_the_history_shows_it(client, world, sign_in):
    sign_in("owner")
    response = post_form(client, f"/actions/{world['a']}/done", {"version": "1", "note": "Held on 19 March."})
    assert response.status_code == 302
    page = _text(client.get(f"/actions/{world['a']}"))
    assert "Marked done" in page and "Held on 19 March." in page
    assert "Mark it done" not in page  # closed: no form


def test_not_done_without_a_reason_names_the_field(client, world, sign_in):
    sign_in("owner")
    response = post_form(client, f"/actions/{world['a']}/not-done", {"version": "1"})
    assert response.status_code == 400
    assert "Choose why the action was not done" in _text(response)


def test_a_stale_version_is_refused_with_nothing_saved(client, world, sign_in):
    sign_in("owner")
    assert (
        post_form(client, f"/actions/{world['a']}/notes", {"version": "1", "note": "Rang them."}).status_code
        == 302
    )
    response = post_form(client, f"/actions/{world['a']}/done", {"version": "1"})
    assert response.status_code == 409
    assert "Nothing was saved" in _text(response)


def test_flagged_wording_is_shown_then_saved_anyway(client, world, sign_in):
    sign_in("owner")
    text = {"version": "1", "note": "She keeps putting herself at risk."}
    response = post_form(client, f"/actions/{world['a']}/notes", text)
    assert response.status_code == 400 and "Check the wording" in _text(response)
    response = post_form(client, f"/actions/{world['a']}/notes", {**text, "save_anyway": "yes"})
    assert response.status_code == 302
    assert "putting herself at risk" in _text(client.get(f"/actions/{world['a']}"))


def test_a_member_who_does_not_own_it_may_not_update_it(client, world, sign_in):
    sign_in("member")
    page = _text(client.get(f"/actions/{world['a']}"))
    assert "Mark it done" not in page
    assert post_form(client, f"/actions/{world['a']}/done", {"version": "1"}).status_code == 403


def test_chair_reassigns(client, world, sign_in):
    sign_in("chair")
    member = world["users"]["member"]
    response = post_form(
        client, f"/actions/{world['a']}/reassign", {"version": "1", "owner": str(member.id), "due_on": ""}
    )
    assert response.status_code == 302
    assert "Owner changed to" in _text(client.get(f"/actions/{world['a']}"))


def test_non_members_and_roles_without_meeting_view(client, world, sign_in):
    sign_in("outsider")
    assert client.get(f"/actions/{world['a']}").status_code == 404
    assert client.get(f"/meetings/{world['meeting']}/actions").status_code == 404
    assert f'id="action-{world["a"]}"' not in _text(client.get("/actions/?owner=any"))


def test_meeting_tab_lists_raised_and_carried_forward(client, world, sign_in):
    sign_in("member")
    first = _text(client.get(f"/meetings/{world['meeting']}/actions"))
    assert f'id="action-{world["a"]}"' in first and f'id="action-{world["b"]}"' in first
    later = _text(client.get(f"/meetings/{world['later']}/actions"))
    assert "No actions were raised at this meeting." in later
    assert f'id="action-{world["a"]}"' in later


def test_my_actions_link_in_the_header(app, client, auth):
    with app.app_context():
        partner = factories.user(roles=[Role.PARTNER]).email
        analyst = factories.user(roles=[Role.ANALYST]).email
    auth.login(partner)
    assert "My actions" in _text(client.get("/"))
    auth.logout()
    auth.login(analyst)
    assert "My actions" not in _text(client.get("/"))


def test_bad_filters_name_the_field(client, world, sign_in):
    sign_in("owner")
    response = client.get("/actions/?due_before=tomorrow&status=finished")
    assert response.status_code == 400
    page = _text(response)
    assert "Due before" in page and "Choose each status" in page
