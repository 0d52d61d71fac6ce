"""The lists a partnership keeps (domain.choices.ReferenceKind): police tiers and their
holding teams, specialist services, exit reasons. They differ between partnerships and
forces, so they are rows an admin can change, seeded with the defaults below.

Codes are what cases store; labels are what pages show. A deactivated item stays
readable on the cases that used it but is no longer offered.
"""

from sqlalchemy import select

from mettrack.domain.choices import ReferenceKind
from mettrack.extensions import db
from mettrack.models import ReferenceItem

# (kind, code, label, parent_code): a police team's parent is the tier it holds cases for.
DEFAULTS: tuple[tuple[ReferenceKind, str, str, str | None], ...] = (
    (ReferenceKind.POLICE_TIER, "high", "High: Hants MET Team or High Harm", None),
    (ReferenceKind.POLICE_TIER, "medium", "Medium: Neighbourhood Policing Team", None),
    (ReferenceKind.POLICE_TEAM, "hants_met_team", "Hants MET Team", "high"),
    (ReferenceKind.POLICE_TEAM, "high_harm_team", "High Harm Team", "high"),
    (ReferenceKind.POLICE_TEAM, "npt_north", "Neighbourhood Policing Team (North)", "medium"),
    (ReferenceKind.POLICE_TEAM, "npt_south", "Neighbourhood Policing Team (South)", "medium"),
    (ReferenceKind.SPECIALIST_SERVICE, "barnardos_ictg", "Barnardo's ICTG", None),
    (ReferenceKind.SPECIALIST_SERVICE, "parcs", "PARCS", None),
    (ReferenceKind.SPECIALIST_SERVICE, "dass", "Drug and Alcohol Support Service (DASS)", None),
    (ReferenceKind.SPECIALIST_SERVICE, "early_help", "Early Help", None),
    (ReferenceKind.SPECIALIST_SERVICE, "edge_of_care", "Edge of Care", None),
    (ReferenceKind.EXIT_REASON, "risk_reduced", "Risk reduced", None),
    (ReferenceKind.EXIT_REASON, "moved_out_of_area", "Moved out of area", None),
    (ReferenceKind.EXIT_REASON, "turned_18", "Turned 18", None),
    (ReferenceKind.EXIT_REASON, "no_further_action", "No further action", None),
    (ReferenceKind.EXIT_REASON, "other", "Other", None),
)

# The exit reason a lead professional's "no further action" closure records, and the one
# whose note is required because its label says nothing on its own.
NO_FURTHER_ACTION = "no_further_action"
OTHER = "other"


def seed_defaults() -> int:
    """Who: the CLI (`flask demo load`) and set-up. Adds each default item that is not
    there yet (by kind and code) and returns how many it added; an item an admin has
    changed or deactivated is left as it is. Flushes; the caller commits."""
    existing = {
        (kind, code) for kind, code in db.session.execute(select(ReferenceItem.kind, ReferenceItem.code))
    }
    added = 0
    for order, (kind, code, label, parent) in enumerate(DEFAULTS):
        if (kind.value, code) in existing:
            continue
        db.session.add(
            ReferenceItem(kind=kind.value, code=code, label=label, parent_code=parent, sort_order=order)
        )
        added += 1
    db.session.flush()
    return added


def list_active(kind: ReferenceKind | str, *, parent_code: str | None = None) -> list[ReferenceItem]:
    """The items of a list that are offered, in their order (for a police team: of one tier)."""
    query = select(ReferenceItem).where(ReferenceItem.kind == ReferenceKind(kind).value, ReferenceItem.active)
    if parent_code is not None:
        query = query.where(ReferenceItem.parent_code == parent_code)
    return list(db.session.scalars(query.order_by(ReferenceItem.sort_order, ReferenceItem.label)))


def active_item(kind: ReferenceKind | str, code: str | None) -> ReferenceItem | None:
    """The offered item with this code, or None for a blank, unknown or deactivated code."""
    if not code:
        return None
    return db.session.scalar(
        select(ReferenceItem).where(
            ReferenceItem.kind == ReferenceKind(kind).value, ReferenceItem.code == code, ReferenceItem.active
        )
    )


def label_for(kind: ReferenceKind | str, code: str | None) -> str:
    """The label to show for a stored code, deactivated or not; the code itself if unknown."""
    if not code:
        return ""
    label = db.session.scalar(
        select(ReferenceItem.label).where(
            ReferenceItem.kind == ReferenceKind(kind).value, ReferenceItem.code == code
        )
    )
    return label or code
