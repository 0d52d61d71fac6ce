"""Who may reach intelligence, places, persons and disruption actions: the one place that
decides it (as cases/scopes.py does for cases and meetings/membership.py for meetings).

DESIGN.md, Intelligence: handling decides who sees an item.
- Reviewers (MET chairs, and users of a police agency who hold a case role:
  core/permissions.is_intelligence_reviewer) see every item, its source and every link.
- The sharer sees their own submissions as submitted, and nobody else's.
- A graded P item linked to a case reaches those who may see that case's whole record.
- A graded C item reaches reviewers and those its conditions name (a user, or an agency's
  users), never a sanitised output.
- An ungraded item reaches reviewers and its sharer only.

`handled_item_scope` is what links follow (a case page, a person's page, the association
picture, the agenda): it leaves out the viewer's own submissions unless handling lets them
see those too, so that a sharer learns nothing of how their item was linked.

A place or a person is within reach of a reviewer, or of someone who can see a case linked
to it directly (CaseSubjectLink) or an item linked to it under handling, or a disruption
action protecting a child whose case they can see. Everyone else gets 404 for it; a role
the action is not open to gets 403 first (core/permissions.py).

Every page, API resource and use case fetches these records through the `*_for` functions
below, never by bare id; they audit a refusal, and the caller audits what it reads.
"""

from sqlalchemy import and_, exists, false, or_, select, true
from sqlalchemy.orm import aliased

from mettrack.cases import case_scope
from mettrack.cases.models import Case
from mettrack.core.choices import HandlingCode, IntelligenceStatus
from mettrack.core.extensions import db
from mettrack.core.permissions import Perm, can, deny_record, require
from mettrack.intelligence.models import (
    CaseSubjectLink,
    DisruptionAction,
    DisruptionChild,
    HandlingGrant,
    IntelligenceItem,
    IntelligenceLink,
    Location,
    PersonOfConcern,
)


def is_reviewer(user) -> bool:
    return user is not None and user.is_authenticated and can(user, Perm.INTEL_REVIEW)


def sees_source(user, item: IntelligenceItem) -> bool:
    """The source's name, date of birth, address and how to re-contact them: reviewers, and
    the sharer who wrote them (their own submission, exactly as submitted)."""
    return is_reviewer(user) or item.submitted_by_id == user.id


def _case_visible(user, case_column):
    """A case id column whose case lies within the user's whole-record reach."""
    return exists().where(Case.id == case_column, case_scope(user))


def granted(user):
    """WHERE on IntelligenceItem: a C item whose conditions name this user or their agency."""
    return exists().where(
        HandlingGrant.item_id == IntelligenceItem.id,
        or_(HandlingGrant.user_id == user.id, HandlingGrant.agency_id == user.agency_id),
    )


def handled_item_scope(user):
    """WHERE on IntelligenceItem: the graded items handling lets this user see (all for a
    reviewer), which is what every link, list and picture follows."""
    if is_reviewer(user):
        return true()
    if not can(user, Perm.INTEL_VIEW):
        return false()
    graded = IntelligenceItem.status == IntelligenceStatus.GRADED.value
    linked_case = exists().where(
        IntelligenceLink.item_id == IntelligenceItem.id,
        IntelligenceLink.case_id.is_not(None),
        _case_visible(user, IntelligenceLink.case_id),
    )
    p_item = and_(IntelligenceItem.handling_code == HandlingCode.LAWFUL_SHARING.value, linked_case)
    c_item = and_(IntelligenceItem.handling_code == HandlingCode.WITH_CONDITIONS.value, granted(user))
    return and_(graded, or_(p_item, c_item))


def item_scope(user):
    """WHERE on IntelligenceItem: the items this user may open: handled_item_scope, and the
    user's own submissions."""
    if is_reviewer(user):
        return true()
    own = IntelligenceItem.submitted_by_id == user.id if can(user, Perm.INTEL_SHARE) else false()
    return or_(own, handled_item_scope(user))


