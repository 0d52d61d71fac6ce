"""Review of Community Partnership Information: the queue, grading on the 3x5x2 model,
handling (P or C, with the conditions and whom they name), the sanitised text, and links
to cases, locations and persons of concern (docs/intelligence-sharing.md).

Reviewers only (Perm.INTEL_REVIEW: MET chairs, and users of a police agency with a case
role). A reviewer reaches every item, so items are still fetched through access.item_for
(a refusal is audited), and a case, a location or a person to link is looked up plainly:
an unknown number is a message naming the field, not a 404 for the item.

What the sharer submitted never changes here; grading may be done again, each time
audited with the fields that changed. A C item never has a sanitised text.
"""

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from mettrack.accounts.agency import Agency
from mettrack.accounts.models import User
from mettrack.cases.models import Case
from mettrack.core import audit
from mettrack.core.choices import (
    HandlingCode,
    IntelligenceAssessment,
    IntelligenceStatus,
    SourceEvaluation,
)
from mettrack.core.clock import now
from mettrack.core.errors import Conflict, ValidationError
from mettrack.core.extensions import db
from mettrack.core.form_input import parse_text, parse_version
from mettrack.core.limits import INTEL_CONDITIONS_MAX, INTEL_SANITISED_MAX
from mettrack.core.permissions import Perm, deny_record, require
from mettrack.core.unit_of_work import transaction
from mettrack.intelligence import access
from mettrack.intelligence.models import (
    HandlingGrant,
    IntelligenceItem,
    IntelligenceLink,
    Location,
    PersonOfConcern,
)
from mettrack.intelligence.sharing import (
    DEFAULT_PER_PAGE,
    ItemFilters,
    ItemPage,
    ItemView,
    list_page,
    parse_ids,
    view_of,
)
from mettrack.language import audit_detail, check_before_saving

GRADE_FIELDS = (
    "source_evaluation",
    "intelligence_assessment",
    "handling_code",
    "handling_conditions",
    "grant_user_ids",
    "grant_agency_ids",
    "sanitised_text",
    "version",
)
LINK_FIELDS = ("case_id", "location_id", "person_id")
LINK_LABELS = {"case_id": "Case number", "location_id": "Location number", "person_id": "Person number"}
C_NEVER_SANITISED = (
    "A C item is never shared in a sanitised form: any sanitised text is not kept for a C item."
)
CHANGE_FIELDS = (
    "source_evaluation",
    "intelligence_assessment",
    "handling_code",
    "handling_conditions",
    "sanitised_text",
)


@transaction
def queue(
    user, filters: ItemFilters | None = None, *, page: int = 1, per_page: int = DEFAULT_PER_PAGE
) -> ItemPage:
    """Who: intel.review. Every item, those waiting for review first, then the newest;
    `filters` narrow by status and handling. Audited as intelligence.queue_listed with
    the ids shown."""
    require(user, Perm.INTEL_REVIEW, "intelligence.queue_listed")
    return list_page(user, filters or ItemFilters(), page, per_page, audit_action="intelligence.queue_listed")


@transaction
def for_grading(user, item_id) -> tuple[ItemView, IntelligenceItem]:
    """Who: intel.review. The item and its current grading, for the grading form.
    Audited as intelligence.viewed (the form shows the source)."""
    item = access.item_for(user, item_id, Perm.INTEL_REVIEW, "intelligence.viewed")
    view = view_of(user, item)
    audit.record(
        "intelligence.viewed",
        "intelligence",
        item.id,
        detail={"source_shown": True, "grading_shown": True, "for": "grading"},
        actor=user,
    )
    return view, item


def _choice(data: Mapping, name: str, choices, message: str, errors: dict) -> str | None:
    value = data.get(name)
    value = value.strip() if isinstance(value, str) else value
    if value not in choices.values():
        errors[name] = message
        return None
    return value


