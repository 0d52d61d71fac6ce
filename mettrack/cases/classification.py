"""A case's exploitation types, flags, places of harm and National Referral Mechanism
(NRM) referral and decisions (docs/case-team.md).

Who: reading needs case.view on a case within need-to-know; changing needs case.classify
(the MET chair, who owns the exploitation list, or the case's lead professional, who
maintains the case; a lead professional who is not this case's lead gets 403, audited).

The rules:
- Exploitation types: CSE, CCE, or both (a child can be exploited in more than one
  way). From `referred` on, while the case is open, at least one is required: the MET
  list is kept per type, and a case referred for exploitation belongs under one. A
  case just screened may have none yet (the kind of harm may not be known), and a
  closed case keeps what it had.
- Flags (trafficking, county lines, gang or organised crime group, online, linked to
  going missing) and places of harm (online, public place, private address, hotel):
  any number, none included.
- NRM: the referral date and each decision's date are today or earlier, and not before
  April 2009, when the NRM began. A reasonable grounds decision (awaited, positive or
  negative) needs the referral date; a positive or negative decision needs its date,
  not before the referral; an awaited one has no date. A conclusive grounds decision
  follows a positive reasonable grounds decision only, and its date is not before the
  reasonable grounds decision's.

Saving sends the whole classification (a replacement, not a patch) with the case
version the user read: a stale version is a Conflict and nothing is saved; bad input is
a ValidationError naming each field, and nothing is saved. A save that changes
something raises the case's version and writes an audit row naming the fields changed
(never their values).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from mettrack.cases import workflow
from mettrack.cases.lock import locked_case
from mettrack.cases.models import Case, CaseTag
from mettrack.cases.queries import get_for
from mettrack.cases.scopes import case_scope, chair_or_case_lead
from mettrack.cases.team import NotTheLead
from mettrack.core import audit, clock
from mettrack.core.choices import (
    AuditOutcome,
    CaseFlag,
    CaseTagKind,
    ExploitationType,
    HarmLocation,
    NrmDecision,
)
from mettrack.core.clock import now
from mettrack.core.errors import Conflict, NotAllowed, ValidationError
from mettrack.core.extensions import db
from mettrack.core.form_input import date_value, parse_version
from mettrack.core.permissions import Perm, can
from mettrack.core.unit_of_work import transaction

# The fields, in the order the form shows them (error summaries follow it).
TAG_FIELDS = {
    "exploitation_types": (CaseTagKind.EXPLOITATION_TYPE, ExploitationType, "exploitation type"),
    "flags": (CaseTagKind.FLAG, CaseFlag, "flag"),
    "harm_locations": (CaseTagKind.HARM_LOCATION, HarmLocation, "place of harm"),
}
NRM_FIELDS = (
    "nrm_referred_on",
    "nrm_reasonable_grounds",
    "nrm_reasonable_grounds_on",
    "nrm_conclusive_grounds",
    "nrm_conclusive_grounds_on",
)
FIELDS = (*TAG_FIELDS, *NRM_FIELDS)

DATE_LABELS = {
    "nrm_referred_on": "Date of the NRM referral",
    "nrm_reasonable_grounds_on": "Date of the reasonable grounds decision",
    "nrm_conclusive_grounds_on": "Date of the conclusive grounds decision",
}
NRM_BEGAN = date(2009, 4, 1)  # the National Referral Mechanism began on 1 April 2009
# From `referred` until closure a case needs at least one exploitation type: the open
# states the workflow table lets no case reach without one.
TYPE_REQUIRED_STATES = workflow.states_needing("has_exploitation_type")
TYPE_REQUIRED = (
    "Choose at least one exploitation type: a case referred for exploitation is kept on the "
    "MET list under CSE, CCE or both"
)


@dataclass(frozen=True)
class Classification:
    exploitation_types: tuple[str, ...]
    flags: tuple[str, ...]
    harm_locations: tuple[str, ...]
    nrm_referred_on: date | None
    nrm_reasonable_grounds: str | None
    nrm_reasonable_grounds_on: date | None
    nrm_conclusive_grounds: str | None
    nrm_conclusive_grounds_on: date | None

    @property
    def nrm(self) -> dict:
        """The NRM fields under their API names (referred_on, reasonable_grounds, ...)."""
        return {name.removeprefix("nrm_"): getattr(self, name) for name in NRM_FIELDS}

    @property
    def nrm_recorded(self) -> bool:
        return any(getattr(self, name) for name in NRM_FIELDS)


def _ordered(values, enum) -> tuple[str, ...]:
    chosen = set(values)
    return tuple(member.value for member in enum if member.value in chosen)


def classification_of(case: Case) -> Classification:
    """The case's classification as stored (no audit: for a case already read)."""
    tags: dict[str, list[str]] = {}
    for tag in case.tags:
        tags.setdefault(tag.kind, []).append(tag.value)
    return Classification(
        **{
            field: _ordered(tags.get(kind.value, []), enum)
            for field, (kind, enum, _label) in TAG_FIELDS.items()
        },
        **{name: getattr(case, name) for name in NRM_FIELDS},
    )


