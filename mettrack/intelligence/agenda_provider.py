"""The intelligence feature's provider for the meetings joint (meetings/intelligence_links.py):
what an agenda card shows of the places, persons of concern, other children and disruption
actions linked to a case, and which cases have new intelligence since the last meeting
(docs/intelligence-cases.md, "How intelligence reaches the agenda").

The agenda goes to every member of the meeting, so only what may be shared with the
partnership reaches it: direct links (a reviewer made them), and items graded P (lawful
sharing permitted). A C item (conditions) and an ungraded item never reach an agenda, not
even as a reason: a line "new intelligence on 2 March" on the sanitised copy would tell its
readers that restricted intelligence exists. A reviewer who wants the case discussed adds
it to the agenda by hand.

The full view names places and persons; the sanitised view (View.SANITISED) names nothing
that identifies or finds a child or a person: a place's type ("a hotel or short-stay let"),
"a person of concern", another child's link kind, a disruption action's kind and status.

Each method is a fixed number of queries for the whole agenda, never one per case.
"""

from datetime import date, datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased, selectinload

from mettrack.cases import View
from mettrack.cases.models import Case
from mettrack.core.choices import (
    DisruptionStatus,
    HandlingCode,
    IntelligenceStatus,
    LinkReliability,
    LocationType,
    PeerLinkKind,
)
from mettrack.core.clock import local
from mettrack.core.extensions import db
from mettrack.intelligence.models import (
    CaseSubjectLink,
    DisruptionAction,
    DisruptionChild,
    IntelligenceItem,
    IntelligenceLink,
    Location,
    PeerLink,
    PersonOfConcern,
)


def _shareable():
    """WHERE on IntelligenceItem: what may go to every member of a meeting."""
    return and_(
        IntelligenceItem.status == IntelligenceStatus.GRADED.value,
        IntelligenceItem.handling_code == HandlingCode.LAWFUL_SHARING.value,
    )


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _place(location: Location, whole: bool, how: str) -> dict:
    kind = LocationType(location.location_type).label
    if not whole:
        return {"label": f"A place: {kind.lower()}", "location_type": location.location_type}
    where = f", {location.postcode}" if location.postcode else ""
    return {
        "label": f"{location.name} ({kind.lower()}{where}): {how}",
        "location_id": location.id,
        "location_type": location.location_type,
    }


def _person(person: PersonOfConcern, whole: bool, how: str) -> dict:
    if not whole:
        return {"label": "A person of concern"}
    return {"label": f"{person.name}: {how}", "person_id": person.id}