def _known(model, ids: list[int], name: str, label: str, errors: dict) -> list[int]:
    if not ids or name in errors:
        return ids
    found = set(db.session.scalars(select(model.id).where(model.id.in_(ids))))
    missing = [i for i in ids if i not in found]
    if missing:
        errors[name] = f"{label}: there is no {', '.join(str(i) for i in missing)}"
    return ids


def parse_grading(data: Mapping) -> dict:
    errors: dict[str, str] = {}
    unknown = sorted(set(data) - set(GRADE_FIELDS) - {"csrf_token", "save_anyway"})
    if unknown:
        raise ValidationError({name: "Unknown field" for name in unknown})
    values = {
        "source_evaluation": _choice(
            data, "source_evaluation", SourceEvaluation, "Choose the source evaluation: 1, 2 or 3", errors
        ),
        "intelligence_assessment": _choice(
            data,
            "intelligence_assessment",
            IntelligenceAssessment,
            "Choose the intelligence assessment: A, B, C, D or E",
            errors,
        ),
        "handling_code": _choice(
            data, "handling_code", HandlingCode, "Choose the handling code: P or C", errors
        ),
    }
    is_c = values["handling_code"] == HandlingCode.WITH_CONDITIONS.value
    conditions = parse_text(
        data, "handling_conditions", "The conditions", errors, max_length=INTEL_CONDITIONS_MAX, required=is_c
    )
    users = parse_ids(data.get("grant_user_ids"), "grant_user_ids", "Users the conditions name", errors)
    agencies = parse_ids(
        data.get("grant_agency_ids"), "grant_agency_ids", "Agencies the conditions name", errors
    )
    sanitised = parse_text(
        data, "sanitised_text", "The sanitised text", errors, max_length=INTEL_SANITISED_MAX
    )
    if is_c:
        _known(User, users, "grant_user_ids", "Users the conditions name", errors)
        _known(Agency, agencies, "grant_agency_ids", "Agencies the conditions name", errors)
    if errors:
        raise ValidationError(errors)
    if not is_c:
        # Conditions and whom they name belong to C alone; a P item reaches the case's team.
        conditions, users, agencies = None, [], []
    else:
        sanitised = None  # C_NEVER_SANITISED
    return {
        **values,
        "handling_conditions": conditions,
        "sanitised_text": sanitised,
        "grant_user_ids": users,
        "grant_agency_ids": agencies,
    }


CHECKED = {"handling_conditions": "The conditions", "sanitised_text": "The sanitised text"}


@transaction
def grade(user, item_id, data: Mapping, *, save_anyway: bool = False) -> ItemView:
    """Who: intel.review. Grade (or grade again) an item: `source_evaluation` (1-3),
    `intelligence_assessment` (A-E), `handling_code` (P or C), `handling_conditions`
    (required for C), `grant_user_ids` / `grant_agency_ids` (whom a C item's conditions
    name), `sanitised_text` (optional; never kept for C), `version` (the version read:
    Conflict when it changed). Raises WordingFlagged when the language check flags the
    conditions or the sanitised text and `save_anyway` is false. Audited as
    intelligence.graded with the fields changed."""
    item = access.item_for(user, item_id, Perm.INTEL_REVIEW, "intelligence.graded", lock=True)
    version = parse_version(data.get("version"))
    if item.version != version:
        raise Conflict(f"intelligence {item.id} is at version {item.version}, not {version}")
    values = parse_grading(data)
    flagged = check_before_saving(
        {name: values[name] for name in CHECKED}, save_anyway=save_anyway, labels=CHECKED
    )
    regrade = item.status == IntelligenceStatus.GRADED.value
    changed = [name for name in CHANGE_FIELDS if getattr(item, name) != values[name]]
    old_users, old_agencies = (
        sorted(g.user_id for g in item.grants if g.user_id),
        sorted(g.agency_id for g in item.grants if g.agency_id),
    )
    new_users, new_agencies = sorted(values["grant_user_ids"]), sorted(values["grant_agency_ids"])
    if old_users != new_users:
        changed.append("grant_user_ids")
    if old_agencies != new_agencies:
        changed.append("grant_agency_ids")
    for name in CHANGE_FIELDS:
        setattr(item, name, values[name])
    if old_users != new_users or old_agencies != new_agencies:
        item.grants = [HandlingGrant(user_id=i) for i in new_users] + [
            HandlingGrant(agency_id=i) for i in new_agencies
        ]
    item.status = IntelligenceStatus.GRADED.value
    item.graded_by = db.session.get(User, user.id)  # the row, not a request's proxy of it
    item.graded_at = now()
    audit.record(
        "intelligence.graded",
        "intelligence",
        item.id,
        detail={
            "regrade": regrade,
            "changed": changed,
            "grading": "".join(
                values[k] for k in ("source_evaluation", "intelligence_assessment", "handling_code")
            ),
            "grant_user_ids": new_users,
            "grant_agency_ids": new_agencies,
            **audit_detail(flagged),
        },
        actor=user,
    )
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict(f"intelligence {item.id} changed while it was being saved") from None
    return view_of(user, item)


