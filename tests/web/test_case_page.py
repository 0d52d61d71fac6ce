"""The case page is built before it renders (mettrack/cases/page.py): one audit row
naming the sections and records shown, one commit, and no database from the template."""

import json

import pytest
from flask import before_render_template, template_rendered
from sqlalchemy import event, select

from mettrack.accounts.models import User
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import Role
from mettrack.core.extensions import db
from mettrack.missing.models import MissingEpisode
from mettrack.notes.models import CaseNote
from mettrack.risk.models import RiskAssessment
from mettrack.specialist_services.models import ServiceRequest
from tests.web.test_coordinator_need_to_know import _busy_case, _clock_and_lists  # noqa: F401

WHOLE_RECORD = [
    "summary",
    "actions",
    "missing",
    "risk",
    "notes",
    "classification",
    "child",
    "referral",
    "screening",
    "police_tier",
    "services",
    "intelligence",
    "team",
    "timeline",
]


@pytest.fixture
def commits():
    counted = []

    def count(session):
        counted.append(session)

    event.listen(db.session(), "after_commit", count)
    yield counted
    event.remove(db.session(), "after_commit", count)


@pytest.fixture
def no_database_while_rendering(app):
    """Any SQL sent while a template renders fails the request (and so the test)."""
    rendering, rendered = [], []

    def started(sender, template, context, **extra):
        rendering.append(template.name)
        rendered.append(template.name)

    def finished(sender, template, context, **extra):
        rendering.pop()

    def refuse(conn, cursor, statement, *args):
        if rendering:
            raise AssertionError(f"{rendering[-1]} touched the database: {statement[:80]}")

    before_render_template.connect(started, app)
    template_rendered.connect(finished, app)
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", refuse)
    yield rendered
    event.remove(engine, "before_cursor_execute", refuse)
    template_rendered.disconnect(finished, app)
    before_render_template.disconnect(started, app)


def _case_viewed(actor_id: int) -> list[tuple]:
    rows = db.session.scalars(
        select(AuditEvent).where(AuditEvent.actor_user_id == actor_id).order_by(AuditEvent.seq)
    ).all()
    return [(r.action, r.record_id, json.loads(r.detail or "null")) for r in rows]


def test_a_case_page_commits_once_and_writes_one_audit_row_naming_what_it_shows(client, auth, commits):
    lead_id = auth.as_role(Role.LEAD_PROFESSIONAL)
    case_id, _child_id = _busy_case(db.session.get(User, lead_id))
    before = len(_case_viewed(lead_id))
    commits.clear()

    assert client.get(f"/cases/{case_id}").status_code == 200

    assert len(commits) == 1
    (row,) = _case_viewed(lead_id)[before:]
    action, record_id, detail = row
    assert (action, record_id) == ("case.viewed", str(case_id))
    assert detail["sections"] == WHOLE_RECORD and "access" not in detail
    ids = detail["ids"]
    for kind, model in (
        ("notes", CaseNote),
        ("missing_episodes", MissingEpisode),
        ("service_assignments", ServiceRequest),
    ):
        expected = db.session.scalars(select(model.id).where(model.case_id == case_id)).all()
        assert sorted(ids[kind]) == sorted(expected), kind
    # The page shows the current assessment only (its history is a page of its own).
    newest = db.session.scalar(
        select(RiskAssessment.id).where(RiskAssessment.case_id == case_id).order_by(RiskAssessment.id.desc())
    )
    assert ids["risk_assessments"] == [newest]
    assert lead_id in ids["team"]
    assert "Kestrel" not in json.dumps(detail)  # ids only, never names


def test_a_case_page_out_of_reach_is_an_audited_404_and_commits_nothing(client, auth, commits):
    partner_id = auth.as_role(Role.PARTNER)
    case_id, _child_id = _busy_case()
    before = len(_case_viewed(partner_id))
    commits.clear()
    assert client.get(f"/cases/{case_id}").status_code == 404
    assert commits == []
    assert [(a, r) for a, r, _d in _case_viewed(partner_id)[before:]] == [
        ("case.viewed.denied", str(case_id))
    ]


@pytest.mark.parametrize("role", [Role.MET_CHAIR, Role.LEAD_PROFESSIONAL, Role.COORDINATOR])
def test_the_case_page_renders_without_the_database(client, auth, role, no_database_while_rendering):
    user_id = auth.as_role(role)
    on_team = [] if role is Role.COORDINATOR else [db.session.get(User, user_id)]
    case_id, _child_id = _busy_case(*on_team)
    response = client.get(f"/cases/{case_id}")
    assert response.status_code == 200, response.get_data(as_text=True)[-2000:]
    page = response.get_data(as_text=True)
    assert ('id="case-summary-only"' in page) is (role is Role.COORDINATOR)
    assert 'id="services"' in page and "Timeline" in page
    assert "cases/detail.html" in no_database_while_rendering


# Presentation helpers the templates may call: labels, tags, navigation, paging, `can`.
PRESENTATION_HELPERS = {
    "navigation",
    "service_navigation_items",
    "state_tag",
    "risk_tag",
    "pagination",
    "can",
    "Perm",
    "state_label",
    "risk_label",
    "role_label",
    "rating_label",
    "period_label",
    "delivery_choice_label",  # notifications.label_of: a DeliveryChoice's label
}


# The modules a template helper may come from: the shared template helpers, the role
# check for navigation, and the risk pages' label lookups.
PRESENTATION_MODULES = {"mettrack.ui.template_helpers", "mettrack.core.permissions", "mettrack.risk.pages"}


def test_no_template_global_is_a_service_or_database_function(app, auth, client):
    auth.as_role(Role.MET_CHAIR)
    with app.test_request_context("/"):
        context: dict = dict(app.jinja_env.globals)
        app.update_template_context(context)
    ours = {
        name: value
        for name, value in context.items()
        if callable(value) and getattr(value, "__module__", "").startswith("mettrack")
    }
    assert set(ours) <= PRESENTATION_HELPERS, sorted(set(ours) - PRESENTATION_HELPERS)
    # Presentation modules only (a label lookup is the one exception, named above).
    for name, value in ours.items():
        assert value.__module__ in PRESENTATION_MODULES or name == "delivery_choice_label", (
            name,
            value.__module__,
        )