def type_missing(case: Case) -> bool:
    """Whether the case should have an exploitation type and has none (the case page
    says so to those who can set one)."""
    return case.state in TYPE_REQUIRED_STATES and not classification_of(case).exploitation_types


def classification_for(user, case_id: int) -> tuple[Case, Classification]:
    """Who: any role with case.view, on a case within need-to-know (NotFound otherwise,
    audited). Audited as case.classification_viewed."""
    case = get_for(user, case_id, action="case.classification_viewed")
    return case, classification_of(case)


def may_edit(user, case: Case) -> bool:
    """The MET chair, or the case's lead professional (permissions.chair_or_case_lead)."""
    return chair_or_case_lead(user, case, Perm.CASE_CLASSIFY)


def _deny(user, case_id, action: str, reason: str) -> None:
    audit.record_now(
        f"{action}.denied",
        "case",
        case_id,
        detail={"reason": reason},
        outcome=AuditOutcome.DENIED,
        actor=user,
    )


def case_to_edit(user, case_id: int) -> tuple[Case, Classification]:
    """Who: the classification form. The case and its classification, if within the
    user's need-to-know (NotFound otherwise) and the user may change it (NotAllowed
    otherwise); both refusals audited. Audited as case.classification_viewed."""
    action = "case.classification_form_viewed"
    if not can(user, Perm.CASE_CLASSIFY):
        _deny(user, case_id, action, "role")
        raise NotAllowed(action)
    case, classification = classification_for(user, case_id)
    if not may_edit(user, case):
        _deny(user, case.id, action, "not the chair or the case's lead professional")
        raise NotTheLead(action)
    return case, classification


# --- parsing -----------------------------------------------------------------------------


def _values(data: Mapping, name: str):
    """Every value given for a multi-choice field: a form's repeated field or a JSON list.
    None when the field is missing altogether."""
    if hasattr(data, "getlist"):
        return [v for v in data.getlist(name) if not (isinstance(v, str) and not v.strip())]
    if name not in data:
        return None
    value = data[name]
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def _choices(data: Mapping, name: str, errors: dict, *, form: bool) -> tuple[str, ...]:
    _kind, enum, label = TAG_FIELDS[name]
    given = _values(data, name)
    if given is None:
        if form:
            return ()  # a form with no box ticked sends nothing
        errors[name] = f"Send {name} as a list (an empty list for none)"
        return ()
    allowed = [member.value for member in enum]
    for value in given:
        if not isinstance(value, str) or value.strip() not in allowed:
            errors[name] = f"Choose each {label} from: {', '.join(allowed)}"
            return ()
    return _ordered((v.strip() for v in given), enum)


def _date(data: Mapping, name: str, errors: dict, today: date) -> date | None:
    """A date from a date object, an ISO string (2026-03-27) or a date input's (day,
    month, year) strings; None when blank. Today or earlier, from April 2009."""
    label = DATE_LABELS[name]
    value = date_value(data.get(name), name, label, errors, today=today)
    if value is not None and value < NRM_BEGAN:
        errors[name] = f"{label} cannot be before April 2009, when the NRM began"
        return None
    return value


def _decision(data: Mapping, name: str, label: str, errors: dict) -> str | None:
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    allowed = NrmDecision.values()
    if not isinstance(value, str) or value.strip() not in allowed:
        errors[name] = f"Choose the {label} from: {', '.join(allowed)}"
        return None
    return value.strip()


