"""The case list page (filters, name search kept out of URLs) and the case page's
specialist services."""

import html
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from mettrack.accounts.models import User
from mettrack.cases.models import CaseTag
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import CaseState, CaseTagKind, Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.missing.models import MissingEpisode
from mettrack.reference import data as reference_data
from mettrack.specialist_services.models import ServiceRequest
from tests import factories
from tests.conftest import csrf_from, post_form
from tests.dates import date_fields

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock_and_lists(app_ctx):
    set_now(NOW)
    reference_data.seed_defaults()
    db.session.commit()


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _case(*, first_name="Testchild", last_name=None, aliases=None, tags=(), lead=None, **fields):
    child = factories.child(first_name=first_name, **({"last_name": last_name} if last_name else {}))
    child.aliases = aliases
    case = factories.case(lead=lead, state=fields.pop("state", CaseState.MET_REVIEW), child_obj=child)
    for name, value in fields.items():
        setattr(case, name, value)
    held = {(tag.kind, tag.value) for tag in case.tags}  # a referred case has the factory's CSE
    for kind, value in tags:
        if (kind.value, value) not in held:
            db.session.add(CaseTag(case_id=case.id, kind=kind.value, value=value))
    db.session.commit()
    return case


def _rows(page: str) -> str:
    return page.split('<tbody class="govuk-table__body">', 1)[1].split("</tbody>", 1)[0]


def test_filters_render_apply_and_show_what_is_in_use(client, auth):
    auth.as_role(Role.MET_CHAIR)
    _case(first_name="Alinta", state=CaseState.REFERRED, tags=[(CaseTagKind.EXPLOITATION_TYPE, "cce")])
    _case(first_name="Bronwen", state=CaseState.MET_REVIEW)
    page = _text(client.get("/cases/"))
    for name in ("state", "risk_level", "exploitation_type", "flag", "harm_location", "police_tier"):
        assert f'name="{name}"' in page
    assert 'name="review_overdue"' in page and 'name="rhi_overdue"' in page
    assert "Clear filters" not in page

    filtered = _text(client.get("/cases/?state=referred&exploitation_type=cce"))
    rows = _rows(filtered)
    assert "Alinta" in rows and "Bronwen" not in rows
    assert "State: Referred to Children's Services" in filtered
    assert "Exploitation type: Child criminal exploitation (CCE)" in filtered
    assert 'id="clear-filters"' in filtered and 'href="/cases/"' in filtered
    # "Remove" for one filter keeps the others.
    assert 'href="/cases/?exploitation_type=cce"' in filtered
    assert re.search(r'value="referred"\s+checked', filtered)


def test_an_invalid_filter_shows_a_message_not_a_500(client, auth):
    auth.as_role(Role.MET_CHAIR)
    _case(first_name="Alinta")
    for query, words in (
        ("state=lost", "Choose each state from"),
        ("lead_professional=someone", "Give the lead professional"),
        ("sort=name", "Sort by one of"),
        ("review_overdue=maybe", "use true or false"),
        ("page=abc", "Page must be a whole number"),
        ("page=²", "Page must be a whole number"),  # str.isdigit() says yes; int() says no
        ("page=" + "9" * 5000, "Page must be a whole number"),  # past int()'s digit limit
    ):
        response = client.get(f"/cases/?{query}")
        assert response.status_code == 400, query
        page = _text(response)
        assert "There is a problem" in page and words in page
        assert "Alinta" in _rows(page)  # the valid filters still list


def test_the_name_search_is_posted_and_never_in_a_url(client, auth):
    auth.as_role(Role.MET_CHAIR)
    _case(first_name="Perpetua", last_name="Zanzibar", aliases="Pet Z")
    _case(first_name="Quilla")
    for _ in range(30):
        _case(first_name="Filler", tags=[(CaseTagKind.FLAG, "online")])
    token = csrf_from(client.get("/cases/"))
    response = client.post("/cases/search", data={"q": "pet z", "flag": "online", "csrf_token": token})
    assert response.status_code == 302
    assert "pet" not in response.headers["Location"].lower()
    assert response.headers["Location"].endswith("/cases/?flag=online")
    # The term is kept in the session; the flag filter excludes the child: nothing matches.
    page = _text(client.get(response.headers["Location"]))
    assert "No cases match" in page and "pet z" in page
    page = _text(client.get("/cases/"))
    assert "Perpetua" in _rows(page) and "Quilla" not in _rows(page)
    assert not re.search(r'href="[^"]*(pet|Pet|Perpetua)', page)
    assert ".search" not in page and "q=" not in page
    # A name in the query string is ignored, never used.
    assert "Quilla" not in _rows(_text(client.get("/cases/?q=Quilla")))
    # Clearing the search shows everyone again.
    response = client.post("/cases/search", data={"clear": "1", "csrf_token": token})
    assert response.status_code == 302
    rows = _rows(_text(client.get("/cases/?page=2")))
    assert "Filler" in rows


def test_search_records_that_a_search_was_made_not_the_name(client, auth):
    auth.as_role(Role.MET_CHAIR)
    _case(first_name="Perpetua")
    post_form(client, "/cases/search", {"q": "Perpetua"}, page="/cases/")
    client.get("/cases/")
    details = db.session.scalars(
        select(AuditEvent.detail).where(AuditEvent.action == "case.listed").order_by(AuditEvent.seq)
    ).all()
    assert details and all("perpetua" not in d.lower() for d in details)
    assert '"name_search": true' in details[-1]


