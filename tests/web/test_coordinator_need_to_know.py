"""What a coordinator sees of an open case they are not on the team of: the case list's
row, the case page's summary and its specialist services; not the child's record, notes,
missing episodes, Philomena details, screenings, risk assessments, the team or the
timeline's reasons (DESIGN.md "every open case, service fields"; docs/security.md).
On a case whose team they are on, they see what any team member sees. Names invented."""

import html
import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from mettrack.accounts.models import User
from mettrack.cases.models import CaseTag, CaseTeamMember
from mettrack.cases.scopes import chair_or_case_lead
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import CaseState, CaseTagKind, LookedAfterStatus, Role, TeamRole
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.core.permissions import Perm
from mettrack.missing.models import MissingEpisode, PhilomenaProfile
from mettrack.notes.models import CaseNote
from mettrack.reference import data as reference_data
from mettrack.risk import catalogue as risk_catalogue
from mettrack.risk.models import RiskAssessment
from tests import factories
from tests.conftest import post_form

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
# What only the whole record shows: none of it may reach a coordinator off the team.
ADDRESS = "12 Harbour Road"
ALIAS = "Birdie"
DATE_OF_BIRTH = "4 March 2011"
NOTE = "Spoke with the school nurse about the safety plan."
MASH = "MASH-7731"
MOVE_REASON = "New concerns raised by the youth worker"
PRIVATE = (ADDRESS, ALIAS, DATE_OF_BIRTH, NOTE, MASH, MOVE_REASON, "Harbourside Academy", "County lines")
# The case page's sections beyond the summary, by their anchors.
WHOLE_RECORD_SECTIONS = ('id="classification"', 'id="screenings"', 'id="risk"', 'id="missing"', 'id="notes"')


@pytest.fixture(autouse=True)
def _clock_and_lists(app_ctx):
    set_now(NOW)
    reference_data.seed_defaults()
    risk_catalogue.seed_defaults()
    db.session.commit()


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _busy_case(*members) -> tuple[int, int]:
    """An open case with something in every section, led by someone else. Returns the
    case's and the child's ids."""
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL], name="Lena Leadworth", agency="Barnardo's")
    child = factories.child(
        first_name="Kestrel",
        last_name="Example",
        date_of_birth=date(2011, 3, 4),
        address=ADDRESS,
        aliases=ALIAS,
        school="Harbourside Academy",
        looked_after=True,
        looked_after_status=LookedAfterStatus.CARE_ORDER.value,
    )
    case = factories.case(
        lead=lead, state=CaseState.POLICE_TIERED, child_obj=child, exploitation_types=["cce"]
    )
    for member in members:
        case.team.append(CaseTeamMember(user=member, team_role=TeamRole.MEMBER.value))
    case.mash_reference = MASH
    case.police_tier = "high"
    case.risk_level = "high"
    case.tags.append(CaseTag(kind=CaseTagKind.FLAG.value, value="county_lines"))
    # The reason the case went to MET review (the factory's move), as the lead wrote it.
    next(e for e in case.events if e.action == "send_to_met_review").reason = MOVE_REASON
    db.session.add_all(
        [
            CaseNote(case_id=case.id, author_id=lead.id, body=NOTE),
            MissingEpisode(
                case_id=case.id, recorded_by_id=lead.id, went_missing_at=datetime(2026, 5, 31, 22, tzinfo=UTC)
            ),
            PhilomenaProfile(case_id=case.id, description="Tall, dark coat"),
            RiskAssessment(
                case_id=case.id,
                assessed_by_id=lead.id,
                suggested_level="high",
                chosen_level="high",
                rationale="Significant risk.",
                next_review_on=date(2026, 6, 20),
            ),
            factories.accepted_service(case.id, lead.id, "parcs", accepted_on=date(2026, 5, 20)),
        ]
    )
    db.session.commit()
    return case.id, child.id


def _audit(action: str, actor_id: int) -> list[dict]:
    rows = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == action, AuditEvent.actor_user_id == actor_id)
        .order_by(AuditEvent.seq)
    )
    return [{"record_id": r.record_id, "detail": json.loads(r.detail or "null")} for r in rows]


