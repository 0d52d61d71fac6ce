"""CSERQ4 screenings: recording one, and the case it opens.

A screening is recorded on the child's open case; a child with no open case gets one,
opened in `screened` by the workflow table's `open_by_screening`. A child never has two
open cases: the child's row is locked while the case is looked up, and the database's
one-open-case index (uq_cases_one_open_per_child) is the last word (a race is a Conflict).
The screener always joins the case's team, so they keep their need-to-know.
Who may reach a child is the child record's own rule (children/records.child_scope).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from mettrack.cases import get_for, workflow
from mettrack.cases.models import Case, CaseEvent, CaseTeamMember
from mettrack.children import child_scope
from mettrack.children.models import Child
from mettrack.core import audit
from mettrack.core.choices import CaseAction, CaseEventKind, CaseState, Role, ScreeningOutcome, TeamRole
from mettrack.core.clock import now
from mettrack.core.errors import Conflict, ValidationError
from mettrack.core.extensions import db
from mettrack.core.form_input import parse_date, parse_int, parse_text, parse_yes_no
from mettrack.core.permissions import Perm, can, deny_record, deny_role
from mettrack.core.unit_of_work import transaction
from mettrack.language import audit_detail, check_before_saving
from mettrack.screening.cserq4 import ScreeningAnswers, ScreeningInputError, ScreeningResult, screen
from mettrack.screening.models import Screening

# The answers' fields, in the order of the form (error summaries follow it).
FIELDS = (
    "screened_on",
    "child_age",
    "went_missing",
    "partner_age",
    "controlling_relationship",
    "frequents_exploitation_areas",
    "notes",
)
QUESTION_FIELDS = {
    "went_missing": "question 1",
    "controlling_relationship": "question 3",
    "frequents_exploitation_areas": "question 4",
}
MAX_NOTES = 5000


@dataclass(frozen=True)
class ScreeningRecorded:
    screening: Screening
    case: Case
    case_started: bool
    result: ScreeningResult
    # Where to refer: set when the screening has a yes.
    mash_contact: dict | None


def mash_contact() -> dict:
    config = current_app.config
    return {
        "name": config["MASH_CONTACT_NAME"],
        "phone": config["MASH_CONTACT_PHONE"],
        "email": config["MASH_CONTACT_EMAIL"],
    }


@transaction
def screen_child(
    user, child_id: int, answers: Mapping, today: date, *, save_anyway: bool = False
) -> ScreeningRecorded:
    """Who: any professional role (Perm.CASE_SCREEN) who may reach the child (NotFound
    otherwise). Applies CSERQ4 to `answers` (form or JSON values, see FIELDS) and records
    the screening on the child's open case, opening one in `screened` if there is none
    (the screener leads it if they hold lead_professional). The screener joins the team.
    `today` is the local date, for rejecting future dates.

    Raises ValidationError naming each bad field (nothing is saved), Conflict when
    another screening opened a case for the child at the same moment, WordingFlagged
    when the language check flags the notes and `save_anyway` is false (nothing is
    saved; saved anyway, the audit row names the list entries flagged)."""
    if not can(user, Perm.CASE_SCREEN):
        raise deny_role("child", child_id, "screening.recorded")
    child = db.session.scalar(
        select(Child).where(Child.id == child_id, child_scope(user)).with_for_update(of=Child)
    )
    if child is None:
        raise deny_record("child", child_id, "screening.recorded")

    result, values = _screened(child, answers, today)
    flagged = check_before_saving(
        {"notes": values["notes"]}, save_anyway=save_anyway, labels={"notes": "Notes"}
    )

    case = db.session.scalar(
        select(Case).where(Case.child_id == child.id, Case.state != CaseState.CLOSED.value)
    )
    case_started = case is None
    if case_started:
        case = _open_case(user, child)
    elif not any(member.user_id == user.id for member in case.team):
        case.team.append(CaseTeamMember(user_id=user.id, team_role=TeamRole.MEMBER.value))

    screening = Screening(
        screened_on=values["screened_on"],
        child_age=result.child_age,
        went_missing=values["went_missing"],
        partner_age=values["partner_age"],
        older_partner=result.q2_answer.value,
        controlling_relationship=values["controlling_relationship"],
        frequenting_areas=values["frequents_exploitation_areas"],
        outcome=result.outcome.value,
        notes=values["notes"],
        screened_by_id=user.id,
        recorded_at=now(),
    )
    try:
        db.session.add(case)
        db.session.flush()
        screening.case_id = case.id
        db.session.add(screening)
        db.session.flush()
        audit.record(
            "screening.recorded",
            "screening",
            screening.id,
            detail={
                "case_id": case.id,
                "child_id": child.id,
                "outcome": result.outcome.value,
                "case_started": case_started,
                **audit_detail(flagged),
            },
            actor=user,
        )
        if case_started:
            audit.record("case.opened", "case", case.id, detail={"child_id": child.id}, actor=user)
    except IntegrityError:
        raise Conflict("the child's open case changed while screening") from None
    return ScreeningRecorded(
        screening=screening,
        case=case,
        case_started=case_started,
        result=result,
        mash_contact=mash_contact() if result.outcome is ScreeningOutcome.REFER else None,
    )


def _screened(child: Child, answers: Mapping, today: date) -> tuple[ScreeningResult, dict]:
    errors: dict[str, str] = {}
    values = {
        "screened_on": parse_date(answers, "screened_on", "Screening date", errors, default=today),
        "child_age": parse_int(answers, "child_age", "The child's age", errors),
        "partner_age": parse_int(answers, "partner_age", "The partner's age", errors),
        "notes": parse_text(answers, "notes", "Notes", errors, max_length=MAX_NOTES),
    }
    for field, question in QUESTION_FIELDS.items():
        values[field] = parse_yes_no(answers, field, f"Answer {question}: yes or no", errors)
    if errors:
        raise ValidationError(_in_form_order(errors))
    try:
        result = screen(
            ScreeningAnswers(
                screened_on=values["screened_on"],
                date_of_birth=child.date_of_birth,
                entered_age=values["child_age"],
                went_missing=values["went_missing"],
                partner_age=values["partner_age"],
                controlling_relationship=values["controlling_relationship"],
                frequents_exploitation_areas=values["frequents_exploitation_areas"],
            ),
            today=today,
        )
    except ScreeningInputError as e:
        raise ValidationError(_in_form_order(_form_fields(e.errors, child))) from None
    return result, values


def _form_fields(errors: dict[str, str], child: Child) -> dict[str, str]:
    # The form asks for the child's age only when the record has no date of birth, so
    # cserq4's "enter the date of birth or the age" belongs beside the age field.
    fields = {}
    for field, message in errors.items():
        if field == "entered_age" or (field == "date_of_birth" and child.date_of_birth is None):
            fields["child_age"] = message
        elif field == "date_of_birth":
            fields["date_of_birth"] = f"The child's recorded date of birth cannot be used: {message}"
        else:
            fields[field] = message
    return fields


def _in_form_order(errors: dict[str, str]) -> dict[str, str]:
    return {f: errors[f] for f in FIELDS if f in errors} | {
        f: m for f, m in errors.items() if f not in FIELDS
    }


def _open_case(user, child: Child) -> Case:
    decision = workflow.decide(
        workflow.NO_CASE, CaseAction.OPEN_BY_SCREENING, user.roles, workflow.CaseFacts()
    )
    if not decision.allowed:  # every screening role may open a case; kept in case the table changes
        raise ValidationError({"case": " ".join(decision.reasons)})
    leads = user.has_role(Role.LEAD_PROFESSIONAL)
    case = Case(
        child_id=child.id,
        state=decision.to_state.value,
        lead_professional_id=user.id if leads else None,
        lead_agency_id=user.agency_id if leads else None,
        opened_at=now(),
    )
    case.team.append(
        CaseTeamMember(user_id=user.id, team_role=(TeamRole.LEAD if leads else TeamRole.MEMBER).value)
    )
    case.events.append(
        CaseEvent(
            occurred_at=now(),
            actor_id=user.id,
            action=CaseEventKind(decision.action).value,
            from_state=None,
            to_state=decision.to_state.value,
            reason="CSERQ4 screening recorded",
        )
    )
    return case


def screenings_for_case(user, case_id: int) -> tuple[Case, list[Screening]]:
    """Who: any role with case.view, on a case within their need-to-know (NotFound
    otherwise). The case and its screenings, newest first; the read is audited."""
    case = get_for(user, case_id, action="screening.listed")
    return case, screenings_of(case)


def screenings_of(case: Case) -> list[Screening]:
    """A case's screenings, newest first (for a page that has already read the case)."""
    return list(
        db.session.scalars(
            select(Screening)
            .where(Screening.case_id == case.id)
            .order_by(Screening.recorded_at.desc(), Screening.id.desc())
        )
    )