class IntelligenceProvider:
    """Registered once at start-up (install below)."""

    def links_for(self, case_ids: list[int], view) -> dict[int, dict]:
        ids = sorted(set(case_ids))
        if not ids:
            return {}
        whole = view is not View.SANITISED
        found: dict[int, dict] = {}

        def of(case_id: int) -> dict:
            return found.setdefault(
                case_id, {"linked_children": [], "places": [], "persons": [], "disruptions": []}
            )

        seen: set[tuple[int, str, int]] = set()

        def add_subject(case_id: int, location, person, how: str) -> None:
            key = (case_id, "location" if location else "person", (location or person).id)
            if key in seen:
                return
            seen.add(key)
            if location is not None:
                of(case_id)["places"].append(_place(location, whole, how))
            else:
                of(case_id)["persons"].append(_person(person, whole, how))

        # 1. Direct links.
        direct = db.session.scalars(
            select(CaseSubjectLink)
            .where(CaseSubjectLink.case_id.in_(ids))
            .options(selectinload(CaseSubjectLink.location), selectinload(CaseSubjectLink.person))
            .order_by(CaseSubjectLink.id)
        ).all()
        for link in direct:
            how = LinkReliability(link.reliability).label.lower()
            add_subject(link.case_id, link.location, link.person, how)

        # 2. Through P items linked to the case.
        on_case, subject = aliased(IntelligenceLink), aliased(IntelligenceLink)
        via = db.session.execute(
            select(on_case.case_id, subject)
            .join(IntelligenceItem, IntelligenceItem.id == on_case.item_id)
            .join(subject, subject.item_id == on_case.item_id)
            .where(
                on_case.case_id.in_(ids),
                _shareable(),
                or_(subject.location_id.is_not(None), subject.person_id.is_not(None)),
            )
            .options(selectinload(subject.location), selectinload(subject.person))
            .order_by(subject.id)
        ).all()
        for case_id, link in via:
            add_subject(case_id, link.location, link.person, "through shared intelligence")

        # 3. Other children (peer links).
        peers = db.session.scalars(
            select(PeerLink)
            .where(or_(PeerLink.case_id.in_(ids), PeerLink.other_case_id.in_(ids)))
            .options(
                selectinload(PeerLink.case).selectinload(Case.child),
                selectinload(PeerLink.other_case).selectinload(Case.child),
            )
            .order_by(PeerLink.id)
        ).all()
        wanted = set(ids)
        for link in peers:
            for here, there in ((link.case, link.other_case), (link.other_case, link.case)):
                if here.id not in wanted:
                    continue
                kind = PeerLinkKind(link.kind).label.lower()
                reliability = LinkReliability(link.reliability).label.lower()
                if whole:
                    entry = {
                        "label": f"{there.child.display_name} (case #{there.id}): {kind}, {reliability}",
                        "case_id": there.id,
                    }
                else:
                    entry = {"label": f"Another child: {kind}"}
                of(here.id)["linked_children"].append(entry)

        # 4. Disruption actions protecting the child.
        actions = db.session.execute(
            select(DisruptionChild.case_id, DisruptionAction)
            .join(DisruptionAction, DisruptionAction.id == DisruptionChild.action_id)
            .where(DisruptionChild.case_id.in_(ids))
            .options(selectinload(DisruptionAction.person), selectinload(DisruptionAction.location))
            .order_by(DisruptionAction.id)
        ).all()
        for case_id, action in actions:
            status = DisruptionStatus(action.status).label.lower()
            entry = {"label": f"{action.kind.name}: {status}", "status": action.status}
            if whole:
                against = [s.name for s in (action.person, action.location) if s is not None]
                if against:
                    entry["label"] = f"{action.kind.name} against {', '.join(against)}: {status}"
                if action.expires_on:
                    entry["label"] += f", expires {action.expires_on.day} {action.expires_on:%B %Y}"
                entry["expires_on"] = _iso(action.expires_on)
                entry["disruption_id"] = action.id
            of(case_id)["disruptions"].append(entry)
        return found

    def new_intelligence_since(
        self, case_ids: list[int] | None, since: datetime | None
    ) -> dict[int, list[date]]:
        """P items linked to a case, or graded, after `since` (the later of the two is the
        date), and places or persons linked to a case directly after it."""
        found: dict[int, set[date]] = {}
        items = (
            select(IntelligenceLink.case_id, IntelligenceLink.created_at, IntelligenceItem.graded_at)
            .join(IntelligenceItem, IntelligenceItem.id == IntelligenceLink.item_id)
            .where(IntelligenceLink.case_id.is_not(None), _shareable())
        )
        direct = select(CaseSubjectLink.case_id, CaseSubjectLink.created_at)
        if since is not None:
            items = items.where(or_(IntelligenceLink.created_at > since, IntelligenceItem.graded_at > since))
            direct = direct.where(CaseSubjectLink.created_at > since)
        if case_ids is not None:
            items = items.where(IntelligenceLink.case_id.in_(case_ids))
            direct = direct.where(CaseSubjectLink.case_id.in_(case_ids))
        for case_id, linked_at, graded_at in db.session.execute(items):
            moment = max(m for m in (linked_at, graded_at) if m is not None)
            found.setdefault(case_id, set()).add(local(moment).date())
        for case_id, linked_at in db.session.execute(direct):
            found.setdefault(case_id, set()).add(local(linked_at).date())
        return {case_id: sorted(days) for case_id, days in found.items()}


PROVIDER = IntelligenceProvider()


def install() -> None:
    """Register the provider with the meetings feature (create_app calls this once)."""
    from mettrack.meetings import register_intelligence_provider

    register_intelligence_provider(PROVIDER)
