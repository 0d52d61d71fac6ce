"""What a viewer may see of a case, decided once.

Three views: the whole record (the case within the viewer's need-to-know); the summary a
coordinator sees of an open case they are not on the team of, which is what assigning a
specialist service needs (docs/security.md, "What a coordinator sees"); and the sanitised
view a meeting agenda will print, which names no child and says nothing that would find
one. The case page, the API's case schema and (later) the agenda all ask `project`: a
projected case reads as the case does, except that what the view withholds reads None.
"""

from enum import StrEnum

from mettrack.cases import queries as case_reads
from mettrack.cases.models import Case
from mettrack.children.models import Child


class View(StrEnum):
    # The values are the API's `access` field.
    WHOLE = "full"
    SUMMARY = "summary"
    SANITISED = "sanitised"


# A case summary withholds the case's details beyond what assigning a service needs.
# In the API's order: its documentation lists them.
SUMMARY_WITHHELD_CASE = (
    "team",
    "flags",
    "harm_locations",
    "referred_at",
    "mash_reference",
    "referral_outcome",
    "referral_override_reason",
    "nrm_referred_on",
    "nrm_reasonable_grounds",
    "nrm_reasonable_grounds_on",
    "nrm_conclusive_grounds",
    "nrm_conclusive_grounds_on",
    "closure_reason",
    "closure_note",
    "open_missing_episode",
    "rhi_overdue",
    "repeat_missing",
)
SUMMARY_WITHHELD_CHILD = ("aliases", "date_of_birth", "looked_after")
# Who recorded the referral's outcome is part of the referral: not in the API, on the page.
_SUMMARY_CASE = frozenset(SUMMARY_WITHHELD_CASE) | {
    "referral_outcome_recorded_at",
    "referral_outcome_recorded_by",
}
_SUMMARY_CHILD = frozenset(SUMMARY_WITHHELD_CHILD)

WITHHELD_CASE: dict[View, frozenset[str]] = {
    View.WHOLE: frozenset(),
    View.SUMMARY: _SUMMARY_CASE,
    View.SANITISED: _SUMMARY_CASE,
}
# Everything of the child's record beyond its id is withheld unless named as shown.
WITHHELD_CHILD: dict[View, frozenset[str]] = {
    View.WHOLE: frozenset(),
    View.SUMMARY: _SUMMARY_CHILD,
    View.SANITISED: _SUMMARY_CHILD
    | {
        "display_name",
        "first_name",
        "last_name",
        "address",
        "school",
        "gender",
        "ethnicity",
        "parent_carer_contacts",
        "social_worker",
        "nhs_number",
        "local_identifier",
        "consistent_child_identifier",
        "looked_after_status",
    },
}

# Worked out from the case rather than stored on it.
_DERIVED_CASE = {
    "exploitation_types": lambda c: case_reads.tags_of(c, "exploitation_type"),
    "flags": lambda c: case_reads.tags_of(c, "flag"),
    "harm_locations": lambda c: case_reads.tags_of(c, "harm_location"),
    "open_missing_episode": lambda c: case_reads.alerts_of(c).missing_now,
    "rhi_overdue": lambda c: case_reads.alerts_of(c).rhi_overdue,
    "repeat_missing": lambda c: case_reads.alerts_of(c).repeat_missing,
    "review_overdue": lambda c: case_reads.review_overdue(c),
}


class ProjectedChild:
    """The child as the view shows it: `name` is the display name, or the initials in a
    sanitised view; `age` replaces the date of birth where that is withheld."""

    def __init__(self, child: Child, view: View):
        self._child = child
        self.view = view
        self.id = child.id
        self.age = case_reads.child_age(child)
        self.name = child.initials if view is View.SANITISED else child.display_name
        withheld = WITHHELD_CHILD[view]
        self.alias_list = None if "aliases" in withheld else (child.aliases or "").splitlines()

    def __getattr__(self, name: str):
        if name.startswith("_") or name in WITHHELD_CHILD[self.view]:
            return None
        return getattr(self._child, name)


class ProjectedCase:
    """The case as the view shows it (see the module docstring)."""

    def __init__(self, case: Case, view: View):
        self._case = case
        self.view = view
        self.access = view.value
        self.id = case.id
        self.child = ProjectedChild(case.child, view)

    @property
    def whole_record(self) -> bool:
        return self.view is View.WHOLE

    @property
    def lead_agency_name(self) -> str | None:
        case = self._case
        agency = case.lead_agency or (case.lead_professional.agency if case.lead_professional else None)
        return agency.name if agency else None

    def __getattr__(self, name: str):
        if name.startswith("_") or name in WITHHELD_CASE[self.view]:
            return None
        if name in _DERIVED_CASE:
            return _DERIVED_CASE[name](self._case)
        return getattr(self._case, name)


def view_for(user, case: Case) -> View:
    """The whole record within need-to-know, else the summary (the case was read through
    permissions.case_summary_scope, so the summary is the least a reader gets)."""
    return View.WHOLE if case_reads.record_visible(case, user) else View.SUMMARY


def project(case: Case, view: View) -> ProjectedCase:
    return ProjectedCase(case, view)


def project_for(user, case: Case) -> ProjectedCase:
    return project(case, view_for(user, case))
