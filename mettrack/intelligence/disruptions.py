"""Disruption actions against a person of concern or a location: a Child Abduction Warning
Notice, a Sexual Risk Order, a closure notice ... from the catalogue an admin keeps
(disruption_catalogue.py). docs/intelligence-disruption.md.

Who: reviewers (Perm.INTEL_REVIEW: MET chairs and police users with a case role) create
and change actions; reading goes through access.disruption_for / disruption_scope with
Perm.INTEL_VIEW, so others see an action on a person or place within their reach, or one
protecting a child whose case they can see.

The children an action protects are named only to those who may see that case's whole
record (cases.case_scope); everyone else sees "a child (no access)".

A kind that checks_cawn (the CAWN) names exactly one protected child per notice: the use
case works out the child's age today and looked-after status, asks cawn.cawn_section which
section the notice cites, stores it, and refuses the action when neither applies.

Every read and change writes an audit row naming ids and codes only.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from mettrack.accounts.agency import Agency
from mettrack.accounts.models import User
from mettrack.cases import case_scope
from mettrack.cases.models import Case
from mettrack.children.models import Child
from mettrack.core import audit
from mettrack.core.choices import CawnSection, DisruptionStatus
from mettrack.core.clock import now, today
from mettrack.core.errors import Conflict, ValidationError
from mettrack.core.extensions import db
from mettrack.core.form_input import date_value, parse_text, parse_version
from mettrack.core.limits import DATABASE_INT_MAX, MAX_DISRUPTION_DETAILS
from mettrack.core.permissions import Perm, require
from mettrack.core.unit_of_work import transaction
from mettrack.intelligence.access import (
    disruption_for,
    disruption_scope,
    is_reviewer,
    location_scope,
    person_scope,
)
from mettrack.intelligence.cawn import cawn_section
from mettrack.intelligence.models import (
    DisruptionAction,
    DisruptionChild,
    DisruptionKind,
    Location,
    PersonOfConcern,
)
from mettrack.language import audit_detail, check_before_saving

NO_ACCESS = "a child (no access)"
# The order the form shows them, and errors are listed in.
FIELDS = (
    "kind",
    "person_id",
    "location_id",
    "owner_agency_id",
    "owner_user_id",
    "status",
    "planned_on",
    "starts_on",
    "expires_on",
    "ended_on",
    "details",
    "protected_case_ids",
)
DATE_LABELS = {
    "planned_on": "The planned date",
    "starts_on": "The date it is in force from",
    "expires_on": "The expiry date",
    "ended_on": "The date it ended",
}
TEXT_LABELS = {"details": "Details"}  # the free text the language check reads
TARGET_MISSING = "Choose a person of concern or a location (or both) the action is against"
REVIEWERS_ONLY = "Only a MET chair or a police officer with a case role may record disruption actions."


# --- reading ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ProtectedChild:
    case_id: int | None  # None when the viewer may not see the case's record
    name: str  # the child's name, or NO_ACCESS


@dataclass(frozen=True)
class DisruptionView:
    id: int
    kind_id: int
    kind_code: str
    kind_name: str
    has_expiry: bool
    checks_cawn: bool
    person_id: int | None
    person_name: str | None
    location_id: int | None
    location_name: str | None
    owner_agency_id: int
    owner_agency_name: str
    owner_user_id: int | None
    owner_user_name: str | None
    status: str
    status_label: str
    planned_on: date | None
    starts_on: date | None
    expires_on: date | None
    ended_on: date | None
    details: str | None
    cawn_section: str | None
    cawn_text: str | None  # which section, in words
    protected: tuple[ProtectedChild, ...]
    protected_case_ids: tuple[int, ...]  # every case it protects (reviewers' forms)
    created_by_id: int
    version: int
    may_edit: bool


def _visible_case_ids(user, case_ids) -> set[int]:
    ids = [c for c in case_ids if c is not None]
    if not ids:
        return set()
    return set(db.session.scalars(select(Case.id).where(Case.id.in_(ids), case_scope(user))))


def _view(user, action: DisruptionAction, visible: set[int]) -> DisruptionView:
    protected = []
    for link in action.protected:
        if link.case_id in visible:
            protected.append(ProtectedChild(link.case_id, link.case.child.display_name))
        else:
            protected.append(ProtectedChild(None, NO_ACCESS))
    section = CawnSection(action.cawn_section) if action.cawn_section in CawnSection.values() else None
    reviewer = is_reviewer(user)
    return DisruptionView(
        id=action.id,
        kind_id=action.kind_id,
        kind_code=action.kind.code,
        kind_name=action.kind.name,
        has_expiry=action.kind.has_expiry,
        checks_cawn=action.kind.checks_cawn,
        person_id=action.person_id,
        person_name=action.person.name if action.person else None,
        location_id=action.location_id,
        location_name=action.location.name if action.location else None,
        owner_agency_id=action.owner_agency_id,
        owner_agency_name=action.owner_agency.name,
        owner_user_id=action.owner_user_id,
        owner_user_name=action.owner_user.name if action.owner_user else None,
        status=action.status,
        status_label=DisruptionStatus(action.status).label,
        planned_on=action.planned_on,
        starts_on=action.starts_on,
        expires_on=action.expires_on,
        ended_on=action.ended_on,
        details=action.details,
        cawn_section=action.cawn_section,
        cawn_text=section.label if section else None,
        protected=tuple(protected),
        # Which children an action protects is itself case detail: reviewers only.
        protected_case_ids=(
            tuple(p.case_id for p in action.protected if p.case_id in visible) if reviewer else ()
        ),
        created_by_id=action.created_by_id,
        version=action.version,
        may_edit=reviewer,
    )


@transaction
def get_for(user, action_id) -> DisruptionView:
    """Who: Perm.INTEL_VIEW, the action within reach (403 / 404 otherwise, audited).
    Audited as disruption.viewed."""
    action = disruption_for(user, action_id, Perm.INTEL_VIEW, "disruption.view")
    audit.record("disruption.viewed", "disruption", action.id, actor=user)
    return _view(user, action, _visible_case_ids(user, [p.case_id for p in action.protected]))


@transaction
def list_for(user, *, person_id: int | None = None, location_id: int | None = None) -> list[DisruptionView]:
    """Who: Perm.INTEL_VIEW. The actions within reach (reviewers: all), soonest expiry first
    then newest; narrowed to a person or a location when given. Audited with the ids shown."""
    require(user, Perm.INTEL_VIEW, "disruption.list")
    query = select(DisruptionAction).where(disruption_scope(user))
    if person_id is not None:
        query = query.where(DisruptionAction.person_id == person_id)
    if location_id is not None:
        query = query.where(DisruptionAction.location_id == location_id)
    actions = list(
        db.session.scalars(
            query.order_by(
                DisruptionAction.expires_on.is_(None),
                DisruptionAction.expires_on,
                DisruptionAction.id.desc(),
            )
        ).unique()
    )
    visible = _visible_case_ids(user, [p.case_id for a in actions for p in a.protected])
    audit.record(
        "disruption.listed",
        "disruption",
        None,
        detail={"ids": [a.id for a in actions], "person_id": person_id, "location_id": location_id},
        actor=user,
    )
    return [_view(user, a, visible) for a in actions]


# --- the form's choices ------------------------------------------------------------------


def kind_options(current_kind_id: int | None = None) -> list[DisruptionKind]:
    """The active kinds, in catalogue order (and the action's own, if since deactivated)."""
    kinds = db.session.scalars(
        select(DisruptionKind).order_by(DisruptionKind.sort_order, DisruptionKind.name)
    ).all()
    return [k for k in kinds if k.active or k.id == current_kind_id]


@transaction
def form_options(user, action: DisruptionView | None = None) -> dict:
    """What the reviewer's form offers: kinds, persons and places within reach, agencies,
    active users, and the cases the reviewer may see (by child's name). Names persons,
    places and children: audited as disruption.form_viewed with their ids."""
    require(user, Perm.INTEL_REVIEW, "disruption.form")
    persons = db.session.execute(
        select(PersonOfConcern.id, PersonOfConcern.name)
        .where(person_scope(user))
        .order_by(PersonOfConcern.name)
    ).all()
    places = db.session.execute(
        select(Location.id, Location.name).where(location_scope(user)).order_by(Location.name)
    ).all()
    agencies = db.session.execute(select(Agency.id, Agency.name).order_by(Agency.name)).all()
    users = db.session.execute(
        select(User.id, User.name).where(User.active.is_(True)).order_by(User.name)
    ).all()
    cases = db.session.execute(
        select(Case.id, Child.first_name, Child.last_name)
        .join(Child, Child.id == Case.child_id)
        .where(case_scope(user))
        .order_by(Child.last_name, Child.first_name, Case.id)
    ).all()
    kinds = kind_options(action.kind_id if action else None)
    audit.record(
        "disruption.form_viewed",
        "disruption",
        action.id if action else None,
        detail={
            "person_ids": [i for i, _ in persons],
            "location_ids": [i for i, _ in places],
            "case_ids": [i for i, _, _ in cases],
        },
        actor=user,
    )
    return {
        "kinds": [(k.code, k.name) for k in kinds],
        "persons": [(str(i), n) for i, n in persons],
        "locations": [(str(i), n) for i, n in places],
        "agencies": [(str(i), n) for i, n in agencies],
        "users": [(str(i), n) for i, n in users],
        "cases": [(str(i), f"{first} {last} (case #{i})") for i, first, last in cases],
        "statuses": DisruptionStatus.choices(),
    }


# --- checking input ----------------------------------------------------------------------


def _one_id(data: Mapping, name: str, message: str, errors: dict) -> int | None:
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        errors[name] = message
        return None
    text = value.strip() if isinstance(value, str) else None
    if text is not None and text.isascii() and text.isdigit() and len(text) <= 10:
        value = int(text)
    if not isinstance(value, int) or not 1 <= value <= DATABASE_INT_MAX:
        errors[name] = message
        return None
    return value


def _id_list(data: Mapping, name: str, errors: dict) -> list[int]:
    if hasattr(data, "getlist"):
        raw = data.getlist(name)
    else:
        raw = data.get(name)
        raw = [] if raw is None else raw
        if not isinstance(raw, list | tuple):
            errors[name] = "Give the children's cases as a list of case numbers"
            return []
    found: list[int] = []
    for value in raw:
        number = _one_id({name: value}, name, "Give each child's case as its number", errors)
        if name in errors:
            return []
        if number is not None and number not in found:
            found.append(number)
    return found


def _age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def cawn_outcome(case_id: int) -> tuple[CawnSection | None, str]:
    """The CAWN check for the child of this case, today: (section or None, why)."""
    child = db.session.scalar(select(Child).join(Case, Case.child_id == Child.id).where(Case.id == case_id))
    if child is None:
        return None, "The child's record could not be found."
    age = _age_on(child.date_of_birth, today()) if child.date_of_birth else None
    return cawn_section(age, bool(child.looked_after), child.looked_after_status)


def _checked(user, data: Mapping, action: DisruptionAction | None) -> dict:
    """The values to save, or ValidationError naming each bad field."""
    errors: dict[str, str] = {}
    values: dict = {}

    code = data.get("kind")
    code = code.strip() if isinstance(code, str) else None
    kind = db.session.scalar(select(DisruptionKind).where(DisruptionKind.code == code)) if code else None
    if not code:
        errors["kind"] = "Choose the kind of disruption action"
    elif kind is None or not (kind.active or (action is not None and action.kind_id == kind.id)):
        errors["kind"] = "Choose a kind of disruption action from the catalogue (this one is not offered)"
        kind = None
    values["kind_id"] = kind.id if kind else None

    person_id = _one_id(data, "person_id", "Choose a person of concern from the list", errors)
    if person_id is not None and not db.session.scalar(
        select(PersonOfConcern.id).where(PersonOfConcern.id == person_id, person_scope(user))
    ):
        errors["person_id"] = "Choose a person of concern from the list (there is no person with this number)"
    values["person_id"] = person_id
    location_id = _one_id(data, "location_id", "Choose a location from the list", errors)
    if location_id is not None and not db.session.scalar(
        select(Location.id).where(Location.id == location_id, location_scope(user))
    ):
        errors["location_id"] = "Choose a location from the list (there is no location with this number)"
    values["location_id"] = location_id
    if person_id is None and location_id is None and not {"person_id", "location_id"} & errors.keys():
        errors["person_id"] = TARGET_MISSING

    agency_id = _one_id(data, "owner_agency_id", "Choose the agency that owns the action", errors)
    if agency_id is None and "owner_agency_id" not in errors:
        agency_id = user.agency_id  # the reviewer's own, when none is chosen
    elif agency_id is not None and db.session.get(Agency, agency_id) is None:
        errors["owner_agency_id"] = "Choose an agency from the list (there is no agency with this number)"
    values["owner_agency_id"] = agency_id
    owner_id = _one_id(data, "owner_user_id", "Choose the person who owns the action from the list", errors)
    if owner_id is not None:
        owner = db.session.get(User, owner_id)
        if owner is None or not owner.active:
            errors["owner_user_id"] = "Choose an active user from the list as the owner"
    values["owner_user_id"] = owner_id

    status = data.get("status")
    status = status.strip() if isinstance(status, str) else status
    if status in (None, ""):
        status = DisruptionStatus.PLANNED.value
    if status not in DisruptionStatus.values():
        errors["status"] = f"Choose the status from: {', '.join(DisruptionStatus.values())}"
    values["status"] = status

    for name, label in DATE_LABELS.items():
        values[name] = date_value(data.get(name), name, label, errors)
    starts, expires, ended = values["starts_on"], values["expires_on"], values["ended_on"]
    if kind is not None and kind.has_expiry and status == DisruptionStatus.IN_FORCE.value:
        if starts is None and "starts_on" not in errors:
            errors["starts_on"] = f"Enter the date the {kind.name} is in force from"
        if expires is None and "expires_on" not in errors:
            errors["expires_on"] = (
                f"Enter the date the {kind.name} expires: it is needed while it is in force"
            )
    if starts and expires and expires <= starts and "expires_on" not in errors:
        errors["expires_on"] = "The expiry date must be after the date it is in force from"
    if starts and ended and ended < starts and "ended_on" not in errors:
        errors["ended_on"] = "The date it ended must be on or after the date it was in force from"

    values["details"] = parse_text(data, "details", "The details", errors, max_length=MAX_DISRUPTION_DETAILS)

    case_ids = _id_list(data, "protected_case_ids", errors)
    if case_ids and "protected_case_ids" not in errors:
        # One already on the action stays, though this reviewer may not see it (update keeps it).
        within = _visible_case_ids(user, case_ids) | {p.case_id for p in (action.protected if action else [])}
        if set(case_ids) - within:
            errors["protected_case_ids"] = (
                "Choose the children from the list (a case number given is not one you can see)"
            )
    values["protected_case_ids"] = case_ids

    values["cawn_section"] = None
    values["cawn_reason"] = None
    if kind is not None and kind.checks_cawn and "protected_case_ids" not in errors:
        if len(case_ids) != 1:
            errors["protected_case_ids"] = (
                f"A {kind.name} protects one child: choose exactly one child (one notice per child)"
            )
        elif _needs_cawn_check(action, values):
            section, reason = cawn_outcome(case_ids[0])
            if section is None:
                errors["protected_case_ids"] = f"The notice cannot be given for this child. {reason}"
            else:
                values["cawn_section"] = section.value
                values["cawn_reason"] = reason
        else:
            values["cawn_section"] = action.cawn_section
    if errors:
        raise ValidationError({f: errors[f] for f in FIELDS if f in errors} | errors)
    return values


ENDED = {DisruptionStatus.EXPIRED.value, DisruptionStatus.REFUSED.value, DisruptionStatus.WITHDRAWN.value}


def _needs_cawn_check(action: DisruptionAction | None, values: dict) -> bool:
    """Checked when made, and whenever the kind, the child or a live status is set; an
    action closed later (expired, withdrawn) keeps the section it was given, though the
    child may have turned 18 since."""
    if action is None or action.cawn_section is None:
        return True
    if action.kind_id != values["kind_id"]:
        return True
    if [p.case_id for p in action.protected] != sorted(values["protected_case_ids"]):
        return True
    return values["status"] != action.status and values["status"] not in ENDED


# --- changing ----------------------------------------------------------------------------

STORED = (
    "kind_id",
    "person_id",
    "location_id",
    "owner_agency_id",
    "owner_user_id",
    "status",
    "planned_on",
    "starts_on",
    "expires_on",
    "ended_on",
    "details",
    "cawn_section",
)


@dataclass(frozen=True)
class Saved:
    action: DisruptionView
    cawn_reason: str | None  # the CAWN check's outcome in words, when it ran


@transaction
def create(user, data: Mapping, *, save_anyway: bool = False) -> Saved:
    """Who: Perm.INTEL_REVIEW (403 otherwise, audited). A new action from `data` (a dict,
    FIELDS; the owner agency defaults to the reviewer's own). ValidationError naming each
    bad field; nothing is saved then. The details are language-checked (WordingFlagged
    unless `save_anyway`). Audited as disruption.created with its ids and codes."""
    require(user, Perm.INTEL_REVIEW, "disruption.create")
    values = _checked(user, data, None)
    flagged = check_before_saving({"details": values["details"]}, save_anyway=save_anyway, labels=TEXT_LABELS)
    reason = values.pop("cawn_reason")
    case_ids = values.pop("protected_case_ids")
    action = DisruptionAction(created_by_id=user.id, **values)
    action.protected = [DisruptionChild(case_id=c) for c in sorted(case_ids)]
    db.session.add(action)
    db.session.flush()
    audit.record(
        "disruption.created",
        "disruption",
        action.id,
        detail={
            "kind_id": action.kind_id,
            "status": action.status,
            "person_id": action.person_id,
            "location_id": action.location_id,
            "case_ids": sorted(case_ids),
            "cawn_section": action.cawn_section,
            **audit_detail(flagged),
        },
        actor=user,
    )
    return Saved(_view(user, action, _visible_case_ids(user, case_ids)), reason)


def current_values(action: DisruptionAction) -> dict:
    """The action as input (what a PATCH leaves alone, what the edit form starts from)."""
    return {
        **{name: getattr(action, name) for name in STORED if name not in ("cawn_section", "kind_id")},
        "kind": action.kind.code,
        "protected_case_ids": [p.case_id for p in action.protected],
    }


@transaction
def update(user, action_id, data: Mapping, *, save_anyway: bool = False) -> Saved:
    """Who: Perm.INTEL_REVIEW, the action within reach. `data` (a dict: a list for
    protected_case_ids) carries the `version` read (Conflict when it changed) and the
    fields to change; a field not given keeps its value, a blank one is cleared. Audited
    as disruption.updated naming the fields changed and the status."""
    action = disruption_for(user, action_id, Perm.INTEL_REVIEW, "disruption.update", lock=True)
    # As it is now that it is locked, even when the session held it already.
    db.session.refresh(action)
    if parse_version(data.get("version")) != action.version:
        raise Conflict("disruption.update")
    merged = {**current_values(action), **{k: v for k, v in data.items() if k != "version"}}
    if "protected_case_ids" in data:
        # A reviewer changes the children they can see; those they cannot stay protected.
        current = [p.case_id for p in action.protected]
        unseen = [c for c in current if c not in _visible_case_ids(user, current)]
        given = merged["protected_case_ids"]
        if isinstance(given, list | tuple):
            merged["protected_case_ids"] = [*given, *(c for c in unseen if c not in given)]
    values = _checked(user, merged, action)
    flagged = {}
    if values["details"] != action.details:  # text already saved was checked when it was written
        flagged = check_before_saving(
            {"details": values["details"]}, save_anyway=save_anyway, labels=TEXT_LABELS
        )
    reason = values.pop("cawn_reason")
    case_ids = sorted(values.pop("protected_case_ids"))
    previous_status = action.status
    changed = sorted(name for name in STORED if getattr(action, name) != values[name])
    if [p.case_id for p in action.protected] != case_ids:
        changed = sorted([*changed, "protected_case_ids"])
        keep = {p.case_id: p for p in action.protected}
        action.protected = [keep.get(c) or DisruptionChild(case_id=c) for c in case_ids]
    for name in STORED:
        setattr(action, name, values[name])
    if changed:
        action.updated_at = now()
    db.session.flush()
    audit.record(
        "disruption.updated",
        "disruption",
        action.id,
        detail={
            "fields": changed,
            "status": action.status,
            "previous_status": previous_status,
            **audit_detail(flagged),
        },
        actor=user,
    )
    return Saved(_view(user, action, _visible_case_ids(user, case_ids)), reason)
