"""What the case page shows of intelligence (docs/intelligence-cases.md), for a viewer
who may see the case's whole record (the page builds this section only then):

- the intelligence items linked to the case that handling lets the viewer see
  (access.handled_item_scope): the information for reviewers, the sanitised text otherwise,
  with the grading code ("2B P");
- the locations and persons of concern linked to the case, directly (with how reliable
  the link is) or through those items;
- the disruption actions protecting the child (access.disruption_scope);
- the peer links whose other case the viewer may see too.

A fixed number of queries however many records are linked. The case page's one audit
row names the ids shown (`shown` below, through the page's Reading).
"""

from dataclasses import dataclass, field

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import aliased, selectinload
from werkzeug.routing import BuildError

from mettrack.core.choices import DisruptionStatus, HandlingCode, LocationType
from mettrack.core.clock import local
from mettrack.core.extensions import db
from mettrack.core.permissions import Perm, can
from mettrack.intelligence import access, case_links, peers
from mettrack.intelligence.models import (
    DisruptionAction,
    DisruptionChild,
    IntelligenceItem,
    IntelligenceLink,
)
from mettrack.intelligence.paths import link_to

NO_SUMMARY = "A reviewer has not yet written a summary of this for partners."


@dataclass
class CasePanel:
    items: list[dict] = field(default_factory=list)
    locations: list[dict] = field(default_factory=list)
    persons: list[dict] = field(default_factory=list)
    disruptions: list[dict] = field(default_factory=list)
    peers: list[dict] = field(default_factory=list)
    add_subject_url: str | None = None
    add_peer_url: str | None = None
    reviewer: bool = False
    shown: dict[str, list[int]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.items or self.locations or self.persons or self.disruptions or self.peers)


def grading_code(item: IntelligenceItem) -> str | None:
    """The 3x5x2 grading as written on the form: "2B P"."""
    if not item.handling_code:
        return None
    return f"{item.source_evaluation or ''}{item.intelligence_assessment or ''} {item.handling_code}".strip()


def _url(endpoint: str, **values) -> str | None:
    try:
        return url_for(endpoint, **values)
    except BuildError:  # an app built without that blueprint: no link
        return None


def panel_for(user, case) -> CasePanel | None:
    """The section's data (None for a user without intel.view). Reads only: the case page
    audits what it shows. The caller has checked the case's whole record is in reach."""
    if not can(user, Perm.INTEL_VIEW):
        return None
    reviewer = access.is_reviewer(user)
    panel = CasePanel(reviewer=reviewer)

    # 1. Items linked to the case under handling.
    items = db.session.scalars(
        select(IntelligenceItem)
        .where(
            IntelligenceItem.id.in_(
                select(IntelligenceLink.item_id).where(IntelligenceLink.case_id == case.id)
            ),
            access.handled_item_scope(user),
        )
        .order_by(IntelligenceItem.submitted_at.desc(), IntelligenceItem.id.desc())
    ).all()
    for item in items:
        text = item.information if reviewer else (item.sanitised_text or NO_SUMMARY)
        panel.items.append(
            {
                "id": item.id,
                "reference": item.reference,
                "grading": grading_code(item) or "Not graded yet",
                "restricted": item.handling_code == HandlingCode.WITH_CONDITIONS.value,
                "conditions": item.handling_conditions
                if item.handling_code == HandlingCode.WITH_CONDITIONS.value
                else None,
                "text": text,
                "submitted_on": local(item.submitted_at).date(),
                "url": link_to("item", item.id),
            }
        )
    item_ids = [i.id for i in items]

    # 2. Places and persons: directly, and through those items (one query each).
    seen: dict[tuple[str, int], dict] = {}
    for link in case_links.direct_links([case.id]).get(case.id, []):
        entry = seen.setdefault(
            (link.kind, link.subject_id),
            {
                "id": link.subject_id,
                "label": link.label,
                "how": [],
                "url": link_to(link.kind, link.subject_id),
            },
        )
        entry["how"].append(f"linked directly: {link.reliability_label.lower()}")
        entry["link_id"] = link.id
        if reviewer:
            entry["remove_url"] = _url("intelligence_case_links.remove", case_id=case.id, link_id=link.id)
    if item_ids:
        subject = aliased(IntelligenceLink)
        via = db.session.scalars(
            select(subject)
            .where(
                subject.item_id.in_(item_ids),
                (subject.location_id.is_not(None)) | (subject.person_id.is_not(None)),
            )
            .options(selectinload(subject.location), selectinload(subject.person))
            .order_by(subject.id)
        ).all()
        references = {i.id: (i.reference, grading_code(i)) for i in items}
        for link in via:
            if link.location is not None:
                key = ("location", link.location_id)
                label = f"{link.location.name} ({LocationType(link.location.location_type).label.lower()})"
            else:
                key = ("person", link.person_id)
                label = link.person.name
            entry = seen.setdefault(
                key, {"id": key[1], "label": label, "how": [], "url": link_to(key[0], key[1])}
            )
            reference, grading = references[link.item_id]
            entry["how"].append(f"through {reference}" + (f" ({grading})" if grading else ""))
    for (kind, _), entry in seen.items():
        (panel.locations if kind == "location" else panel.persons).append(entry)

    # 3. Disruption actions protecting the child.
    actions = db.session.scalars(
        select(DisruptionAction)
        .where(
            DisruptionAction.id.in_(
                select(DisruptionChild.action_id).where(DisruptionChild.case_id == case.id)
            ),
            access.disruption_scope(user),
        )
        .options(selectinload(DisruptionAction.person), selectinload(DisruptionAction.location))
        .order_by(DisruptionAction.id)
    ).all()
    for action in actions:
        against = [s.name for s in (action.person, action.location) if s is not None]
        panel.disruptions.append(
            {
                "id": action.id,
                "kind": action.kind.name,
                "status": DisruptionStatus(action.status).label,
                "against": ", ".join(against),
                "expires_on": action.expires_on,
                "url": link_to("disruption", action.id),
            }
        )

    # 4. Peer links whose other case the viewer may see too.
    views = peers.visible_links(user, [case.id]).get(case.id, [])
    manage_peers = peers.may_manage(user, case)
    for view in views:
        panel.peers.append(
            {
                "id": view.id,
                "other_case_id": view.other_case_id,
                "other_child_name": view.other_child_name,
                "kind": view.kind_label,
                "reliability": view.reliability_label,
                "note": view.note,
                "url": link_to("case", view.other_case_id),
                # A lead of the other case only may remove it from there; here the lead of this one.
                "remove_url": _url("intelligence_peers.remove", case_id=case.id, link_id=view.id)
                if manage_peers
                else None,
            }
        )

    if reviewer:
        panel.add_subject_url = _url("intelligence_case_links.new", case_id=case.id)
    if manage_peers:
        panel.add_peer_url = _url("intelligence_peers.new", case_id=case.id)
    panel.shown = {
        "intelligence": item_ids,
        "locations": [e["id"] for e in panel.locations],
        "persons": [e["id"] for e in panel.persons],
        "disruptions": [a.id for a in actions],
        "peer_links": [v.id for v in views],
    }
    return panel