def handled_link(user):
    """WHERE on IntelligenceLink: the links whose item handling lets this user see."""
    if is_reviewer(user):
        return true()
    return exists().where(IntelligenceItem.id == IntelligenceLink.item_id, handled_item_scope(user))


def _subject_scope(user, subject_column_on_link, subject_column_on_direct, disruption_column, subject_id):
    if is_reviewer(user):
        return true()
    if not can(user, Perm.INTEL_VIEW):
        return false()
    direct = exists().where(
        subject_column_on_direct == subject_id, _case_visible(user, CaseSubjectLink.case_id)
    )
    via_item = exists().where(subject_column_on_link == subject_id, handled_link(user))
    # Through an alias: inside disruption_scope the outer query is on DisruptionAction, and
    # the plain entity would correlate to that one action instead of any action.
    other_action = aliased(DisruptionAction)
    via_disruption = exists().where(
        getattr(other_action, disruption_column.key) == subject_id,
        DisruptionChild.action_id == other_action.id,
        _case_visible(user, DisruptionChild.case_id),
    )
    return or_(direct, via_item, via_disruption)


def location_scope(user):
    """WHERE on Location: the places this user may open."""
    return _subject_scope(
        user,
        IntelligenceLink.location_id,
        CaseSubjectLink.location_id,
        DisruptionAction.location_id,
        Location.id,
    )


def person_scope(user):
    """WHERE on PersonOfConcern: the persons of concern this user may open."""
    return _subject_scope(
        user,
        IntelligenceLink.person_id,
        CaseSubjectLink.person_id,
        DisruptionAction.person_id,
        PersonOfConcern.id,
    )


def disruption_scope(user):
    """WHERE on DisruptionAction: reviewers all; others an action on a person or place
    within their reach, or protecting a child whose case they can see."""
    if is_reviewer(user):
        return true()
    if not can(user, Perm.INTEL_VIEW):
        return false()
    protects = exists().where(
        DisruptionChild.action_id == DisruptionAction.id, _case_visible(user, DisruptionChild.case_id)
    )
    on_person = exists().where(PersonOfConcern.id == DisruptionAction.person_id, person_scope(user))
    on_place = exists().where(Location.id == DisruptionAction.location_id, location_scope(user))
    return or_(protects, on_person, on_place)


def _fetch(user, model, record_id, scope, perm: Perm, record_type: str, action: str, lock: bool):
    require(user, perm, action)
    try:
        record_id = int(record_id)
    except (TypeError, ValueError):
        raise deny_record(record_type, None, action) from None
    query = select(model).where(model.id == record_id, scope)
    if lock:
        # Only the record's own row: PostgreSQL refuses FOR UPDATE on the nullable side of
        # an outer join that a joined relationship (a disruption's kind) adds.
        query = query.with_for_update(of=model)
    found = db.session.scalar(query)
    if found is None:
        raise deny_record(record_type, record_id, action)
    return found


def item_for(user, item_id, perm: Perm, action: str, *, lock: bool = False) -> IntelligenceItem:
    """The item, if the user's roles allow `perm` (NotAllowed, audited) and it is within
    their reach (NotFound, audited). Reviewing needs Perm.INTEL_REVIEW; reading
    Perm.INTEL_VIEW or, for one's own, Perm.INTEL_SHARE."""
    return _fetch(user, IntelligenceItem, item_id, item_scope(user), perm, "intelligence", action, lock)


def location_for(user, location_id, perm: Perm, action: str, *, lock: bool = False) -> Location:
    return _fetch(user, Location, location_id, location_scope(user), perm, "location", action, lock)


def person_for(user, person_id, perm: Perm, action: str, *, lock: bool = False) -> PersonOfConcern:
    return _fetch(user, PersonOfConcern, person_id, person_scope(user), perm, "person", action, lock)


def disruption_for(user, action_id, perm: Perm, action: str, *, lock: bool = False) -> DisruptionAction:
    return _fetch(user, DisruptionAction, action_id, disruption_scope(user), perm, "disruption", action, lock)
