"""What an agenda item shows of a child, for many cases at once, through the one case
projection (cases/projection.py): View.WHOLE for the members' copy, View.SANITISED for the
sanitised copy. The result is plain JSON (dates as ISO strings), so that issuing an agenda
stores it as it is (AgendaVersion.full / .sanitised) and a page, the API and the PDF
render the same thing.

A card's keys (a key the view withholds is present with None, or [] for a list):
    case_id, name (initials in the sanitised view), age, date_of_birth, address, school,
    nhs_number, exploitation_types [labels], flags [labels], risk_level, risk_level_label,
    suggested_risk_level, latest_assessment_on, lead_professional, lead_agency,
    police_tier, police_team, services [labels], missing_now (bool), open_missing_episode
    ({went_missing_at} or None), rhi_status, repeat_missing (bool), nrm_status,
    linked_children [], places [], persons [], disruptions [] (from the intelligence
    feature, meetings/intelligence_links.py), open_actions [{id, description, owner,
    agency, due_on, status, history: [{kind, on, note}]}], next_review_on, lead_update.

The number of queries does not grow with the number of cases.
"""

from sqlalchemy import select

from mettrack.cases import View, project
from mettrack.cases.models import Case
from mettrack.core.extensions import db


def cards_for(case_ids: list[int], view: View, *, meeting=None) -> dict[int, dict]:
    """The card of each case, by case id (see the module docstring). `meeting` gives the
    lead professionals' updates for that meeting (left out of the sanitised view)."""
    # The first slice: who the child is. The agenda slice fills in the rest of the keys.
    cases = db.session.scalars(select(Case).where(Case.id.in_(case_ids))).all()
    cards = {}
    for case in cases:
        shown = project(case, view)
        dob = shown.child.date_of_birth
        cards[case.id] = {
            "case_id": case.id,
            "name": shown.child.name,
            "age": shown.child.age,
            "date_of_birth": dob.isoformat() if dob else None,
            "address": shown.child.address,
            "school": shown.child.school,
            "nhs_number": shown.child.nhs_number,
        }
    return cards
