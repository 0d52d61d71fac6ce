"""/api/v1/cases/to-reassign: the MET chair's list of open cases that need a new lead
professional, as the chair's page shows it (cases/team.py)."""

from datetime import UTC, datetime

import pytest

from mettrack.core.choices import CaseState, Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from tests import factories
from tests.api.conftest import audit_rows
from tests.api.test_problems import assert_problem

PATH = "/api/v1/cases/to-reassign"


@pytest.fixture(autouse=True)
def _clock():
    set_now(datetime(2026, 3, 9, 14, 0, tzinfo=UTC))


def test_the_chair_gets_the_cases_whose_lead_left_or_is_missing_with_why(client, app, make_api_user):
    chair = make_api_user(Role.MET_CHAIR)
    with app.app_context():
        gone = factories.user(roles=[Role.LEAD_PROFESSIONAL], name="Drew Formerlead", agency="Early Help")
        present = factories.user(roles=[Role.LEAD_PROFESSIONAL])
        left = factories.case(lead=gone, state=CaseState.MET_REVIEW)
        unled = factories.case(state=CaseState.REFERRED)
        factories.case(lead=present, state=CaseState.REFERRED)  # led: not listed
        factories.case(lead=gone, state=CaseState.CLOSED)  # closed: not listed
        gone.active = False  # left after leading them (a deactivated user is never made lead)
        db.session.commit()
        ids, gone_id, left_version = [left.id, unled.id], gone.id, left.version

    response = client.get(PATH, headers=chair.headers)

    assert response.status_code == 200, response.get_json()
    items = response.get_json()["items"]
    assert [item["case_id"] for item in items] == ids
    assert items[0]["reason"] == "lead_deactivated"
    assert items[0]["reason_label"] == "The lead professional's account is deactivated"
    assert items[0]["lead_professional"] == {
        "id": gone_id,
        "name": "Drew Formerlead",
        "agency": "Early Help",
        "active": False,
    }
    assert (items[0]["state"], items[0]["version"]) == ("met_review", left_version)
    assert (items[1]["reason"], items[1]["lead_professional"]) == ("no_lead", None)
    assert "child" not in items[0]  # the list names cases, not children
    [row] = audit_rows(app, "case.reassign_listed")
    assert (row["actor_user_id"], row["detail"]) == (chair.id, {"ids": ids})


def test_an_empty_list_is_an_empty_list(client, make_api_user):
    chair = make_api_user(Role.MET_CHAIR)
    assert client.get(PATH, headers=chair.headers).get_json() == {"items": []}


@pytest.mark.parametrize(
    "role", [Role.LEAD_PROFESSIONAL, Role.COORDINATOR, Role.PARTNER, Role.ANALYST, Role.ADMIN]
)
def test_every_other_role_is_403_and_audited(client, app, make_api_user, role):
    user = make_api_user(role)
    assert_problem(client.get(PATH, headers=user.headers), 403)
    assert audit_rows(app, "case.reassign_listed") == []
    assert audit_rows(app, "permission.denied")[-1]["actor_user_id"] == user.id
