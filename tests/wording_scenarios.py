"""Every form and API request that saves free text about a child, set up so that only the
text decides whether it is saved: the language check's tests (tests/web/ and tests/api/
test_wording_check_*.py) run each through the same three cases (flagged: shown again,
nothing saved; saved anyway: saved, the audit row names the phrase; clean: saved at once).

`build(user_id)` runs inside an app context with the clock at NOW and the reference
lists, risk indicators and language list seeded; it makes the records the form needs and
returns a Scenario. `stored()` reads back the text saved in the field (None when not).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, select

from mettrack.accounts.models import User
from mettrack.cases.models import Case, CaseEvent
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import CaseState, Role
from mettrack.core.extensions import db
from mettrack.language import phrases as language_phrases
from mettrack.missing.models import MissingEpisode
from mettrack.reference import data as reference_data
from mettrack.risk import catalogue as risk_catalogue
from mettrack.risk.models import RiskAssessment, RiskIndicator, RiskRating
from mettrack.screening.models import Screening
from mettrack.specialist_services import seed_services
from mettrack.specialist_services.models import ServiceRequest
from tests import factories
from tests.dates import date_fields
from tests.factories import accepted_service

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
FLAGGED = "Her carer says she is putting herself at risk by meeting adults in the park."
WRITTEN = "putting herself at risk"  # as FLAGGED writes it
PHRASE = "putting themselves at risk"  # the list entry it matches
SUGGESTION = "may have been groomed; is at increased risk of being exploited"
CLEAN = "Her carer is worried about the adults who meet her in the park."


def seed_lists() -> None:
    reference_data.seed_defaults()
    seed_services()
    risk_catalogue.seed_defaults()
    language_phrases.seed_defaults()
    db.session.commit()


@dataclass
class Scenario:
    page: str  # the form's address
    form: Callable[[str], dict]  # the form's fields, with the text
    method: str  # the API request
    path: str
    body: Callable[[str], dict]  # the API request's JSON, with the text
    field: str  # the field holding the text, in the form and the API
    action: str  # the audit row of the save
    stored: Callable[[], str | None]
    # How many rows of `action` were there before: the moves that made the case wrote some.
    audit_before: int = 0


def _fresh(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


def _child(user_id: int | None):
    return factories.child(
        date_of_birth=date(2011, 5, 1), address="1 Nowhere Lane, Demotown, ZZ99 1ZZ", created_by_id=user_id
    )


def _case(user_id: int | None, state: CaseState, screening: str | None = None) -> Case:
    """A case led by `user_id` (None: led by no one, for the MET chair or a coordinator),
    with an exploitation type, which the moves into and out of `referred` need."""
    lead = db.session.get(User, user_id) if user_id else None
    case = factories.case(lead=lead, state=state, child_obj=_child(user_id), exploitation_types=("cse",))
    if screening:
        db.session.add(
            Screening(
                case_id=case.id,
                screened_on=date(2026, 3, 1),
                child_age=14,
                went_missing=screening == "refer",
                older_partner="unknown",
                controlling_relationship=False,
                frequenting_areas=False,
                outcome=screening,
                screened_by_id=user_id,
            )
        )
        db.session.commit()
    return case


def _last_event_reason(case_id: int) -> Callable[[], str | None]:
    """The reason of the event the scenario's move adds (None before it: the case was made
    through its own moves, whose events come first)."""
    made = db.session.scalar(select(func.max(CaseEvent.id)).where(CaseEvent.case_id == case_id))

    def stored():
        db.session.expire_all()
        return db.session.scalar(
            select(CaseEvent.reason)
            .where(CaseEvent.case_id == case_id, CaseEvent.id > made)
            .order_by(CaseEvent.id.desc())
            .limit(1)
        )

    return stored


def _move(case: Case, action: str, field: str, stored, **fields) -> Scenario:
    version = case.version
    return Scenario(
        page=f"/cases/{case.id}/moves/{action}",
        form=lambda text: {"version": str(version), **fields, field: text},
        method="POST",
        path=f"/api/v1/cases/{case.id}/transitions",
        body=lambda text: {"action": action, "version": version, **fields, field: text},
        field=field,
        action="case.transition",
        stored=stored,
        audit_before=db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "case.transition")
        ),
    )


# --- screenings


def screening_notes(user_id: int) -> Scenario:
    child = _child(user_id)
    answers = {"went_missing": "yes", "controlling_relationship": "no", "frequents_exploitation_areas": "no"}

    def stored():
        db.session.expire_all()
        return db.session.scalar(
            select(Screening.notes).join(Case).where(Case.child_id == child.id).order_by(Screening.id.desc())
        )

    return Scenario(
        page=f"/children/{child.id}/screen",
        form=lambda text: {
            **date_fields("screened_on", "2026-03-01"),
            "partner_age": "",
            **answers,
            "notes": text,
        },
        method="POST",
        path=f"/api/v1/children/{child.id}/screenings",
        body=lambda text: {
            "screened_on": "2026-03-01",
            **{name: value == "yes" for name, value in answers.items()},
            "notes": text,
        },
        field="notes",
        action="screening.recorded",
        stored=stored,
    )


# --- case moves


def refer_override_reason(user_id: int) -> Scenario:
    case = _case(user_id, CaseState.SCREENED, screening="no_referral")
    return _move(
        case,
        "refer",
        "override_reason",
        lambda: _fresh(Case, case.id).referral_override_reason,
        mash_reference="MASH-1",
    )


def refer_outcome(user_id: int) -> Scenario:
    case = _case(user_id, CaseState.SCREENED, screening="refer")
    return _move(
        case,
        "refer",
        "referral_outcome",
        lambda: _fresh(Case, case.id).referral_outcome,
        mash_reference="MASH-1",
    )


def close_no_further_action_note(user_id: int) -> Scenario:
    case = _case(user_id, CaseState.SCREENED, screening="no_referral")
    return _move(case, "close_no_further_action", "note", lambda: _fresh(Case, case.id).closure_note)


def _assessed(case: Case, user_id: int) -> Case:
    db.session.add(
        RiskAssessment(
            case_id=case.id,
            assessed_by_id=user_id,
            assessed_at=NOW,
            suggested_level="medium",
            chosen_level="medium",
            rationale="Assessed with the child and their carer.",
            next_review_on=date(2026, 4, 1),
        )
    )
    db.session.commit()
    return case


def send_to_met_review_reason(user_id: int) -> Scenario:
    case = _assessed(_case(user_id, CaseState.REFERRED), user_id)
    return _move(case, "send_to_met_review", "reason", _last_event_reason(case.id))


def send_back_to_review_reason(user_id: int) -> Scenario:
    case = _assessed(_case(None, CaseState.POLICE_TIERED), user_id)
    return _move(case, "send_back_to_review", "reason", _last_event_reason(case.id))


def close_note(user_id: int) -> Scenario:
    case = _case(None, CaseState.MET_REVIEW)
    return _move(
        case, "close", "note", lambda: _fresh(Case, case.id).closure_note, exit_reason="risk_reduced"
    )


def reopen_reason(user_id: int) -> Scenario:
    case = _case(None, CaseState.CLOSED)
    return _move(case, "reopen", "reason", _last_event_reason(case.id))


# --- risk assessments


def _risk(user_id: int, field: str, stored_of) -> Scenario:
    case = _case(user_id, CaseState.REFERRED)
    version = case.version
    nones = {indicator.code: "none" for indicator in risk_catalogue.list_active()}
    reason = "A man of 24 collects her from school."
    rationale = "Significant risk of sexual exploitation."

    def texts(text):
        return (text, rationale) if field.startswith("ratings.") else (reason, text)

    def form(text):
        reason_text, rationale_text = texts(text)
        return {
            "version": str(version),
            **{f"ratings.{code}.rating": rating for code, rating in nones.items()},
            "ratings.older_partner.rating": "high",
            "ratings.older_partner.period": "current",
            "ratings.older_partner.reason": reason_text,
            "chosen_level": "high",
            "rationale": rationale_text,
        }

    def body(text):
        reason_text, rationale_text = texts(text)
        return {
            "version": version,
            "ratings": {"older_partner": {"rating": "high", "period": "current", "reason": reason_text}},
            "chosen_level": "high",
            "rationale": rationale_text,
        }

    def stored():
        db.session.expire_all()
        latest = db.session.scalar(
            select(RiskAssessment).where(RiskAssessment.case_id == case.id).order_by(RiskAssessment.id.desc())
        )
        return stored_of(latest) if latest else None

    return Scenario(
        page=f"/cases/{case.id}/risk-assessments/new",
        form=form,
        method="POST",
        path=f"/api/v1/cases/{case.id}/risk-assessments",
        body=body,
        field=field,
        action="risk_assessment.recorded",
        stored=stored,
    )


def risk_rationale(user_id: int) -> Scenario:
    return _risk(user_id, "rationale", lambda assessment: assessment.rationale)


def risk_indicator_reason(user_id: int) -> Scenario:
    def reason_of(assessment):
        return db.session.scalar(
            select(RiskRating.reason)
            .join(RiskIndicator)
            .where(RiskRating.assessment_id == assessment.id, RiskIndicator.code == "older_partner")
        )

    return _risk(user_id, "ratings.older_partner.reason", reason_of)


# --- missing episodes and Return Home Interviews


def _when(name: str, moment: datetime) -> dict:
    # NOW is in March: London time is UTC.
    return {
        f"{name}-day": str(moment.day),
        f"{name}-month": str(moment.month),
        f"{name}-year": str(moment.year),
        f"{name}-time": moment.strftime("%H:%M"),
    }


def _episode(case: Case, user_id: int, went: datetime, returned: datetime | None = None) -> MissingEpisode:
    episode = MissingEpisode(
        case_id=case.id, went_missing_at=went, returned_at=returned, recorded_by_id=user_id
    )
    db.session.add(episode)
    db.session.commit()
    return episode


def missing_where_found(user_id: int) -> Scenario:
    case = _case(user_id, CaseState.SCREENED)
    went = datetime(2026, 3, 1, 22, 30, tzinfo=UTC)

    def stored():
        db.session.expire_all()
        return db.session.scalar(select(MissingEpisode.where_found).where(MissingEpisode.case_id == case.id))

    return Scenario(
        page=f"/cases/{case.id}/missing/new",
        form=lambda text: {**_when("went_missing_at", went), "where_found": text},
        method="POST",
        path=f"/api/v1/cases/{case.id}/missing-episodes",
        body=lambda text: {"went_missing_at": went.isoformat(), "where_found": text},
        field="where_found",
        action="missing.recorded",
        stored=stored,
    )


def return_where_found(user_id: int) -> Scenario:
    case = _case(user_id, CaseState.SCREENED)
    episode = _episode(case, user_id, datetime(2026, 2, 28, 22, 0, tzinfo=UTC))
    returned = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    return Scenario(
        page=f"/cases/{case.id}/missing/{episode.id}/return",
        form=lambda text: {**_when("returned_at", returned), "where_found": text},
        method="PATCH",
        path=f"/api/v1/cases/{case.id}/missing-episodes/{episode.id}",
        body=lambda text: {"returned_at": returned.isoformat(), "where_found": text},
        field="where_found",
        action="missing.updated",
        stored=lambda: _fresh(MissingEpisode, episode.id).where_found,
    )


def rhi_learning(user_id: int) -> Scenario:
    case = _case(user_id, CaseState.SCREENED)
    returned = datetime(2026, 2, 28, 10, 0, tzinfo=UTC)
    episode = _episode(case, user_id, datetime(2026, 2, 27, 22, 0, tzinfo=UTC), returned)
    offered, held = datetime(2026, 2, 28, 12, 0, tzinfo=UTC), datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    by = "Independent RHI worker, Demo Children's Charity"
    return Scenario(
        page=f"/cases/{case.id}/missing/{episode.id}/rhi",
        form=lambda text: {
            "rhi_status": "accepted",
            **_when("rhi_offered_at", offered),
            **_when("rhi_held_at", held),
            "rhi_by": by,
            "rhi_learning": text,
        },
        method="PATCH",
        path=f"/api/v1/cases/{case.id}/missing-episodes/{episode.id}",
        body=lambda text: {
            "rhi_status": "accepted",
            "rhi_offered_at": offered.isoformat(),
            "rhi_held_at": held.isoformat(),
            "rhi_by": by,
            "rhi_learning": text,
        },
        field="rhi_learning",
        action="missing.updated",
        stored=lambda: _fresh(MissingEpisode, episode.id).rhi_learning,
    )


# --- specialist services


def service_end_note(user_id: int) -> Scenario:
    case = _case(None, CaseState.SERVICE_ASSIGNED)
    assignment = accepted_service(case.id, user_id, "parcs", accepted_on=date(2026, 2, 1))
    db.session.add(assignment)
    db.session.commit()
    return Scenario(
        page=f"/cases/{case.id}/services/{assignment.id}/end",
        form=lambda text: {**date_fields("ended_on", "2026-03-01"), "outcome": "completed", "note": text},
        method="PATCH",
        path=f"/api/v1/cases/{case.id}/service-assignments/{assignment.id}",
        body=lambda text: {"ended_on": "2026-03-01", "note": text},
        field="note",
        action="service_assignment.ended",
        stored=lambda: _fresh(ServiceRequest, assignment.id).note,
    )


# name -> (the role that writes it, the builder)
SCENARIOS: dict[str, tuple[Role, Callable[[int], Scenario]]] = {
    "screening notes": (Role.LEAD_PROFESSIONAL, screening_notes),
    "refer: professional judgement": (Role.LEAD_PROFESSIONAL, refer_override_reason),
    "refer: outcome of the referral": (Role.LEAD_PROFESSIONAL, refer_outcome),
    "close as no further action: note": (Role.LEAD_PROFESSIONAL, close_no_further_action_note),
    "send to MET review: reason": (Role.LEAD_PROFESSIONAL, send_to_met_review_reason),
    "send back to review: reason": (Role.MET_CHAIR, send_back_to_review_reason),
    "close: note": (Role.MET_CHAIR, close_note),
    "reopen: the new concerns": (Role.MET_CHAIR, reopen_reason),
    "risk assessment: rationale": (Role.LEAD_PROFESSIONAL, risk_rationale),
    "risk assessment: an indicator's reason": (Role.LEAD_PROFESSIONAL, risk_indicator_reason),
    "missing episode: where found": (Role.LEAD_PROFESSIONAL, missing_where_found),
    "return: where found": (Role.LEAD_PROFESSIONAL, return_where_found),
    "Return Home Interview: what was learnt": (Role.LEAD_PROFESSIONAL, rhi_learning),
    "end of a specialist service: note": (Role.COORDINATOR, service_end_note),
}
