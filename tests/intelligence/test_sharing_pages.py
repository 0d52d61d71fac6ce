"""The sharing pages: the form (with its not-a-referral warning), the acknowledgement,
one's own submissions, one item as each viewer may see it; bad input names the field and
saves nothing."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from mettrack.core.choices import Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.intelligence.models import IntelligenceItem
from tests import factories
from tests.conftest import post_form
from tests.intelligence import factories as intel

NOW = datetime(2026, 3, 20, 12, tzinfo=UTC)


def form(**changes) -> dict:
    data = {
        "sharer_name": "Sam Teacher",
        "sharer_organisation": "Harbour School",
        "sharer_phone": "023 9200 0000",
        "sharer_email": "sam@example.org",
        "information": "A grey car waits outside the school gates at 3pm most days.",
        "information_date-day": "18",
        "information_date-month": "3",
        "information_date-year": "2026",
        "information_place": "Harbour School gates",
        "source_name": "Pat Parent",
        "source_date_of_birth-day": "1",
        "source_date_of_birth-month": "6",
        "source_date_of_birth-year": "1985",
        "source_address": "2 Example Road",
        "source_recontact": "yes",
        "source_recontact_how": "By phone after 6pm",
        "source_how_known": "Saw it on the school run",
        "case_ids": "",
    }
    data.update(changes)
    return data


@pytest.fixture
def world(app):
    with app.app_context():
        set_now(NOW)
        lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
        sharer = factories.user(roles=[Role.PARTNER], agency="Harbour School", name="Sam Teacher")
        other = factories.user(roles=[Role.PARTNER], agency="Harbour School")
        case = factories.case(lead=lead, members=[sharer])
        elsewhere = factories.case(lead=lead)
        others = intel.item(other)
        return {
            "emails": {"lead": lead.email, "sharer": sharer.email, "other": other.email},
            "sharer_email": sharer.email,
            "case": case.id,
            "elsewhere": elsewhere.id,
            "others": others.id,
        }


@pytest.fixture
def sign_in(auth, world):
    def sign(who):
        assert auth.login(world["emails"][who]).status_code == 302

    return sign


def _count(app):
    with app.app_context():
        return db.session.scalar(select(func.count(IntelligenceItem.id)))


def test_form_says_it_is_not_a_referral_and_is_prefilled(client, sign_in, world):
    sign_in("sharer")
    page = client.get("/intelligence/share").get_data(as_text=True)
    assert "govuk-warning-text" in page
    assert "This is not a referral" in page and "MASH" in page and "999" in page
    assert 'value="Sam Teacher"' in page and 'value="Harbour School"' in page
    assert world["sharer_email"] in page


def test_submitting_acknowledges_with_the_reference(client, sign_in, world, app):
    sign_in("sharer")
    response = post_form(client, "/intelligence/share", form(case_ids=str(world["case"])))
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        item = db.session.scalars(select(IntelligenceItem).order_by(IntelligenceItem.id.desc())).first()
        reference = item.reference
        assert [link.case_id for link in item.links] == [world["case"]]
    assert f"Your reference is {reference}" in page
    assert "Waiting for review" in page and "Pat Parent" in page  # their own source, as submitted
    mine = client.get("/intelligence/mine").get_data(as_text=True)
    assert reference in mine and f"CPI-{world['others']:05d}" not in mine


def test_the_form_needs_its_csrf_token(client, sign_in, world, app):
    sign_in("sharer")
    response = client.post("/intelligence/share", data=form())
    assert response.status_code == 400
    assert _count(app) == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"information": ""}, "information", "Enter the information"),
        ({"information_date-day": "21"}, "information_date", "must be today or in the past"),
        (
            {
                "source_date_of_birth-day": "31",
                "source_date_of_birth-month": "2",
                "source_date_of_birth-year": "2010",
            },
            "source_date_of_birth",
            "must be a real date",
        ),
        ({"source_recontact_how": ""}, "source_recontact_how", "Enter how the source can be contacted again"),
        ({"source_recontact": ""}, "source_recontact", "Say whether the source can be contacted again"),
        ({"case_ids": "999999"}, "case_ids", "only link children whose case you can see"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(client, sign_in, world, app, changes, field, message):
    sign_in("sharer")
    response = post_form(client, "/intelligence/share", form(**changes))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page and "There is a problem" in page
    assert f'href="#{field}' in page
    assert _count(app) == 1  # the other sharer's item only
    assert "A grey car waits" in page or field == "information"  # what was typed is kept


def test_a_case_the_sharer_cannot_see_is_refused(client, sign_in, world, app):
    sign_in("sharer")
    response = post_form(client, "/intelligence/share", form(case_ids=str(world["elsewhere"])))
    assert response.status_code == 400
    assert "only link children whose case you can see" in response.get_data(as_text=True)
    assert _count(app) == 1


def test_nobody_reads_anyone_elses_submission(client, sign_in, world):
    sign_in("sharer")
    assert client.get(f"/intelligence/{world['others']}").status_code == 404


def test_analyst_may_not_share(client, auth, app):
    with app.app_context():
        analyst = factories.user(roles=[Role.ANALYST])
        email = analyst.email
    auth.login(email)
    assert client.get("/intelligence/share").status_code == 403


def test_a_case_team_sees_a_p_item_without_its_source_and_never_a_c_item(client, sign_in, world, app):
    with app.app_context():
        from mettrack.cases.models import Case

        chair = factories.user(roles=[Role.MET_CHAIR])
        sharer = factories.user(roles=[Role.PARTNER])
        case = db.session.get(Case, world["case"])
        elsewhere = db.session.get(Case, world["elsewhere"])
        outsider_case = factories.case(lead=factories.user(roles=[Role.LEAD_PROFESSIONAL]))
        p_item = intel.item(sharer, handling="P", reviewer=chair, cases=[case, outsider_case]).id
        c_item = intel.item(sharer, handling="C", reviewer=chair, cases=[case, elsewhere]).id
    sign_in("lead")
    page = client.get(f"/intelligence/{p_item}").get_data(as_text=True)
    assert "A car has been seen waiting near a school." in page and "2 - Untested" in page
    assert "Source Person" not in page and "The source" not in page
    assert (
        "a child&#39;s case you do not have access to" in page
        or "a child's case you do not have access to" in page
    )
    assert f"/cases/{world['case']}" in page and "Grade this item" not in page
    assert client.get(f"/intelligence/{c_item}").status_code == 404


def test_wording_that_blames_the_child_is_flagged_first_then_saved_anyway(client, sign_in, world, app):
    from mettrack.core.audit_event import AuditEvent
    from mettrack.language import seed_defaults

    with app.app_context():
        seed_defaults()
        db.session.commit()
    sign_in("sharer")
    words = "She keeps putting herself at risk at the flat on Quay Street."
    response = post_form(client, "/intelligence/share", form(information=words))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Check the wording" in page and "may have been groomed" in page
    assert _count(app) == 1
    response = post_form(client, "/intelligence/share", form(information=words, save_anyway="yes"))
    assert response.status_code == 302
    with app.app_context():
        row = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "intelligence.submitted")
        ).one()
        assert '"saved_anyway": true' in row.detail and "Quay Street" not in row.detail
