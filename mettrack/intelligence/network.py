"""The association picture: for a child's case, a place or a person of concern, what is
linked to it within two steps (docs/intelligence-picture.md).

Nodes are children (their cases), persons of concern, places and vehicles (a vehicle is
its registration: two persons seen in the same car meet at one vehicle node). Edges come
from
- a case's direct links to a person or a place (CaseSubjectLink), with their reliability;
- a person's associations with another person or a place (PersonAssociation);
- peer links between children (PeerLink), only where the viewer may see both children,
  as the case page shows them;
- graded intelligence: an item joins everything it is linked to (its cases, persons and
  places), only when the item lies within access.handled_item_scope, so a C-coded item
  draws nothing for those outside its handling and an ungraded one draws nothing at all
  (not even for a reviewer: its links are the sharer's suggestions until it is graded).
  Items are not nodes of their own: they are the reason a line is there ("Intelligence
  CPI-00012"), and the line is as reliable as the item's assessment (A confirmed, B
  likely, C to E possible);
- disruption actions: the person or place an action is against, to each child it protects;
- a person's vehicles.

Access: the start record must be within the viewer's reach (404 otherwise, audited). Any
other node reached through a link the viewer may see, but whose record they may not open,
shows as "a child (no access)" / "a person (no access)" / "a place (no access)" / "a
vehicle (no access)": no name, no id, and the picture goes no further through it (what a
hidden child is linked to is the hidden child's record). The walk is two rounds of
set-based queries (each round: the links of every node of the frontier at once, then who
may open the records it found), and one query per kind for the labels: the number of
queries does not grow with the picture.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from mettrack.cases import case_scope
from mettrack.cases.models import Case
from mettrack.children.models import Child
from mettrack.core import audit
from mettrack.core.choices import DisruptionStatus, IntelligenceStatus, LinkReliability, PeerLinkKind
from mettrack.core.errors import ValidationError
from mettrack.core.extensions import db
from mettrack.core.permissions import Perm, deny_record, require
from mettrack.core.unit_of_work import transaction
from mettrack.intelligence import access
from mettrack.intelligence.models import (
    CaseSubjectLink,
    DisruptionAction,
    DisruptionChild,
    IntelligenceItem,
    IntelligenceLink,
    Location,
    PeerLink,
    PersonAssociation,
    PersonOfConcern,
    PersonVehicle,
)

ACTION = "network.viewed"
KINDS = ("case", "location", "person")  # what a picture may start from
MAX_STEPS = 2

NO_ACCESS = {
    "case": "a child (no access)",
    "person": "a person (no access)",
    "location": "a place (no access)",
    "vehicle": "a vehicle (no access)",
}
KIND_LABELS = {"case": "Child", "person": "Person of concern", "location": "Place", "vehicle": "Vehicle"}
# The strongest reliability of a pair's links is the line's: drawn solid unless "possible".
STRENGTH = {
    LinkReliability.CONFIRMED.value: 3,
    LinkReliability.LIKELY.value: 2,
    LinkReliability.POSSIBLE.value: 1,
}
# 3x5x2: how far an item's content is known (IntelligenceAssessment) says how sure its line is.
ASSESSED = {
    "A": LinkReliability.CONFIRMED.value,
    "B": LinkReliability.LIKELY.value,
}


@dataclass(frozen=True)
class LinkLine:
    """One reason two nodes are joined."""

    kind: str  # direct, association, peer, intelligence, disruption, vehicle
    reliability: str  # LinkReliability
    text: str  # names no one


@dataclass
class Node:
    key: str  # "case-12", or "case-hidden-1" for a record the viewer may not open
    kind: str  # case, person, location, vehicle
    record_id: int | None  # None when the viewer may not open it
    label: str
    step: int
    accessible: bool

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


@dataclass
class Edge:
    source: str
    target: str
    links: list[LinkLine] = field(default_factory=list)

    @property
    def reliability(self) -> str:
        return max((line.reliability for line in self.links), key=STRENGTH.__getitem__)

    @property
    def possible(self) -> bool:
        return self.reliability == LinkReliability.POSSIBLE.value


@dataclass
class Network:
    start: Node
    nodes: list[Node]
    edges: list[Edge]

    def node(self, key: str) -> Node:
        return next(n for n in self.nodes if n.key == key)

    def links_of(self, key: str) -> list[tuple[Node, Edge]]:
        """Each node joined to `key`, with the edge joining them, for the list."""
        found = []
        for edge in self.edges:
            if key in (edge.source, edge.target):
                found.append((self.node(edge.target if edge.source == key else edge.source), edge))
        return sorted(found, key=lambda pair: (pair[0].step, _order(pair[0])))


def _order(node: Node) -> tuple:
    return (list(KIND_LABELS).index(node.kind), not node.accessible, node.label.casefold(), node.key)


# A node while the picture is walked: (kind, id), a vehicle's id its registration.
Ref = tuple[str, int | str]


def parse_kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValidationError({"kind": f"Unknown kind '{kind[:40]}': use case, location or person."})
    return kind


@transaction
def network_for(viewer, kind: str, record_id: int) -> Network:
    """Who: Perm.INTEL_VIEW, with the start record within reach (else NotFound, audited).
    The picture, audited as network.viewed with the ids of the nodes shown (never names)."""
    kind = parse_kind(kind)
    start = _start(viewer, kind, record_id)
    network, kept = _walk(viewer, start)
    shown: dict[str, list] = defaultdict(list)
    hidden: dict[str, list] = defaultdict(list)
    for ref, node in network.items():
        (shown if node.accessible else hidden)[ref[0]].append(ref[1] if ref[0] != "vehicle" else node.key)
    audit.record(
        ACTION,
        kind,
        start[1],
        detail={
            "nodes": {k: sorted(v, key=str) for k, v in sorted(shown.items())},
            "no_access": {k: sorted(v, key=str) for k, v in sorted(hidden.items())},
        },
        actor=viewer,
    )
    return _assemble(network, kept, start)


def _start(viewer, kind: str, record_id) -> Ref:
    if kind == "location":
        return ("location", access.location_for(viewer, record_id, Perm.INTEL_VIEW, ACTION).id)
    if kind == "person":
        return ("person", access.person_for(viewer, record_id, Perm.INTEL_VIEW, ACTION).id)
    require(viewer, Perm.INTEL_VIEW, ACTION)
    try:
        case_id = int(record_id)
    except (TypeError, ValueError):
        raise deny_record("case", None, ACTION) from None
    if db.session.scalar(select(Case.id).where(Case.id == case_id, case_scope(viewer))) is None:
        raise deny_record("case", case_id, ACTION)
    return ("case", case_id)


class _Walk:
    """The edges found so far, keyed by the unordered pair of refs."""

    def __init__(self):
        self.edges: dict[frozenset, list[tuple[Ref, Ref, LinkLine]]] = defaultdict(list)

    def add(self, a: Ref, b: Ref, line: LinkLine) -> None:
        if a != b:
            self.edges[frozenset((a, b))].append((a, b, line))


def _walk(viewer, start: Ref) -> tuple[dict[Ref, Node], dict[frozenset, list[LinkLine]]]:
    steps: dict[Ref, int] = {start: 0}
    accessible: dict[Ref, bool] = {start: True}
    kept: dict[frozenset, list[LinkLine]] = {}
    frontier = {start}
    for step in range(1, MAX_STEPS + 1):
        found = _links_of(viewer, frontier)
        new = {ref for pair in found.edges for ref in pair} - set(steps)
        accessible.update(_who_opens(viewer, new))
        for pair, lines in found.edges.items():
            a, b = tuple(pair)
            if not (a in frontier or b in frontier):
                continue  # between two nodes further out: beyond what this round shows
            # Peer links only between children the viewer may see both of (as on the case page).
            lines = [
                line
                for (_, _, line) in lines
                if line.kind != "peer" or (accessible.get(a) and accessible.get(b))
            ]
            if not lines:
                continue
            kept.setdefault(pair, [])
            for line in lines:
                if line not in kept[pair]:
                    kept[pair].append(line)
            for ref in pair:
                steps.setdefault(ref, step)
        # A record the viewer may not open is a dead end: its own links are its record.
        frontier = {ref for ref, s in steps.items() if s == step and accessible.get(ref)}
    labels = _labels({ref for ref in steps if accessible.get(ref)})
    nodes: dict[Ref, Node] = {}
    hidden_count: dict[str, int] = defaultdict(int)
    for ref in sorted(steps, key=lambda r: (steps[r], r[0], str(r[1]))):
        kind, ident = ref
        if accessible.get(ref):
            key = f"{kind}-{ident if kind != 'vehicle' else labels[ref][1]}"
            nodes[ref] = Node(key, kind, labels[ref][1], labels[ref][0], steps[ref], True)
        else:
            hidden_count[kind] += 1
            key = f"{kind}-hidden-{hidden_count[kind]}"
            nodes[ref] = Node(key, kind, None, NO_ACCESS[kind], steps[ref], False)
    return nodes, kept


def _assemble(nodes: dict[Ref, Node], kept: dict[frozenset, list[LinkLine]], start: Ref) -> Network:
    edges = []
    for pair, lines in kept.items():
        a, b = sorted(pair, key=lambda r: (nodes[r].step, r[0], str(r[1])))
        edges.append(Edge(nodes[a].key, nodes[b].key, sorted(lines, key=lambda x: (x.kind, x.text))))
    ordered = sorted(nodes.values(), key=lambda n: (n.step, _order(n)))
    edges.sort(key=lambda e: (e.source, e.target))
    return Network(nodes[start], ordered, edges)


def _ids(refs, kind: str) -> list:
    return sorted(ident for k, ident in refs if k == kind)


def _links_of(viewer, frontier: set[Ref]) -> _Walk:
    """Every link of every node in the frontier: one query per kind of link."""
    walk = _Walk()
    cases, persons = _ids(frontier, "case"), _ids(frontier, "person")
    locations, vehicles = _ids(frontier, "location"), _ids(frontier, "vehicle")

    if cases or persons or locations:
        rows = db.session.scalars(
            select(CaseSubjectLink).where(
                or_(
                    CaseSubjectLink.case_id.in_(cases),
                    CaseSubjectLink.person_id.in_(persons),
                    CaseSubjectLink.location_id.in_(locations),
                )
            )
        )
        for row in rows:
            other = ("person", row.person_id) if row.person_id else ("location", row.location_id)
            walk.add(("case", row.case_id), other, LinkLine("direct", row.reliability, "Linked directly"))

    if persons or locations:
        rows = db.session.scalars(
            select(PersonAssociation).where(
                or_(
                    PersonAssociation.person_id.in_(persons),
                    PersonAssociation.other_person_id.in_(persons),
                    PersonAssociation.location_id.in_(locations),
                )
            )
        )
        for row in rows:
            other = ("person", row.other_person_id) if row.other_person_id else ("location", row.location_id)
            # Not the relation's free text ("brother of ..."): it may name the other end,
            # which may be a record the viewer may not open.
            walk.add(("person", row.person_id), other, LinkLine("association", row.reliability, "Associated"))

    if cases:
        rows = db.session.scalars(
            select(PeerLink).where(or_(PeerLink.case_id.in_(cases), PeerLink.other_case_id.in_(cases)))
        )
        labels = PeerLinkKind.labels()
        for row in rows:
            walk.add(
                ("case", row.case_id),
                ("case", row.other_case_id),
                LinkLine("peer", row.reliability, labels.get(row.kind, row.kind)),
            )

    if cases or persons or locations:
        touching = select(IntelligenceLink.item_id).where(
            or_(
                IntelligenceLink.case_id.in_(cases),
                IntelligenceLink.person_id.in_(persons),
                IntelligenceLink.location_id.in_(locations),
            )
        )
        # Two queries, not one: handled_item_scope looks at the item's links itself, and
        # inside a query over the links it would be joined to the outer row by mistake.
        handled = db.session.scalars(
            select(IntelligenceItem.id).where(
                IntelligenceItem.id.in_(touching),
                # A reviewer's handled scope is every item; the picture still waits for the
                # grading (an ungraded item's links are the sharer's suggestions).
                IntelligenceItem.status == IntelligenceStatus.GRADED.value,
                access.handled_item_scope(viewer),
            )
        ).all()
        rows = db.session.execute(
            select(IntelligenceLink, IntelligenceItem.intelligence_assessment)
            .join(IntelligenceItem, IntelligenceItem.id == IntelligenceLink.item_id)
            .where(IntelligenceLink.item_id.in_(handled))
        )
        targets: dict[int, list[Ref]] = defaultdict(list)
        assessed: dict[int, str | None] = {}
        for link, assessment in rows:
            if link.case_id:
                targets[link.item_id].append(("case", link.case_id))
            elif link.person_id:
                targets[link.item_id].append(("person", link.person_id))
            else:
                targets[link.item_id].append(("location", link.location_id))
            assessed[link.item_id] = assessment
        for item_id, refs in targets.items():
            reliability = ASSESSED.get(assessed[item_id] or "", LinkReliability.POSSIBLE.value)
            line = LinkLine("intelligence", reliability, f"Intelligence CPI-{item_id:05d}")
            for i, a in enumerate(refs):
                for b in refs[i + 1 :]:
                    walk.add(a, b, line)

    if cases or persons or locations:
        protects = select(DisruptionChild.action_id).where(DisruptionChild.case_id.in_(cases))
        rows = db.session.scalars(
            select(DisruptionAction)
            .options(selectinload(DisruptionAction.protected))
            .where(
                or_(
                    DisruptionAction.person_id.in_(persons),
                    DisruptionAction.location_id.in_(locations),
                    DisruptionAction.id.in_(protects),
                ),
                access.disruption_scope(viewer),
            )
        )
        statuses = DisruptionStatus.labels()
        for action in rows:
            text = f"{action.kind.name} ({statuses.get(action.status, action.status).lower()})"
            line = LinkLine("disruption", LinkReliability.CONFIRMED.value, text)
            against = [("person", action.person_id)] if action.person_id else []
            against += [("location", action.location_id)] if action.location_id else []
            for child in action.protected:
                for target in against:
                    walk.add(target, ("case", child.case_id), line)
            if len(against) == 2:
                walk.add(against[0], against[1], line)

    if persons or vehicles:
        rows = db.session.scalars(
            select(PersonVehicle).where(
                or_(PersonVehicle.person_id.in_(persons), PersonVehicle.registration.in_(vehicles))
            )
        )
        for row in rows:
            walk.add(
                ("person", row.person_id),
                ("vehicle", row.registration),
                LinkLine("vehicle", LinkReliability.CONFIRMED.value, "Vehicle"),
            )
    return walk


def _who_opens(viewer, refs: set[Ref]) -> dict[Ref, bool]:
    """Whether the viewer may open each record: one query per kind."""
    found: dict[Ref, bool] = dict.fromkeys(refs, False)
    checks = (
        ("case", Case.id, case_scope(viewer)),
        ("person", PersonOfConcern.id, access.person_scope(viewer)),
        ("location", Location.id, access.location_scope(viewer)),
    )
    for kind, column, scope in checks:
        ids = _ids(refs, kind)
        if ids:
            for ident in db.session.scalars(select(column).where(column.in_(ids), scope)):
                found[(kind, ident)] = True
    registrations = _ids(refs, "vehicle")
    if registrations:
        # A vehicle is as open as any of its owners.
        opened = db.session.scalars(
            select(PersonVehicle.registration)
            .join(PersonOfConcern, PersonOfConcern.id == PersonVehicle.person_id)
            .where(PersonVehicle.registration.in_(registrations), access.person_scope(viewer))
            .distinct()
        )
        for registration in opened:
            found[("vehicle", registration)] = True
    return found


def _labels(refs: set[Ref]) -> dict[Ref, tuple[str, int | None]]:
    """(label, record id) of each node the viewer may open: one query per kind."""
    out: dict[Ref, tuple[str, int | None]] = {}
    ids = _ids(refs, "case")
    if ids:
        rows = db.session.execute(
            select(Case.id, Child.first_name, Child.last_name)
            .join(Child, Child.id == Case.child_id)
            .where(Case.id.in_(ids))
        )
        for case_id, first, last in rows:
            out[("case", case_id)] = (f"{first} {last}", case_id)
    ids = _ids(refs, "person")
    if ids:
        for person_id, name in db.session.execute(
            select(PersonOfConcern.id, PersonOfConcern.name).where(PersonOfConcern.id.in_(ids))
        ):
            out[("person", person_id)] = (name, person_id)
    ids = _ids(refs, "location")
    if ids:
        for location_id, name in db.session.execute(
            select(Location.id, Location.name).where(Location.id.in_(ids))
        ):
            out[("location", location_id)] = (name, location_id)
    registrations = _ids(refs, "vehicle")
    if registrations:
        # A vehicle's id is its first row's, so the key names no registration.
        first: dict[str, int] = {}
        for row_id, registration in db.session.execute(
            select(PersonVehicle.id, PersonVehicle.registration)
            .where(PersonVehicle.registration.in_(registrations))
            .order_by(PersonVehicle.id)
        ):
            first.setdefault(registration, row_id)
        for registration in registrations:
            out[("vehicle", registration)] = (registration, first[registration])
    return out
