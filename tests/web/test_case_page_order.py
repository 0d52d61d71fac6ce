"""The case page in the order a practitioner reads it (issue 16): what is urgent at the
top, the next steps possible now, moves not yet possible with what is missing and no
form, the sections with what was recorded shown in full; and no dead ends around it."""

import html
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from mettrack.accounts.models import User
from mettrack.cases.models import Case, CaseEvent
from mettrack.children.models import Child
from mettrack.core.choices import CaseState, Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.missing.models import MissingEpisode
from mettrack.reference import data as reference_data
from mettrack.screening.models import Screening
from tests import factories
from tests.conftest import post_form

NOW = datetime(2026, 7, 10, 12, tzinfo=UTC)  # 13:00 in London


@pytest.fixture(autouse=True)
def _clock_and_lists(app_ctx):
    set_now(NOW)
    reference_data.seed_defaults()
    db.session.commit()


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _case(lead_id: int, state=CaseState.MET_REVIEW, types=(), **child) -> Case:
    child = {"date_of_birth": date(2011, 5, 1), "address": "1 Nowhere Lane, Demotown, ZZ99 1ZZ"} | child
    kid = factories.child(created_by_id=lead_id, **child)
    lead = db.session.get(User, lead_id)
    return factories.case(lead=lead, state=state, child_obj=kid, exploitation_types=types)


def _episode(case, went, returned=None, **fields) -> MissingEpisode:
    episode = MissingEpisode(
        case_id=case.id,
        went_missing_at=went,
        returned_at=returned,
        recorded_by_id=case.lead_professional_id,
        **fields,
    )
    db.session.add(episode)
    db.session.commit()
    return episode


def _position(page: str, marker: str) -> int:
    at = page.find(marker)
    assert at >= 0, f"{marker!r} not on the page"
    return at


def _buttons(page: str) -> list[str]:
    group = page[_position(page, 'id="next-steps"') :]
    group = group[: group.find("</div>")]
    return [
        html.unescape(b).strip() for b in re.findall(r'class="govuk-button[^"]*"[^>]*>([^<]+)</a>', group)
    ]


def test_the_summary_panel_comes_first_and_names_missing_now_and_an_overdue_interview(auth, client):
    lead_id = auth.as_role(Role.LEAD_PROFESSIONAL)
    case = _case(lead_id)
    _episode(case, NOW - timedelta(days=9), NOW - timedelta(days=8))  # returned, no interview: overdue
    _episode(case, NOW - timedelta(hours=3), police_reference="HC-2026-0412")  # missing now
    page = _text(client.get(f"/cases/{case.id}"))
    panel = _position(page, "Needs attention now")
    assert panel < _position(page, 'id="next-steps"') < _position(page, 'id="contents"')
    assert (
        _position(page, 'id="contents"') < _position(page, 'id="missing"') < _position(page, 'id="timeline"')
    )
    top = page[panel : _position(page, 'id="next-steps"')]
    assert "Missing now" in top and "Missing since 10 July 2026 10:00" in top and "HC-2026-0412" in top
    assert "Return Home Interview overdue" in top
    assert "Record the child's return" in top and "Record the Return Home Interview" in top
    # The contents list links to each section shown.
    for anchor in ("missing", "risk", "notes", "classification", "child", "screenings", "team", "timeline"):
        assert f'href="#{anchor}"' in page and f'id="{anchor}"' in page


def test_the_summary_names_an_overdue_review_repeat_missing_looked_after_and_the_nrm(auth, client):
    lead_id = auth.as_role(Role.LEAD_PROFESSIONAL)
    case = _case(lead_id, looked_after=True, looked_after_status="s20")
    case.next_review_on = date(2026, 7, 1)
    case.nrm_referred_on = date(2026, 6, 2)
    db.session.commit()
    for days in (60, 40, 20):
        _episode(case, NOW - timedelta(days=days), NOW - timedelta(days=days - 1), rhi_status="declined")
    page = _text(client.get(f"/cases/{case.id}"))
    top = page[_position(page, "Needs attention now") : _position(page, 'id="next-steps"')]
    assert "Review overdue" in top and "The risk review was due on 1 July 2026" in top
    assert "Repeat missing" in top
    assert "Looked after" in top and "section 20" in top
    assert "National Referral Mechanism referral was made on 2 June 2026" in top