def _when(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def validate(data: Mapping, case: Case, today: date, *, form: bool = False) -> tuple[dict, dict]:
    """The classification in `data`, checked: (values, {field: message}). `form`: the
    multi-choice fields come from a form (no box ticked sends nothing)."""
    errors: dict[str, str] = {}
    values: dict = {name: _choices(data, name, errors, form=form) for name in TAG_FIELDS}
    if (
        "exploitation_types" not in errors
        and not values["exploitation_types"]
        and case.state in TYPE_REQUIRED_STATES
    ):
        errors["exploitation_types"] = TYPE_REQUIRED

    referred = _date(data, "nrm_referred_on", errors, today)
    rg = _decision(data, "nrm_reasonable_grounds", "reasonable grounds decision", errors)
    rg_on = _date(data, "nrm_reasonable_grounds_on", errors, today)
    cg = _decision(data, "nrm_conclusive_grounds", "conclusive grounds decision", errors)
    cg_on = _date(data, "nrm_conclusive_grounds_on", errors, today)

    def fail(name: str, message: str) -> None:
        errors.setdefault(name, message)

    decided = {NrmDecision.POSITIVE.value, NrmDecision.NEGATIVE.value}
    if (rg or cg) and referred is None and "nrm_referred_on" not in errors:
        fail("nrm_referred_on", "Enter the date of the NRM referral: a decision is recorded without it")
    if rg in decided and rg_on is None:
        fail("nrm_reasonable_grounds_on", "Enter the date of the reasonable grounds decision")
    if rg_on is not None and rg not in decided:
        fail(
            "nrm_reasonable_grounds",
            "Choose positive or negative for the reasonable grounds decision, or remove its date",
        )
    if rg_on is not None and referred is not None and rg_on < referred:
        fail(
            "nrm_reasonable_grounds_on",
            f"The reasonable grounds decision cannot be before the referral ({_when(referred)})",
        )
    if cg and rg != NrmDecision.POSITIVE.value and "nrm_reasonable_grounds" not in errors:
        fail(
            "nrm_conclusive_grounds",
            "A conclusive grounds decision follows a positive reasonable grounds decision: record that first",
        )
    if cg in decided and cg_on is None:
        fail("nrm_conclusive_grounds_on", "Enter the date of the conclusive grounds decision")
    if cg_on is not None and cg not in decided:
        fail(
            "nrm_conclusive_grounds",
            "Choose positive or negative for the conclusive grounds decision, or remove its date",
        )
    if cg_on is not None and rg_on is not None and cg_on < rg_on:
        fail(
            "nrm_conclusive_grounds_on",
            "The conclusive grounds decision cannot be before the reasonable grounds decision "
            f"({_when(rg_on)})",
        )
    values.update(
        nrm_referred_on=referred,
        nrm_reasonable_grounds=rg,
        nrm_reasonable_grounds_on=rg_on,
        nrm_conclusive_grounds=cg,
        nrm_conclusive_grounds_on=cg_on,
    )
    return values, {name: errors[name] for name in FIELDS if name in errors} | {
        k: v for k, v in errors.items() if k not in FIELDS
    }


# --- saving ------------------------------------------------------------------------------


def wanted_tags(values: Mapping) -> set[tuple[str, str]]:
    """The case_tags rows, as (kind, value), of checked classification values (their tag
    fields: exploitation_types, flags, harm_locations; a field left out has none). Saving
    a classification and importing the exploitation list (imports/jobs.py) both store these."""
    return {
        (kind.value, value)
        for name, (kind, _enum, _label) in TAG_FIELDS.items()
        for value in values.get(name, ())
    }


@transaction
def save(user, case_id: int, data: Mapping, expected_version, *, form: bool = False) -> Case:
    """Who: the MET chair or the case's lead professional (case.classify; NotAllowed,
    audited, otherwise), on a case within need-to-know (NotFound, audited, otherwise).
    `data`: exploitation_types, flags, harm_locations (lists of codes) and the NRM
    fields nrm_referred_on, nrm_reasonable_grounds (pending, positive or negative),
    nrm_reasonable_grounds_on, nrm_conclusive_grounds, nrm_conclusive_grounds_on (dates
    as date objects, ISO strings or (day, month, year) strings; blank for none).
    `expected_version`: the case version the user read (Conflict when it changed).
    Replaces the whole classification. Audited as case.classified."""
    action = "case.classified"
    if not can(user, Perm.CASE_CLASSIFY):
        _deny(user, case_id, action, "role")
        raise NotAllowed(action)
    case = locked_case(case_id, case_scope(user), action)
    if not may_edit(user, case):
        _deny(user, case.id, action, "not the chair or the case's lead professional")
        raise NotTheLead(action)
    version = parse_version(expected_version)
    if case.version != version:
        raise Conflict(f"case {case_id} is at version {case.version}, not {version}")

    values, errors = validate(data, case, clock.today(), form=form)
    if errors:
        raise ValidationError(errors)

    before = classification_of(case)
    changed = [name for name in FIELDS if getattr(before, name) != values[name]]
    if changed:
        wanted = wanted_tags(values)
        have = {(t.kind, t.value) for t in case.tags}
        for tag in list(case.tags):
            if (tag.kind, tag.value) not in wanted:
                case.tags.remove(tag)
        for kind, value in sorted(wanted - have):
            case.tags.append(CaseTag(kind=kind, value=value))
        for name in NRM_FIELDS:
            setattr(case, name, values[name])
        # Tags are rows of their own: an UPDATE of the case row raises its version.
        case.updated_at = now()
        flag_modified(case, "updated_at")
    audit.record(action, "case", case.id, detail={"changed": changed}, actor=user)
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict(f"case {case_id} changed while it was being saved") from None
    return case
