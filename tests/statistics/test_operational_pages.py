"""/statistics/operations and its CSV (statistics/operational_pages.py): the analyst sees
figures and charts and never a name; the chooser names the field it refuses; every read
and download is audited; other roles get 403."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import CaseState, Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.missing.models import MissingEpisode
from mettrack.statistics import operational
from tests import factories

PAGE = "/statistics/operations"


def _a_returned_child(app):
    """A referred child with a missing episode in July - September 2026, its Return Home
    Interview offered in time. Returns the child's last name (made up)."""
    with app.app_context():
        set_now(datetime(2026, 7, 5, tzinfo=UTC))
        case = factories.case(state=CaseState.REFERRED)
        back = datetime(2026, 7, 10, 9, tzinfo=UTC)
        db.session.add(
            MissingEpisode(
                case_id=case.id,
                went_missing_at=back - timedelta(hours=20),
                returned_at=back,
                rhi_status="offered",
                rhi_offered_at=back + timedelta(hours=30),
                recorded_by_id=case.lead_professional_id or case.team[0].user_id,
            )
        )
        db.session.commit()
        set_now(datetime(2026, 11, 2, tzinfo=UTC))
        return case.child.last_name


def _audited(app, action):
    with app.app_context():
        return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_the_analyst_sees_the_figures_and_charts_and_no_name(app, client, auth):
    name = _a_returned_child(app)
    auth.as_role(Role.ANALYST)
    response = client.get(PAGE, query_string={"quarter": "2026-Q3"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Operational figures: July - September 2026" in page
    assert "100% (1 of 1)" in page  # offered within 72 hours
    assert page.count('<svg class="app-chart"') == 5
    assert "<title>Return Home Interviews offered within 72 hours</title>" in page
    assert name not in page and "Testchild" not in page
    [row] = _audited(app, operational.AUDIT_ACTION)
    assert "2026-Q3" in row.detail


def test_the_chair_may_choose_a_date_range(client, auth):
    auth.as_role(Role.MET_CHAIR)
    dates = {"from-day": "1", "from-month": "8", "from-year": "2026"}
    dates |= {"to-day": "31", "to-month": "10", "to-year": "2026"}
    response = client.get(PAGE, query_string=dates)
    assert response.status_code == 200
    assert "1 August 2026 - 31 October 2026" in response.get_data(as_text=True)


def test_a_bad_period_is_refused_naming_the_field_and_nothing_is_read(app, client, auth):
    auth.as_role(Role.ANALYST)
    dates = {"from-day": "31", "from-month": "10", "from-year": "2026"}
    dates |= {"to-day": "1", "to-month": "8", "to-year": "2026"}
    response = client.get(PAGE, query_string=dates)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in page
    assert 'href="#to-day"' in page and "End of the period must be the same as or after the start" in page
    bad = client.get(PAGE, query_string={"quarter": "1999-9"})
    assert bad.status_code == 400 and "Quarter must be written like 2022-Q3" in bad.get_data(as_text=True)
    assert client.get(PAGE + ".csv", query_string={"quarter": "x"}).status_code == 400
    assert _audited(app, operational.AUDIT_ACTION) == []


def test_the_csv_has_every_figure_by_period_and_is_audited(app, client, auth):
    _a_returned_child(app)
    auth.as_role(Role.ANALYST)
    response = client.get(PAGE + ".csv", query_string={"quarter": "2026-Q3"})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "operational-figures-2026-Q3.csv" in response.headers["Content-Disposition"]
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeffSection,Period,First day,Last day,Measure,Value\r\n")
    assert (
        "Return Home Interviews offered within 72 hours,Jul - Sep 2026,2026-07-01,2026-09-30,"
        "Offered within 72 hours,1\r\n" in text
    )
    assert "Apr - Jun 2026" in text  # the trend's quarters too
    assert len(_audited(app, operational.EXPORT_ACTION)) == 1


def test_a_lead_professional_and_an_admin_are_refused(client, auth):
    auth.as_role(Role.LEAD_PROFESSIONAL)
    assert client.get(PAGE).status_code == 403
    auth.logout()
    auth.as_role(Role.ADMIN)
    assert client.get(PAGE + ".csv").status_code == 403


def test_hostile_period_values_are_refused_never_a_server_error(client, auth):
    auth.as_role(Role.ANALYST)
    for value in ("99999999999999999999", "a\x00b", "０１", "-1", "x" * 5000):
        for field in ("quarter", "from-day", "from-year", "to-month"):
            query = {"from-day": "1", "from-month": "1", "from-year": "2026"}
            query |= {"to-day": "2", "to-month": "1", "to-year": "2026", field: value}
            if field == "quarter":
                query = {"quarter": value}
            for path in (PAGE, PAGE + ".csv"):
                assert client.get(path, query_string=query).status_code == 400, (path, field, value)