def test_nothing_urgent_says_so(auth, client):
    lead_id = auth.as_role(Role.LEAD_PROFESSIONAL)
    case = _case(lead_id)
    page = _text(client.get(f"/cases/{case.id}"))
    assert 'id="nothing-urgent"' in page


def test_the_first_next_step_past_screening_is_a_possible_move_not_a_screening(auth, client):
    auth.as_role(Role.MET_CHAIR)
    chair_case = factories.case(state=CaseState.MET_REVIEW)
    buttons = _buttons(_text(client.get(f"/cases/{chair_case.id}")))
    assert buttons[0] == "Set the police tier"
    assert "Record a CSERQ4 screening" not in buttons


def test_a_lead_with_no_move_of_their_own_sees_whose_move_is_next(auth, client):
    lead_id = auth.as_role(Role.LEAD_PROFESSIONAL)
    case = _case(lead_id)
    page = _text(client.get(f"/cases/{case.id}"))
    assert "Record a CSERQ4 screening" not in _buttons(page)
    assert "Set the police tier: by the MET chair" in page
    assert "Record another CSERQ4 screening" in page  # a link further down, not a next step


def test_a_screened_case_offers_the_referral_first(auth, client):
    lead_id = auth.as_role(Role.LEAD_PROFESSIONAL)
    case = _case(lead_id, state=CaseState.SCREENED, types=("cse",))
    db.session.add(
        Screening(
            case_id=case.id,
            screened_on=date(2026, 7, 1),
            child_age=15,
            went_missing=True,
            older_partner="unknown",
            controlling_relationship=False,
            frequenting_areas=False,
            outcome="refer",
            screened_by_id=lead_id,
        )
    )
    db.session.commit()
    page = _text(client.get(f"/cases/{case.id}"))
    assert _buttons(page)[0] == "Refer to Children's Services"


def test_a_move_not_yet_possible_is_listed_with_what_is_missing_and_no_link_to_its_form(auth, client):
    lead_id = auth.as_role(Role.LEAD_PROFESSIONAL)
    case = _case(lead_id, state=CaseState.REFERRED)  # no risk assessment yet
    page = _text(client.get(f"/cases/{case.id}"))
    assert "Not yet possible" in page
    assert "Complete the risk assessment before sending the case to MET review" in page
    assert f'href="/cases/{case.id}/moves/send_to_met_review"' not in page
    assert f'href="/cases/{case.id}/risk-assessments/new"' in page


def test_a_move_not_possible_shows_what_is_missing_and_no_form_and_refuses_a_post(auth, client):
    lead_id = auth.as_role(Role.LEAD_PROFESSIONAL)
    case = _case(lead_id, state=CaseState.SCREENED)
    for screening in db.session.scalars(select(Screening).where(Screening.case_id == case.id)):
        db.session.delete(screening)  # a case with no screening at all
    db.session.commit()
    url = f"/cases/{case.id}/moves/close_no_further_action"
    form = _text(client.get(url))
    assert "This move is not possible yet" in form
    assert "Record a CSERQ4 screening first" in form
    # The old contradiction: "The latest screening has no yes" on a case with no screening.
    assert "The latest screening has no yes" not in form
    assert '<form method="post" novalidate>' not in form.split('id="main-content"')[1]
    assert f'href="/children/{case.child_id}/screen"' in form
    response = post_form(client, url, {"version": str(case.version)}, page=f"/cases/{case.id}")
    assert response.status_code == 400
    assert "Record a CSERQ4 screening first" in _text(response)
    assert 'name="note"' not in _text(response)
    db.session.expire_all()
    assert db.session.get(Case, case.id).state == CaseState.SCREENED
    assert (
        db.session.scalar(select(func.count()).select_from(CaseEvent).where(CaseEvent.case_id == case.id))
        == 1
    )