def _target(data: Mapping) -> tuple[str, int]:
    unknown = sorted(set(data) - set(LINK_FIELDS) - {"csrf_token"})
    if unknown:
        raise ValidationError({name: "Unknown field" for name in unknown})
    errors: dict[str, str] = {}
    given = {}
    for name in LINK_FIELDS:
        value = data.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        ids = parse_ids(
            value if not isinstance(value, int) else [value], name, LINK_LABELS[name], errors, most=1
        )
        if ids:
            given[name] = ids[0]
    if errors:
        raise ValidationError(errors)
    if len(given) != 1:
        raise ValidationError({"case_id": "Give one case number, location number or person number to link"})
    name, target_id = next(iter(given.items()))
    model = {"case_id": Case, "location_id": Location, "person_id": PersonOfConcern}[name]
    if db.session.get(model, target_id) is None:
        raise ValidationError({name: f"{LINK_LABELS[name]}: there is no {target_id}"})
    return name, target_id


@transaction
def link(user, item_id, data: Mapping) -> IntelligenceLink:
    """Who: intel.review. Link the item to a case, a location or a person of concern:
    `data` holds exactly one of case_id, location_id, person_id. An unknown number or a
    link already there is a message naming the field. Audited as intelligence.linked."""
    item = access.item_for(user, item_id, Perm.INTEL_REVIEW, "intelligence.linked", lock=True)
    name, target_id = _target(data)
    if any(getattr(existing, name) == target_id for existing in item.links):
        raise ValidationError({name: f"{LINK_LABELS[name]} {target_id} is already linked to this item"})
    new = IntelligenceLink(
        item_id=item.id, created_by_id=user.id, suggested_by_sharer=False, **{name: target_id}
    )
    db.session.add(new)
    db.session.flush()
    audit.record(
        "intelligence.linked",
        "intelligence",
        item.id,
        detail={"link_id": new.id, name: target_id},
        actor=user,
    )
    return new


@transaction
def unlink(user, item_id, link_id) -> None:
    """Who: intel.review. Remove one of the item's links (the sharer's suggestions too).
    A link not on this item is NotFound. Audited as intelligence.unlinked."""
    item = access.item_for(user, item_id, Perm.INTEL_REVIEW, "intelligence.unlinked", lock=True)
    found = next((existing for existing in item.links if existing.id == link_id), None)
    if found is None:
        raise deny_record("intelligence_link", link_id, "intelligence.unlinked")
    target = {name: getattr(found, name) for name in LINK_FIELDS if getattr(found, name) is not None}
    item.links.remove(found)
    audit.record(
        "intelligence.unlinked",
        "intelligence",
        item.id,
        detail={"link_id": link_id, **target},
        actor=user,
    )
    db.session.flush()
