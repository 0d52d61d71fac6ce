"""One date pattern everywhere: every date a page asks for is a GOV.UK date input (day,
month and year fields, _macros.html date_input), never the browser's date picker. Each is
read as one date, kept on an error, and refused with a message naming the field."""

import html
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

import mettrack
from mettrack.core.choices import CaseState, Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.meetings.models import ItemMinute, MeetingAction
from mettrack.reference import data as reference_data
from mettrack.screening.models import Screening
from mettrack.specialist_services import seed_services
from mettrack.specialist_services.models import ServiceRequest
from tests import factories
from tests.conftest import post_form
from tests.dates import date_fields
from tests.meetings.test_minutes_pages import _world

TEMPLATES = sorted(Path(mettrack.__file__).parent.rglob("templates/**/*.html"))
PICKER = re.compile(r"""type=["']?(date|datetime-local|month|week)\b|["']type["']\s*:\s*["']date""")


@pytest.fixture(autouse=True)
def _clock_and_lists(app_ctx):
    set_now(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    reference_data.seed_defaults()
    seed_services()
    db.session.commit()


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _value(page: str, field_id: str) -> str:
    match = re.search(rf'id="{re.escape(field_id)}"[^>]*value="([^"]*)"', page)
    assert match, field_id
    return match.group(1)


def test_no_page_uses_the_browsers_date_picker():
    assert len(TEMPLATES) > 50
    assert [p.name for p in TEMPLATES if PICKER.search(p.read_text())] == []


# --- the CSERQ4 screening date

ANSWERS = {"went_missing": "no", "partner_age": "", "controlling_relationship": "no"}
ANSWERS |= {"frequents_exploitation_areas": "no"}


def _child(lead_id: int):
    return factories.child(created_by_id=lead_id, date_of_birth=date(2011, 5, 1))


def test_the_screening_date_is_day_month_and_year_starting_today(auth, client):
    child = _child(auth.as_role(Role.LEAD_PROFESSIONAL))
    page = _text(client.get(f"/children/{child.id}/screen"))

    assert "Screening date" in page
    assert (_value(page, "screened_on-day"), _value(page, "screened_on-month")) == ("2", "3")
    assert _value(page, "screened_on-year") == "2026"
    assert 'name="screened_on"' not in page


def test_a_screening_date_typed_as_day_month_and_year_is_saved(auth, client):
    child = _child(auth.as_role(Role.LEAD_PROFESSIONAL))
    response = post_form(
        client, f"/children/{child.id}/screen", {**ANSWERS, **date_fields("screened_on", "2026-02-27")}
    )

    assert response.status_code == 302, _text(response)
    assert db.session.scalar(select(Screening.screened_on)) == date(2026, 2, 27)


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("30", "2", "2026", "Screening date must be a real date"),
        ("1", "", "2026", "Screening date must include a month"),
        ("1", "3", "26", "Screening date must be a real date, with the year in 4 digits"),
        ("3", "3", "2026", "The screening date must be today or in the past"),
    ],
)
def test_a_bad_screening_date_is_refused_naming_the_field(auth, client, day, month, year, message):
    child = _child(auth.as_role(Role.LEAD_PROFESSIONAL))
    typed = {"screened_on-day": day, "screened_on-month": month, "screened_on-year": year}
    response = post_form(client, f"/children/{child.id}/screen", {**ANSWERS, **typed})

    assert response.status_code == 400
    page = _text(response)
    assert message in page
    assert 'href="#screened_on-day"' in page
    assert _value(page, "screened_on-day") == day and _value(page, "screened_on-year") == year  # kept
    assert db.session.scalar(select(Screening.id)) is None


# --- a specialist service's dates (the coordinator)


def test_a_services_acceptance_date_is_day_month_and_year(auth, client):
    auth.as_role(Role.COORDINATOR)
    case = factories.case(state=CaseState.MET_REVIEW)
    form = f"/cases/{case.id}/moves/assign_service"
    assert 'id="accepted_on-day"' in _text(client.get(form))
    data = {"version": str(case.version), "service": "parcs"}

    bad = post_form(client, form, {**data, "accepted_on-day": "x", "accepted_on-month": "2"}, page=form)
    assert bad.status_code == 400
    assert "Date the service accepted the case must include a year" in _text(bad)
    assert 'href="#accepted_on-day"' in _text(bad)

    good = post_form(client, form, {**data, **date_fields("accepted_on", "2026-02-20")}, page=form)
    assert good.status_code == 302, _text(good)
    assert db.session.scalar(select(ServiceRequest.accepted_on)) == date(2026, 2, 20)


def test_the_end_of_a_service_is_day_month_and_year(auth, client):
    auth.as_role(Role.COORDINATOR)
    case = factories.case(state=CaseState.SERVICE_ASSIGNED)
    assignment = factories.accepted_service(case.id, 1, "dass", accepted_on=date(2026, 2, 1))
    db.session.add(assignment)
    db.session.commit()
    form = f"/cases/{case.id}/services/{assignment.id}/end"
    assert 'id="ended_on-day"' in _text(client.get(form))

    bad = post_form(client, form, {**date_fields("ended_on", "2026-03-01"), "ended_on-day": "32"}, page=form)
    assert bad.status_code == 400
    assert "Date the service's work ended must be a real date" in _text(bad)
    assert 'href="#ended_on-day"' in _text(bad)

    good = post_form(
        client, form, {**date_fields("ended_on", "2026-03-01"), "outcome": "completed"}, page=form
    )
    assert good.status_code == 302, _text(good)
    db.session.expire_all()
    assert db.session.get(ServiceRequest, assignment.id).ended_on == date(2026, 3, 1)


# --- the minutes: next review and an action's due date


def test_the_minutes_dates_are_day_month_and_year(app, auth, client):
    w = _world(app, auth)
    page = f"/meetings/{w['meeting']}/minutes"
    item = f"{page}/items/{w['ok']}"
    prefix = f"c{w['ok']}-"
    shown = _text(client.get(page))
    assert f'id="{prefix}next_review_on-day"' in shown and f'id="{prefix}actions-0-due_on-day"' in shown

    bad = post_form(client, item, {"next_review_on-day": "31", "next_review_on-month": "4"}, page=page)
    assert bad.status_code == 400
    assert "The next review date must include a year" in _text(bad)
    assert f'href="#{prefix}next_review_on-day"' in _text(bad)

    action = {"actions-0-description": "Share the plan", "actions-0-owner_id": str(w["lead"])}
    bad = post_form(
        client,
        item,
        {
            **action,
            "actions-0-due_on-day": "40",
            "actions-0-due_on-month": "3",
            "actions-0-due_on-year": "2026",
        },
        page=page,
    )
    assert bad.status_code == 400
    assert "The due date must be a real date" in _text(bad)

    good = post_form(
        client,
        item,
        {
            **date_fields("next_review_on", "2026-04-30"),
            **action,
            **date_fields("actions-0-due_on", "2026-03-24"),
        },
        page=page,
    )
    assert good.status_code == 302, _text(good)[:2000]
    with app.app_context():
        assert db.session.scalar(select(ItemMinute.next_review_on)) == date(2026, 4, 30)
        assert db.session.scalar(select(MeetingAction.due_on)) == date(2026, 3, 24)
    again = _text(client.get(page))  # the stored date, in its fields, to change
    assert _value(again, f"{prefix}next_review_on-day") == "30"
    assert _value(again, f"{prefix}next_review_on-month") == "4"