def test_a_possible_move_has_its_form_a_way_back_and_a_flash_naming_the_next_step(auth, client):
    auth.as_role(Role.MET_CHAIR)
    case = factories.case(state=CaseState.MET_REVIEW)
    form = _text(client.get(f"/cases/{case.id}/moves/set_police_tier"))
    assert 'name="police_tier"' in form and ">Cancel</a>" in form and "Back to the case" in form
    url = f"/cases/{case.id}/moves/send_back_to_review"
    assert "This move is not possible yet" in _text(client.get(url))  # not from MET review
    url = f"/cases/{case.id}/moves/close"
    response = post_form(
        client, url, {"version": str(case.version), "exit_reason": "other", "note": "Moved away"}
    )
    assert response.status_code == 302
    page = _text(client.get(response.headers["Location"]))
    assert "The case has been closed. If there are new concerns, the case can be reopened." in page


def test_the_missing_episode_and_the_interview_are_shown_in_full(auth, client):
    lead_id = auth.as_role(Role.LEAD_PROFESSIONAL)
    case = _case(lead_id)
    _episode(
        case,
        NOW - timedelta(days=9),
        NOW - timedelta(days=8),
        police_reference="HC-2026-0398",
        where_found="At a friend's flat in Portsmouth",
        reported_by="Foster carer",
        rhi_status="accepted",
        rhi_offered_at=NOW - timedelta(days=7),
        rhi_held_at=NOW - timedelta(days=6),
        rhi_by="Jo Independent (Catch22)",
        rhi_learning="Was picked up by an older man in a car; wants help with school.",
    )
    page = _text(client.get(f"/cases/{case.id}"))
    section = page[_position(page, 'id="missing"') :]
    for shown in (
        "HC-2026-0398",
        "At a friend's flat in Portsmouth",
        "Foster carer",
        "Interview held",
        "4 July 2026 13:00",
        "Jo Independent (Catch22)",
        "Was picked up by an older man in a car; wants help with school.",
    ):
        assert shown in section


def test_saving_an_episode_says_what_comes_next(auth, client):
    lead_id = auth.as_role(Role.LEAD_PROFESSIONAL)
    case = _case(lead_id)
    page = f"/cases/{case.id}/missing/new"
    form = {"went_missing_at-day": "10", "went_missing_at-month": "7", "went_missing_at-year": "2026"}
    response = post_form(client, page, {**form, "went_missing_at-time": "09:00"}, page=page)
    assert response.status_code == 302
    shown = _text(client.get(response.headers["Location"]))
    assert "The missing episode has been recorded. Next: when the child is found, record the return" in shown


def test_a_new_child_page_offers_the_screening_as_the_next_step(auth, client):
    auth.as_role(Role.LEAD_PROFESSIONAL)
    data = {"first_name": "Nova", "last_name": "Testfield", "looked_after": "no"}
    response = post_form(client, "/children/new", data, page="/children/new")
    assert response.status_code == 302
    child = db.session.scalar(select(Child).where(Child.first_name == "Nova"))
    page = _text(client.get(response.headers["Location"]))
    assert "Next: screen the child (CSERQ4)" in page  # the flash
    assert f'href="/children/{child.id}/screen"' in page and "Screen the child (CSERQ4)" in page
    screen = _text(client.get(f"/children/{child.id}/screen"))
    assert f'href="/children/{child.id}"' in screen  # the way back


def test_the_child_form_has_no_conditional_reveal_on_a_radio(auth, client):
    auth.as_role(Role.LEAD_PROFESSIONAL)
    page = _text(client.get("/children/new"))
    assert "aria-expanded" not in page and "data-aria-controls" not in page
    assert 'name="looked_after_status"' in page
    # A status sent with "not looked after" is ignored, with "looked after" it is required.
    data = {"first_name": "Ray", "last_name": "Testfield", "looked_after": "yes"}
    response = post_form(client, "/children/new", data, page="/children/new")
    assert response.status_code == 400
    assert "Choose the order or section the child is looked after under" in _text(response)
