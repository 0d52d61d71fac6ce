"""The draft agenda's pages, the lead's update and closure forms, the draft agenda API and
`flask meetings agenda` (what a chair, a lead and a member see and do)."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from mettrack.core.choices import Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.language import seed_defaults as seed_phrases
from mettrack.meetings.models import AgendaItem, ClosureProposal, LeadUpdate
from tests import factories
from tests.conftest import post_form
from tests.meetings import factories as meeting_factories

NOW = datetime(2026, 3, 9, 12, tzinfo=UTC)


@pytest.fixture
def world(app):
    with app.app_context():
        set_now(NOW)
        seed_phrases()
        db.session.commit()
        chair = factories.user(roles=[Role.MET_CHAIR])
        lead = factories.user(roles=[Role.LEAD_PROFESSIONAL], agency="Testtown Council")
        partner = factories.user(roles=[Role.PARTNER])
        kid = factories.child(first_name="Zebedee", last_name="Quartermain")
        case = factories.case_in_state("met_review", lead=lead, child_obj=kid)
        case.risk_level = "high"
        other = factories.case_in_state("met_review", lead=lead)
        db.session.commit()
        meeting = meeting_factories.meeting(chair=chair, members=[partner, lead])
        return {
            "chair": chair.email,
            "lead": lead.email,
            "partner": partner.email,
            "case": case.id,
            "other": other.id,
            "meeting": meeting.id,
        }


def _items(app, meeting_id):
    with app.app_context():
        return {
            i.case_id: i.id
            for i in db.session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == meeting_id))
        }


def test_the_chair_builds_and_edits_the_draft(client, app, auth, world):
    auth.login(world["chair"])
    path = f"/meetings/{world['meeting']}/agenda"
    page = client.get(path).get_data(as_text=True)
    assert "Not built yet" in page and "Build the agenda" in page
    assert post_form(client, path + "/build", page=path).status_code == 302
    page = client.get(path).get_data(as_text=True)
    assert "Zebedee Quartermain" in page and "New referrals since the last meeting (2)" in page
    assert "Referred on 9 March</strong>; high risk; new risk assessment on 9 March" in page
    assert "Rebuild from the data" in page
    items = _items(app, world["meeting"])
    item = items[world["case"]]

    refused = post_form(client, f"{path}/items/{item}/remove", {"reason": " "}, page=path)
    assert refused.status_code == 400 and "Enter why this child is taken off the agenda" in refused.get_data(
        as_text=True
    )
    assert (
        post_form(
            client, f"{path}/items/{item}/remove", {"reason": "Seen at strategy"}, page=path
        ).status_code
        == 302
    )
    page = client.get(path).get_data(as_text=True)
    assert "Taken off the agenda (1)" in page and "Seen at strategy" in page
    assert post_form(client, f"{path}/items/{item}/restore", page=path).status_code == 302
    assert "Taken off the agenda" not in client.get(path).get_data(as_text=True)

    bad = post_form(client, path + "/add", {"case_id": "abc"}, page=path)
    assert bad.status_code == 400 and "Enter the case" in bad.get_data(as_text=True)
    assert post_form(client, path + "/add", {"case_id": "999999"}, page=path).status_code == 404
    assert post_form(client, f"{path}/items/{item}/move", {"direction": "down"}, page=path).status_code == 302
    assert post_form(client, f"{path}/items/{item}/move", {"position": "x"}, page=path).status_code == 400


def test_a_member_who_is_not_a_chair_sees_no_draft(client, app, auth, world):
    with app.app_context():
        from mettrack.meetings import build_agenda

        chair = db.session.scalar(select(factories.User).where(factories.User.email == world["chair"]))
        build_agenda(chair, world["meeting"])
    auth.login(world["partner"])
    response = client.get(f"/meetings/{world['meeting']}/agenda")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "once it is issued" in page
    assert "Quartermain" not in page and f"/meetings/{world['meeting']}/agenda/versions" in page
    assert post_form(client, f"/meetings/{world['meeting']}/agenda/build").status_code == 403


def test_the_lead_writes_an_update_through_the_language_check(client, app, auth, world):
    with app.app_context():
        from mettrack.meetings import build_agenda

        chair = db.session.scalar(select(factories.User).where(factories.User.email == world["chair"]))
        build_agenda(chair, world["meeting"])
    item = _items(app, world["meeting"])[world["case"]]
    auth.login(world["lead"])
    path = f"/meetings/{world['meeting']}/agenda/items/{item}/update"
    assert "Your update for the meeting" in client.get(path).get_data(as_text=True)
    flagged = post_form(client, path, {"text": "She keeps putting herself at risk"}, page=path)
    assert flagged.status_code == 400 and "Check the wording" in flagged.get_data(as_text=True)
    saved = post_form(
        client, path, {"text": "She keeps putting herself at risk", "save_anyway": "yes"}, page=path
    )
    assert saved.status_code == 302
    assert post_form(client, path, {"text": "Back at school full time."}, page=path).status_code == 302
    with app.app_context():
        assert db.session.scalars(select(LeadUpdate.text)).all() == ["Back at school full time."]
    auth.logout()
    auth.login(world["chair"])
    assert "Back at school full time." in client.get(f"/meetings/{world['meeting']}/agenda").get_data(
        as_text=True
    )


def test_the_lead_proposes_and_withdraws_a_closure(client, app, auth, world):
    auth.login(world["lead"])
    path = f"/cases/{world['case']}/closure-proposal"
    assert "Propose closure to the MET meeting" in client.get(path).get_data(as_text=True)
    assert post_form(client, path, {"reason": ""}, page=path).status_code == 400
    assert post_form(client, path, {"reason": "Safe and settled"}, page=path).status_code == 302
    page = client.get(path).get_data(as_text=True)
    assert "Safe and settled" in page and "Withdraw the proposal" in page
    assert post_form(client, path + "/withdraw", page=path).status_code == 302
    with app.app_context():
        (proposal,) = db.session.scalars(select(ClosureProposal)).all()
        assert proposal.withdrawn


def _bearer(app, role) -> dict:
    from mettrack.accounts import create_token

    with app.app_context():
        user = factories.user(roles=[role])
        _token, secret = create_token(user, name="test")
    return {"Authorization": f"Bearer {secret}"}


def test_the_draft_agenda_api(client, app, world):
    chair, lead = _bearer(app, Role.MET_CHAIR), _bearer(app, Role.LEAD_PROFESSIONAL)
    path = f"/api/v1/meetings/{world['meeting']}/agenda/draft"
    assert client.get(path, headers=lead).status_code == 403
    assert client.post(path, headers=chair).status_code == 200
    body = client.get(path, headers=chair).get_json()
    (section,) = [s for s in body["sections"] if s["section"] == "new_referrals"]
    item = next(i for i in section["items"] if i["case_id"] == world["case"])
    assert [r["text"] for r in item["reasons"]][:2] == ["referred on 9 March", "high risk"]
    assert item["card"]["name"] == "Zebedee Quartermain" and body["built_at"]
    assert client.get("/api/v1/meetings/999999/agenda/draft", headers=chair).status_code == 404
    spec = client.get("/api/v1/openapi.json", headers=chair).get_json()
    assert "/api/v1/meetings/{meeting_id}/agenda/draft" in spec["paths"]


def test_the_command_line_prints_the_draft(app, runner, world):
    result = runner.invoke(args=["meetings", "agenda", "--meeting", str(world["meeting"])])
    assert result.exit_code == 0, result.output
    assert f"new_referrals\t{world['case']}\treferred on 9 March; high risk" in result.stdout
    assert "built now from the data, not saved" in result.stderr
    assert "Quartermain" not in result.output
    with app.app_context():
        assert db.session.scalar(select(AgendaItem.id).limit(1)) is None
    saved = runner.invoke(args=["meetings", "agenda", "--meeting", str(world["meeting"]), "--saved"])
    assert saved.exit_code == 0 and "as last saved: 0 items" in saved.stderr
    for bad in ("999999", "abc"):
        result = runner.invoke(args=["meetings", "agenda", "--meeting", bad])
        assert result.exit_code == 1 and "There is no meeting" in result.stderr
    assert "not yet contract" in " ".join(runner.invoke(args=["meetings", "agenda", "--help"]).output.split())