def test_case_page_off_the_team_is_the_summary_and_the_services(client, auth):
    coordinator = auth.as_role(Role.COORDINATOR)
    case_id, child_id = _busy_case()
    response = client.get(f"/cases/{case_id}")
    assert response.status_code == 200
    page = _text(response)
    # What assigning a service needs: who the child is, the case's standing, who leads it.
    for shown in ("Kestrel Example", "Age", "15", "CCE", "Lena Leadworth", "Barnardo's", "Police tier"):
        assert shown in page, shown
    assert 'id="case-summary-only"' in page
    assert 'id="services"' in page and "PARCS" in page
    assert f'href="/cases/{case_id}/services/' in page  # may record the end of the service
    # Nothing of the whole record: sections absent, not errors.
    for private in PRIVATE:
        assert private not in page, private
    for section in (*WHOLE_RECORD_SECTIONS, 'id="team"'):
        assert section not in page, section
    assert f"/children/{child_id}" not in page and "/notes" not in page and "philomena" not in page
    # The four moves that made the case stay (screened, referred, MET review, tiered), without their reasons.
    assert page.split("Timeline", 1)[1].count("→") == 4

    # The audit log says the coordinator read the summary, and nothing beyond it: one row
    # naming the sections shown and the records in them.
    (row,) = _audit("case.viewed", coordinator)
    assert row["record_id"] == str(case_id) and row["detail"]["access"] == "summary"
    assert row["detail"]["sections"] == ["summary", "actions", "referral", "services", "timeline"]
    assert set(row["detail"]["ids"]) == {"service_assignments", "events"}
    for action in ("service_assignment.listed", "notes.listed", "missing.listed", "risk_assessment.listed"):
        assert _audit(action, coordinator) == [], action
    assert _audit("child.viewed", coordinator) == []


def test_the_rest_of_the_case_is_404_off_the_team_and_audited(client, auth):
    coordinator = auth.as_role(Role.COORDINATOR)
    case_id, child_id = _busy_case()
    for path in (
        f"/children/{child_id}",
        f"/children/{child_id}/edit",
        f"/children/{child_id}/screen",
        f"/cases/{case_id}/notes",
        f"/cases/{case_id}/notes/new",
        f"/cases/{case_id}/screenings",
        f"/cases/{case_id}/risk-assessments",
        f"/cases/{case_id}/missing/new",
        f"/cases/{case_id}/philomena",
        f"/cases/{case_id}/philomena/print",
        f"/cases/{case_id}/philomena/photo",
    ):
        assert client.get(path).status_code == 404, path
    saved = post_form(client, f"/cases/{case_id}/notes/new", {"body": "A note"}, page="/cases/")
    assert saved.status_code == 404
    assert db.session.scalar(select(CaseNote.id).where(CaseNote.body == "A note")) is None
    denied = {row["record_id"] for row in _audit("child.viewed.denied", coordinator)}
    assert str(child_id) in denied


def test_on_the_team_the_coordinator_sees_what_any_member_sees(client, auth):
    coordinator_id = auth.as_role(Role.COORDINATOR)
    case_id, child_id = _busy_case(db.session.get(User, coordinator_id))
    page = _text(client.get(f"/cases/{case_id}"))
    assert 'id="case-summary-only"' not in page
    for shown in (ADDRESS, ALIAS, DATE_OF_BIRTH, NOTE, MASH, MOVE_REASON):
        assert shown in page, shown
    for section in (*WHOLE_RECORD_SECTIONS, 'id="team"', 'id="services"'):
        assert section in page, section
    assert client.get(f"/children/{child_id}").status_code == 200
    assert client.get(f"/cases/{case_id}/notes").status_code == 200
    assert "access" not in (_audit("case.viewed", coordinator_id)[-1]["detail"] or {})


def test_case_list_row_off_the_team_shows_no_missing_alert_and_no_alias_match(client, auth):
    coordinator = auth.as_role(Role.COORDINATOR)
    case_id, _child_id = _busy_case()  # missing now, county lines
    page = _text(client.get("/cases/"))
    rows = page.split('<tbody class="govuk-table__body">', 1)[1]
    assert "Kestrel Example" in rows and "Summary only" in rows
    assert "Missing now" not in rows
    listed = _audit("case.listed", coordinator)[-1]["detail"]
    assert listed["ids"] == [case_id] and listed["summary_ids"] == [case_id]

    # Filters and a search on what only the whole record holds match nothing.
    for query in ("open_missing_episode=true", "flag=county_lines"):
        assert "No cases match" in _text(client.get(f"/cases/?{query}")), query
    assert "No cases match" not in _text(client.get("/cases/?exploitation_type=cce"))
    post_form(client, "/cases/search", {"q": ALIAS}, page="/cases/")
    assert "No cases match" in _text(client.get("/cases/"))
    post_form(client, "/cases/search", {"q": "kestrel"}, page="/cases/")
    assert "Kestrel Example" in _text(client.get("/cases/"))


def test_the_chair_or_the_case_lead_is_one_rule_for_team_and_classification(app_ctx):
    from mettrack.cases import classification as case_classification
    from mettrack.cases import team as case_team

    chair = factories.user(roles=[Role.MET_CHAIR])
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    other_lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    coordinator = factories.user(roles=[Role.COORDINATOR])
    case = factories.case(lead=lead, members=[other_lead, coordinator])
    for user, expected in ((chair, True), (lead, True), (other_lead, False), (coordinator, False)):
        assert chair_or_case_lead(user, case, Perm.CASE_TEAM_MANAGE) is expected
        assert case_team.may_manage(user, case) is expected
        assert case_classification.may_edit(user, case) is expected
