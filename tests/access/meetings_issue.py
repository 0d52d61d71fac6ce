"""Issued agendas (meetings/version_pages.py, meetings/agenda_api.py): issuing (MET chairs)
and reading the versions, the sanitised copy, the PDFs and the list (members)."""

from sqlalchemy import select

from mettrack.cases.models import Case
from mettrack.core.choices import AgendaSection, Role
from mettrack.core.extensions import db
from mettrack.meetings.models import AgendaItem, Meeting
from tests.access import CASE_ROLES, Route


def build_records(users: dict, meeting: Meeting) -> dict:
    """For tests/access/meetings.py: a case on {meeting}'s draft agenda, issued as version 1
    (its PDFs pending). No ids to add: the paths name version 1."""
    from mettrack.meetings import issue_agenda

    # The agenda's access records (meetings_agenda.py) may have put the case there already.
    case = db.session.scalar(select(Case).order_by(Case.id).limit(1))
    on_agenda = db.session.scalar(
        select(AgendaItem.id).where(AgendaItem.meeting_id == meeting.id, AgendaItem.case_id == case.id)
    )
    if on_agenda is None:
        db.session.add(
            AgendaItem(
                meeting_id=meeting.id,
                case_id=case.id,
                section=AgendaSection.HIGH_RISK.value,
                reasons=[{"section": AgendaSection.HIGH_RISK.value, "text": "high risk"}],
            )
        )
        db.session.commit()
    issue_agenda(users[Role.MET_CHAIR], meeting.id)
    return {}


CHAIR = dict(allowed=frozenset({Role.MET_CHAIR}), need_to_know=True, sees_all=frozenset({Role.MET_CHAIR}))
MEMBERS = dict(allowed=CASE_ROLES, need_to_know=True, sees_all=frozenset({Role.MET_CHAIR}))
BASE = "/meetings/{meeting}/agenda"
API_BASE = "/api/v1/meetings/{meeting}/agenda"

ROUTES = [
    Route("GET", "agenda_versions.issue", BASE + "/issue", **CHAIR),
    Route("POST", "agenda_versions.issue", BASE + "/issue", ok=302, data={"note": "Issued again"}, **CHAIR),
    Route("GET", "agenda_versions.versions", BASE + "/versions", **MEMBERS),
    Route("GET", "agenda_versions.version", BASE + "/versions/1", **MEMBERS),
    Route("GET", "agenda_versions.sanitised", BASE + "/versions/1/sanitised", **MEMBERS),
    # The PDFs are built by a worker: until then, "being prepared" (202).
    Route("GET", "agenda_versions.version_pdf", BASE + "/versions/1.pdf", ok=202, **MEMBERS),
    Route("GET", "agenda_versions.sanitised_pdf", BASE + "/versions/1/sanitised.pdf", ok=202, **MEMBERS),
    # "Try again" on a failed PDF: the world's are pending, so the chair is sent back to the
    # PDF's page with a message saying there is nothing to try again (302).
    Route("POST", "agenda_versions.retry_pdf", BASE + "/versions/1.pdf/retry", ok=302, **CHAIR),
    Route(
        "POST",
        "agenda_versions.retry_sanitised_pdf",
        BASE + "/versions/1/sanitised.pdf/retry",
        ok=302,
        **CHAIR,
    ),
    Route("GET", "api_agenda.Agenda", API_BASE, api=True, **MEMBERS),
    Route("GET", "api_agenda.AgendaVersions", API_BASE + "/versions", api=True, **MEMBERS),
    Route("POST", "api_agenda.AgendaVersions", API_BASE + "/versions", ok=201, api=True, data={}, **CHAIR),
]
