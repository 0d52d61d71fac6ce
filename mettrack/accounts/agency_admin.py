"""Agencies for administrators: list them with their sector and how many users each has, add
one, change its name or sector (docs/intelligence.md, "Agencies and their sector").

The sector matters: users of a police agency who hold a case role review intelligence
(core/permissions.is_intelligence_reviewer) once a MET chair approves, so a sector change is
audited with what changed and asks for that approval for each of them (or ends their access).
Two agencies cannot share a name once case, punctuation and spacing are ignored ("Demotown
academy" is "Demotown Academy", "Barnardos" is "Barnardo's"; accounts/rules.agency_name_key):
a near twin would split an agency's users. The user form adds an agency only when the admin
confirms it (accounts/users.py).
"""

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func, select

from mettrack.accounts import rules
from mettrack.accounts.agency import Agency
from mettrack.accounts.models import User
from mettrack.accounts.role_grants import sync_police_reviewer
from mettrack.core import audit
from mettrack.core.choices import AgencySector
from mettrack.core.errors import ValidationError
from mettrack.core.extensions import db
from mettrack.core.form_input import parse_text
from mettrack.core.limits import max_length
from mettrack.core.permissions import NotFound, Perm, require
from mettrack.core.unit_of_work import transaction

FIELDS = ("name", "sector")  # the order the form shows them


@dataclass(frozen=True)
class AgencyRow:
    agency: Agency
    users: int  # every account of the agency, active or not
    active_users: int

    @property
    def sector_label(self) -> str:
        return AgencySector.labels().get(self.agency.sector, self.agency.sector)


def _parse(data: Mapping) -> tuple[str, AgencySector]:
    errors: dict[str, str] = {}
    name = parse_text(data, "name", "Agency name", errors, max_length=max_length(Agency.name), required=True)
    if name is not None:
        name = " ".join(name.split())  # one space between words, as the duplicate check reads it
    value = data.get("sector")
    sector = None
    if value is None or (isinstance(value, str) and not value.strip()):
        errors["sector"] = "Choose the agency's sector"
    elif not isinstance(value, str) or value.strip() not in AgencySector.values():
        labels = ", ".join(AgencySector.values())
        errors["sector"] = f"Choose a sector from the list ({labels})"
    else:
        sector = AgencySector(value.strip())
    if errors:
        raise ValidationError(errors)
    return name, sector


def _refuse_duplicate(name: str, agency_id: int | None) -> None:
    # Compared in Python: "ignoring punctuation" is not one SQL function on both databases,
    # and a partnership has tens of agencies, not thousands.
    for other_id, other_name in db.session.execute(select(Agency.id, Agency.name)):
        if other_id != agency_id and rules.same_agency_name(other_name, name):
            raise ValidationError({"name": f"An agency called “{other_name}” already exists"})


def _agency(agency_id: int) -> Agency:
    agency = db.session.get(Agency, agency_id)
    if agency is None:
        raise NotFound("agency", agency_id)
    return agency


def list_agencies(actor) -> list[AgencyRow]:
    """Who: an admin. Every agency by name, with its sector and user counts."""
    require(actor, Perm.AGENCY_ADMIN, "agency.list")
    counts = dict(
        db.session.execute(select(User.agency_id, func.count()).group_by(User.agency_id)).tuples().all()
    )
    active = dict(
        db.session.execute(
            select(User.agency_id, func.count()).where(User.active.is_(True)).group_by(User.agency_id)
        )
        .tuples()
        .all()
    )
    agencies = db.session.scalars(select(Agency).order_by(func.lower(Agency.name), Agency.id))
    return [AgencyRow(a, counts.get(a.id, 0), active.get(a.id, 0)) for a in agencies]


def agency_for_admin(actor, agency_id: int) -> Agency:
    """Who: an admin. The agency, or NotFound (404)."""
    require(actor, Perm.AGENCY_ADMIN, "agency.view")
    return _agency(agency_id)


@transaction
def add_agency(actor, data: Mapping) -> Agency:
    """Who: an admin. A new agency with its sector; a name another agency has (ignoring case
    and spacing) is refused naming the field. Audited as agency.added with the sector."""
    require(actor, Perm.AGENCY_ADMIN, "agency.add")
    name, sector = _parse(data)
    _refuse_duplicate(name, None)
    agency = Agency(name=name, sector=sector.value)
    db.session.add(agency)
    db.session.flush()
    audit.record("agency.added", "agency", agency.id, detail={"sector": sector.value}, actor=actor)
    return agency


@transaction
def update_agency(actor, agency_id: int, data: Mapping) -> tuple[Agency, list[str]]:
    """Who: an admin. Changes the name or the sector; returns the agency and the fields that
    changed. Audited as agency.updated with the fields and, for the sector, both codes (a
    name is not audited: the audit log holds ids and codes, never names)."""
    require(actor, Perm.AGENCY_ADMIN, "agency.update")
    agency = _agency(agency_id)
    name, sector = _parse(data)
    _refuse_duplicate(name, agency.id)
    changed = []
    detail: dict = {}
    if name != agency.name:
        changed.append("name")
        agency.name = name
    if sector.value != agency.sector:
        changed.append("sector")
        detail |= {"sector_before": agency.sector, "sector": sector.value}
        agency.sector = sector.value
    if changed:
        audit.record("agency.updated", "agency", agency.id, detail={"fields": changed, **detail}, actor=actor)
    if "sector" in changed:
        # Made police: each user with a case role waits for a MET chair before reviewing
        # intelligence; no longer police: their access ends (accounts/role_grants.py).
        for user in db.session.scalars(select(User).where(User.agency_id == agency.id).order_by(User.id)):
            sync_police_reviewer(user, actor)
    return agency, changed
