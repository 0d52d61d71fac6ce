"""The review pages: the queue, the grading form (P and C, the C item's missing sanitised
text said plainly, a stale version), the link forms; a police-sector partner may use them."""

from datetime import UTC, datetime

import pytest

from mettrack.core.choices import Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.intelligence.models import IntelligenceItem
from tests import factories
from tests.conftest import post_form
from tests.intelligence import factories as intel

NOW = datetime(2026, 3, 20, 12, tzinfo=UTC)


@pytest.fixture
def world(app):
    with app.app_context():
        set_now(NOW)
        chair = factories.user(roles=[Role.MET_CHAIR])
        officer = intel.police_user(Role.PARTNER)
        lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
        sharer = factories.user(roles=[Role.PARTNER], agency="Harbour School")
        case = factories.case(lead=lead)
        raw = intel.item(sharer, source_name="Pat Parent")
        graded = intel.item(
            sharer, handling="P", reviewer=chair, submitted_at=datetime(2026, 3, 1, tzinfo=UTC)
        )
        return {
            "emails": {
                "chair": chair.email,
                "officer": officer.email,
                "lead": lead.email,
                "sharer": sharer.email,
            },
            "case": case.id,
            "raw": raw.id,
            "graded": graded.id,
        }


@pytest.fixture
def sign_in(auth, world):
    def sign(who):
        assert auth.login(world["emails"][who]).status_code == 302

    return sign


GRADE = {"source_evaluation": "2", "intelligence_assessment": "B", "handling_code": "P", "version": "1"}


def test_queue_lists_waiting_items_first(client, sign_in, world):
    sign_in("chair")
    page = client.get("/intelligence/review").get_data(as_text=True)
    assert page.index(f'id="item-{world["raw"]}"') < page.index(f'id="item-{world["graded"]}"')
    filtered = client.get("/intelligence/review?handling=P").get_data(as_text=True)
    assert f'id="item-{world["raw"]}"' not in filtered
    assert client.get("/intelligence/review?handling=Z").status_code == 400


def test_a_police_partner_grades_and_links_through_the_pages(client, sign_in, world, app):
    sign_in("officer")
    form = client.get(f"/intelligence/{world['raw']}/grade").get_data(as_text=True)
    assert "never shared in a sanitised form" in form and "Pat Parent" not in form
    response = post_form(
        client, f"/intelligence/{world['raw']}/grade", {**GRADE, "sanitised_text": "A car near a school."}
    )
    assert response.status_code == 302
    response = post_form(client, f"/intelligence/{world['raw']}/links", {"case_id": str(world["case"])})
    assert response.status_code == 302
    page = client.get(f"/intelligence/{world['raw']}").get_data(as_text=True)
    assert "2 - Untested" in page and "A car near a school." in page
    assert f"Case {world['case']}" in page and "Pat Parent" in page  # a reviewer sees the source
    with app.app_context():
        link_id = db.session.get(IntelligenceItem, world["raw"]).links[0].id
    assert post_form(client, f"/intelligence/{world['raw']}/links/{link_id}/remove").status_code == 302
    with app.app_context():
        assert db.session.get(IntelligenceItem, world["raw"]).links == []


def test_grading_c_needs_conditions_and_shows_no_sanitised_text(client, sign_in, world, app):
    sign_in("chair")
    path = f"/intelligence/{world['raw']}/grade"
    response = post_form(client, path, {**GRADE, "handling_code": "C"})
    assert response.status_code == 400
    assert "Enter the conditions" in response.get_data(as_text=True)
    response = post_form(
        client,
        path,
        {**GRADE, "handling_code": "C", "handling_conditions": "Police only", "sanitised_text": "x"},
    )
    assert response.status_code == 302
    page = client.get(f"/intelligence/{world['raw']}").get_data(as_text=True)
    assert "None: a C item is never shared in a sanitised form." in page
    with app.app_context():
        assert db.session.get(IntelligenceItem, world["raw"]).sanitised_text is None


def test_a_stale_grading_form_says_nothing_was_saved(client, sign_in, world):
    sign_in("chair")
    path = f"/intelligence/{world['graded']}/grade"
    assert post_form(client, path, GRADE).status_code == 302
    response = post_form(client, path, {**GRADE, "source_evaluation": "3"})
    assert response.status_code == 409
    assert "Nothing was saved" in response.get_data(as_text=True)


def test_an_unknown_case_number_is_named(client, sign_in, world):
    sign_in("chair")
    response = post_form(client, f"/intelligence/{world['raw']}/links", {"case_id": "999999"})
    assert response.status_code == 400
    assert "Case number: there is no 999999" in response.get_data(as_text=True)


def test_the_sharer_sees_status_not_grading_and_no_review_forms(client, sign_in, world):
    sign_in("sharer")
    page = client.get(f"/intelligence/{world['graded']}").get_data(as_text=True)
    assert "Reviewed" in page and "2 - Untested" not in page and "Add a link" not in page
    assert client.get(f"/intelligence/{world['graded']}/grade").status_code == 403
    assert client.get("/intelligence/review").status_code == 403