def test_a_search_too_long_is_refused_with_a_message(client, auth):
    auth.as_role(Role.MET_CHAIR)
    response = post_form(client, "/cases/search", {"q": "x" * 101}, page="/cases/")
    assert response.status_code == 400
    assert "100 characters or fewer" in _text(response)


def test_a_lead_professional_sees_my_cases_easily(client, auth):
    lead_id = auth.as_role(Role.LEAD_PROFESSIONAL)
    lead = db.session.get(User, lead_id)
    other = factories.user(roles=[Role.LEAD_PROFESSIONAL], name="Other Lead")
    _case(first_name="Mine", lead=lead)
    team_case = factories.case(lead=other, members=[lead])
    team_case.child.first_name = "Teamonly"
    db.session.commit()
    page = _text(client.get("/cases/"))
    assert 'href="/cases/?lead_professional=me"' in page
    assert "Teamonly" in _rows(page)
    mine = _text(client.get("/cases/?lead_professional=me"))
    assert "Mine" in _rows(mine) and "Teamonly" not in _rows(mine)
    assert "Showing the cases you lead" in mine


def test_each_row_shows_what_needs_attention(client, auth):
    auth.as_role(Role.MET_CHAIR)
    case = _case(
        first_name="Rowena",
        tags=[(CaseTagKind.EXPLOITATION_TYPE, "cse"), (CaseTagKind.EXPLOITATION_TYPE, "cce")],
        state=CaseState.POLICE_TIERED,
        police_tier="high",
        risk_level="high",
        next_review_on=date(2026, 5, 30),
    )
    lead_id = factories.user().id
    episodes = [
        MissingEpisode(case_id=case.id, went_missing_at=NOW - timedelta(hours=1), recorded_by_id=lead_id),
        MissingEpisode(
            case_id=case.id,
            went_missing_at=NOW - timedelta(days=10),
            returned_at=NOW - timedelta(days=9),
            recorded_by_id=lead_id,
        ),
        MissingEpisode(
            case_id=case.id,
            went_missing_at=NOW - timedelta(days=20),
            returned_at=NOW - timedelta(days=19),
            rhi_status="declined",
            recorded_by_id=lead_id,
        ),
    ]
    db.session.add_all(episodes)
    db.session.commit()
    rows = _rows(_text(client.get("/cases/")))
    for words in ("Missing now", "RHI overdue", "Repeatedly missing", "Overdue", "30 May 2026", "CCE, CSE"):
        assert words in rows, words
    assert "High: Hants MET Team or High Harm" in rows
    only = _rows(_text(client.get("/cases/?rhi_overdue=true&open_missing_episode=true&repeat_missing=true")))
    assert "Rowena" in only


# --- specialist services on the case page


def test_coordinator_records_another_service_from_the_case_page(client, auth):
    auth.as_role(Role.COORDINATOR)
    case = _case(state=CaseState.SERVICE_ASSIGNED)
    db.session.add(factories.accepted_service(case.id, 1, "parcs", accepted_on=date(2026, 5, 1)))
    db.session.commit()
    page = _text(client.get(f"/cases/{case.id}"))
    assert "Specialist services" in page and "PARCS" in page
    assert f'href="/cases/{case.id}/services/new"' in page
    form = f"/cases/{case.id}/services/new"
    version = str(case.version)
    bad = post_form(
        client,
        form,
        {"version": version, "service": "dass", **date_fields("accepted_on", "2026-07-01")},
        page=form,
    )
    assert bad.status_code == 400
    assert "must be today or in the past" in _text(bad)
    good = post_form(
        client,
        form,
        {"version": version, "service": "dass", **date_fields("accepted_on", "2026-05-31")},
        page=form,
    )
    assert good.status_code == 302
    # The service that assigned the case, the test's PARCS, and DASS.
    assert db.session.scalar(select(func.count()).select_from(ServiceRequest)) == 3
    page = _text(client.get(f"/cases/{case.id}"))
    assert "Drug and Alcohol Support Service (DASS)" in page


def test_coordinator_records_the_end_of_a_service(client, auth):
    auth.as_role(Role.COORDINATOR)
    case = _case(state=CaseState.SERVICE_ASSIGNED)
    assignment = factories.accepted_service(case.id, 1, "parcs", accepted_on=date(2026, 5, 1))
    db.session.add(assignment)
    db.session.commit()
    form = f"/cases/{case.id}/services/{assignment.id}/end"
    assert form in _text(client.get(f"/cases/{case.id}"))
    bad = post_form(client, form, {**date_fields("ended_on", "2026-04-01")}, page=form)
    assert bad.status_code == 400 and "before it accepted" in _text(bad)
    no_outcome = post_form(client, form, {**date_fields("ended_on", "2026-05-31")}, page=form)
    assert no_outcome.status_code == 400 and "how the service" in _text(no_outcome)
    ended = post_form(
        client, form, {**date_fields("ended_on", "2026-05-31"), "outcome": "completed"}, page=form
    )
    assert ended.status_code == 302
    db.session.expire_all()
    assert db.session.get(ServiceRequest, assignment.id).ended_on == date(2026, 5, 31)


def test_others_see_the_services_but_not_the_forms(client, auth):
    partner_id = auth.as_role(Role.PARTNER)
    case = factories.case(state=CaseState.SERVICE_ASSIGNED, members=[db.session.get(User, partner_id)])
    page = _text(client.get(f"/cases/{case.id}"))
    assert "Specialist services" in page and "services/new" not in page
    assert client.get(f"/cases/{case.id}/services/new").status_code == 403
