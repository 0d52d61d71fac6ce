"""Community Partnership Information: a professional shares what they know, sees their own
submissions, and anyone within reach reads one item (docs/intelligence-sharing.md).

What the sharer wrote is kept exactly as submitted: nothing here or in review.py changes
the sharer_*, information* or source_* columns after `submit`.

Who sees what of an item (intelligence/access.py decides reach):
- the source's details only when access.sees_source (reviewers, and the sharer who wrote them);
- the grading, the handling, the sanitised text and the reviewers' links only within
  access.handled_item_scope (reviewers, and those handling lets see it), so that a sharer
  who is not a reviewer sees their item as submitted and whether it has been reviewed,
  never how it was graded or linked;
- a case on a link only by number and name when the viewer may see that case's record.

Every read writes an audit row naming ids only; every change one row.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import case as sql_case
from sqlalchemy import func, select

from mettrack.accounts.agency import Agency
from mettrack.cases import case_scope
from mettrack.cases.models import Case
from mettrack.children.models import Child
from mettrack.core import audit
from mettrack.core.choices import HandlingCode, IntelligenceAssessment, IntelligenceStatus, SourceEvaluation
from mettrack.core.clock import today
from mettrack.core.errors import ValidationError
from mettrack.core.extensions import db
from mettrack.core.form_input import date_value, parse_text, parse_yes_no
from mettrack.core.limits import (
    DATABASE_INT_MAX,
    INTEL_INFORMATION_MAX,
    INTEL_MAX_LINKED_CASES,
    INTEL_SOURCE_TEXT_MAX,
    max_length,
)
from mettrack.core.permissions import Perm, can, require
from mettrack.core.unit_of_work import transaction
from mettrack.intelligence import access
from mettrack.intelligence.models import IntelligenceItem, IntelligenceLink
from mettrack.language import audit_detail, check_before_saving

CASE_HIDDEN = "a child's case you do not have access to"
WAITING, REVIEWED = "Waiting for review", "Reviewed"
MAX_PAGE = 100_000
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 25
EXCERPT = 160
EARLIEST_BIRTH_YEAR = 1900

# The form's fields, in the order the page shows them (the API takes the same names).
FIELDS = (
    "sharer_name",
    "sharer_organisation",
    "sharer_phone",
    "sharer_email",
    "information",
    "information_date",
    "information_place",
    "source_name",
    "source_date_of_birth",
    "source_address",
    "source_recontact",
    "source_recontact_how",
    "source_how_known",
    "case_ids",
)
LABELS = {
    "sharer_name": "Your name",
    "sharer_organisation": "Your organisation",
    "sharer_phone": "Your phone number",
    "sharer_email": "Your email address",
    "information": "The information",
    "information_date": "Date of the information",
    "information_place": "Where it happened",
    "source_name": "The source's name",
    "source_date_of_birth": "The source's date of birth",
    "source_address": "The source's address",
    "source_recontact": "Whether the source can be contacted again",
    "source_recontact_how": "How the source can be contacted again",
    "source_how_known": "How the source found out",
    "case_ids": "Children's case numbers",
}


def limits() -> dict[str, int]:
    """The most characters each text field holds: the form, the API schema and the
    column agree."""
    return {
        "sharer_name": max_length(IntelligenceItem.sharer_name),
        "sharer_organisation": max_length(IntelligenceItem.sharer_organisation),
        "sharer_phone": max_length(IntelligenceItem.sharer_phone),
        "sharer_email": max_length(IntelligenceItem.sharer_email),
        "information": INTEL_INFORMATION_MAX,
        "information_place": max_length(IntelligenceItem.information_place),
        "source_name": max_length(IntelligenceItem.source_name),
        "source_address": INTEL_SOURCE_TEXT_MAX,
        "source_recontact_how": max_length(IntelligenceItem.source_recontact_how),
        "source_how_known": INTEL_SOURCE_TEXT_MAX,
    }


# --- input ------------------------------------------------------------------------------


def parse_ids(value, name: str, label: str, errors: dict, *, most: int = 50) -> list[int]:
    """Record numbers from a JSON list, a form's repeated field, or text separated by
    commas or spaces ("12, 15"). Each must be a whole number; duplicates are dropped."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        parts = [p for p in value.replace(",", " ").split() if p]
    elif isinstance(value, list | tuple):
        parts = []
        for v in value:
            parts.extend(v.replace(",", " ").split() if isinstance(v, str) else [v])
    else:
        errors[name] = f"{label}: give a list of numbers"
        return []
    ids: list[int] = []
    for part in parts:
        if isinstance(part, bool):
            number = None
        elif isinstance(part, int):
            number = part
        elif isinstance(part, str) and part.isascii() and part.isdigit() and len(part) <= 10:
            number = int(part)
        else:
            number = None
        if number is None or not 1 <= number <= DATABASE_INT_MAX:
            errors[name] = f"{label}: give whole numbers only, separated by commas"
            return []
        if number not in ids:
            ids.append(number)
    if len(ids) > most:
        errors[name] = f"{label}: give {most} or fewer"
        return []
    return ids


def _email(value: str | None, errors: dict) -> str | None:
    if value and ("@" not in value or value.startswith("@") or value.endswith("@") or " " in value):
        errors["sharer_email"] = "Enter your email address in the correct format, like name@example.org"
        return None
    return value


def _visible_cases(user, case_ids: list[int]) -> set[int]:
    if not case_ids or not can(user, Perm.CASE_VIEW):
        return set()
    return set(db.session.scalars(select(Case.id).where(Case.id.in_(case_ids), case_scope(user))))


def parse_submission(user, data: Mapping) -> tuple[dict, list[int]]:
    """The submission's column values and the case ids to link, or ValidationError naming
    every bad field. Dates come as a date, an ISO string or a date input's parts."""
    errors: dict[str, str] = {}
    unknown = sorted(set(data) - set(FIELDS) - {"csrf_token", "save_anyway"})
    if unknown:
        raise ValidationError({name: "Unknown field" for name in unknown})
    sizes = limits()
    values: dict = {}

    def text(name: str, *, required: bool = False):
        values[name] = parse_text(data, name, LABELS[name], errors, max_length=sizes[name], required=required)

    text("sharer_name", required=True)
    text("sharer_organisation", required=True)
    text("sharer_phone")
    text("sharer_email")
    values["sharer_email"] = _email(values["sharer_email"], errors)
    text("information", required=True)
    on = today()
    values["information_date"] = date_value(
        data.get("information_date"),
        "information_date",
        LABELS["information_date"],
        errors,
        required=True,
        today=on,
    )
    text("information_place")
    text("source_name")
    born = date_value(
        data.get("source_date_of_birth"),
        "source_date_of_birth",
        LABELS["source_date_of_birth"],
        errors,
        today=on,
    )
    if born is not None and born.year < EARLIEST_BIRTH_YEAR:
        errors["source_date_of_birth"] = (
            f"{LABELS['source_date_of_birth']} must be after {EARLIEST_BIRTH_YEAR}"
        )
        born = None
    values["source_date_of_birth"] = born
    text("source_address")
    values["source_recontact"] = parse_yes_no(
        data, "source_recontact", "Say whether the source can be contacted again: yes or no", errors
    )
    text("source_recontact_how", required=values["source_recontact"] is True)
    if values["source_recontact"] is False:
        values["source_recontact_how"] = None  # a "no" with a how left over from a change of mind
    text("source_how_known", required=True)
    case_ids = parse_ids(
        data.get("case_ids"), "case_ids", LABELS["case_ids"], errors, most=INTEL_MAX_LINKED_CASES
    )
    if case_ids and "case_ids" not in errors:
        unseen = [i for i in case_ids if i not in _visible_cases(user, case_ids)]
        if unseen:
            # One message for a case that is not there and one out of reach: the form
            # must not tell a sharer which case numbers exist.
            errors["case_ids"] = (
                f"{LABELS['case_ids']}: you can only link children whose case you can see; "
                f"check case {', '.join(str(i) for i in unseen)}"
            )
    if errors:
        raise ValidationError(errors)
    return values, case_ids


# --- submitting -------------------------------------------------------------------------


# What the language check reads before an item is saved (the source's own account and the
# sharer's: both go to reviewers and, for P, to case teams).
CHECKED = ("information", "source_how_known")


@transaction
def submit(user, data: Mapping, *, save_anyway: bool = False) -> "ItemView":
    """Who: intel.share. Share Community Partnership Information: `data` holds FIELDS
    (dates as dates, ISO strings or a date input's parts; `case_ids` a list or text).
    Stored exactly as submitted; the cases given are linked as the sharer's suggestion.
    Answers the item as the sharer sees it (its reference is the acknowledgement).
    Raises WordingFlagged when the language check flags the information and
    `save_anyway` is false. Audited as intelligence.submitted with the item and case ids."""
    require(user, Perm.INTEL_SHARE, "intelligence.submitted")
    values, case_ids = parse_submission(user, data)
    flagged = check_before_saving(
        {name: values[name] for name in CHECKED},
        save_anyway=save_anyway,
        labels={name: LABELS[name] for name in CHECKED},
    )
    item = IntelligenceItem(submitted_by_id=user.id, status=IntelligenceStatus.SUBMITTED.value, **values)
    for case_id in case_ids:
        item.links.append(IntelligenceLink(case_id=case_id, suggested_by_sharer=True, created_by_id=user.id))
    db.session.add(item)
    db.session.flush()
    audit.record(
        "intelligence.submitted",
        "intelligence",
        item.id,
        detail={"case_ids": case_ids, "link_ids": [link.id for link in item.links], **audit_detail(flagged)},
        actor=user,
    )
    return view_of(user, item)


def prefill(user) -> dict:
    """The sharer block as the form first shows it: from the account."""
    return {
        "sharer_name": user.name,
        "sharer_organisation": user.agency.name if user.agency else "",
        "sharer_email": user.email,
    }


# --- what is shown ----------------------------------------------------------------------


@dataclass(frozen=True)
class SourceView:
    name: str | None
    date_of_birth: date | None
    address: str | None
    recontact: bool | None
    recontact_how: str | None
    how_known: str | None


@dataclass(frozen=True)
class GrantView:
    kind: str  # "user" or "agency"
    id: int
    name: str


@dataclass(frozen=True)
class GradingView:
    source_evaluation: str
    source_evaluation_label: str
    intelligence_assessment: str
    intelligence_assessment_label: str
    handling_code: str
    handling_label: str
    conditions: str | None
    sanitised_text: str | None  # never for a C item
    graded_by_name: str | None
    graded_at: datetime | None
    grants: tuple[GrantView, ...] = ()

    @property
    def sanitised_paragraphs(self) -> list[str]:
        return _paragraphs(self.sanitised_text)


@dataclass(frozen=True)
class LinkView:
    id: int
    kind: str  # "case", "location" or "person"
    target_id: int | None  # None: a case the viewer may not see
    label: str
    suggested_by_sharer: bool
    created_at: datetime


@dataclass(frozen=True)
class ItemView:
    id: int
    reference: str
    submitted_at: datetime
    submitted_by_id: int
    status: str
    status_label: str  # "Waiting for review" or "Reviewed"
    sharer_name: str
    sharer_organisation: str
    sharer_phone: str | None
    sharer_email: str | None
    information: str
    information_date: date
    information_place: str | None
    version: int
    source: SourceView | None  # None: the viewer may not see the source
    grading: GradingView | None  # None: not graded, or the viewer is outside its handling
    links: tuple[LinkView, ...] = ()
    hidden_links: int = 0  # linked cases the viewer may not see (shown as a count)
    handled: bool = False  # the viewer is within the handling (sees grading and links)
    may_review: bool = False
    own: bool = False

    @property
    def information_paragraphs(self) -> list[str]:
        return _paragraphs(self.information)

    @property
    def is_graded(self) -> bool:
        return self.status == IntelligenceStatus.GRADED.value


def _paragraphs(text: str | None) -> list[str]:
    return [line for line in (text or "").splitlines() if line.strip()]


def _status_label(status: str) -> str:
    return REVIEWED if status == IntelligenceStatus.GRADED.value else WAITING


def _handled(user, item: IntelligenceItem) -> bool:
    if access.is_reviewer(user):
        return True
    return bool(
        db.session.scalar(
            select(func.count(IntelligenceItem.id)).where(
                IntelligenceItem.id == item.id, access.handled_item_scope(user)
            )
        )
    )


def _grading(item: IntelligenceItem) -> GradingView | None:
    if item.status != IntelligenceStatus.GRADED.value or not item.handling_code:
        return None
    grants = []
    for grant in item.grants:
        if grant.user_id is not None:
            grants.append(GrantView("user", grant.user_id, grant.user.name))
        else:
            grants.append(GrantView("agency", grant.agency_id, grant.agency.name))
    is_c = item.handling_code == HandlingCode.WITH_CONDITIONS.value
    return GradingView(
        source_evaluation=item.source_evaluation,
        source_evaluation_label=SourceEvaluation(item.source_evaluation).label,
        intelligence_assessment=item.intelligence_assessment,
        intelligence_assessment_label=IntelligenceAssessment(item.intelligence_assessment).label,
        handling_code=item.handling_code,
        handling_label=HandlingCode(item.handling_code).label,
        conditions=item.handling_conditions if is_c else None,
        sanitised_text=None if is_c else item.sanitised_text,
        graded_by_name=item.graded_by.name if item.graded_by else None,
        graded_at=item.graded_at,
        grants=tuple(grants),
    )


def _links(user, item: IntelligenceItem, *, handled: bool) -> tuple[tuple[LinkView, ...], int]:
    """The links the viewer sees: all within handling, else only the cases the sharer
    suggested (part of what they submitted). A case outside the viewer's reach is shown
    without its number or child, and counted."""
    shown = [link for link in item.links if handled or link.suggested_by_sharer]
    case_ids = [link.case_id for link in shown if link.case_id]
    visible = _visible_cases(user, case_ids)
    names = {}
    if visible:
        names = dict(
            db.session.execute(
                select(Case.id, Child.first_name + " " + Child.last_name)
                .join(Child, Child.id == Case.child_id)
                .where(Case.id.in_(visible))
            ).all()
        )
    views, hidden = [], 0
    for link in shown:
        if link.case_id is not None:
            if link.case_id in visible:
                views.append(
                    LinkView(
                        link.id,
                        "case",
                        link.case_id,
                        f"{names.get(link.case_id, '')} (case {link.case_id})",
                        link.suggested_by_sharer,
                        link.created_at,
                    )
                )
            elif access.is_reviewer(user):
                # A police reviewer links cases they are not on the team of: they need to
                # know which case, not the child's record.
                views.append(
                    LinkView(
                        link.id,
                        "case",
                        link.case_id,
                        f"Case {link.case_id}",
                        link.suggested_by_sharer,
                        link.created_at,
                    )
                )
            else:
                hidden += 1
        elif link.location_id is not None:
            views.append(
                LinkView(
                    link.id,
                    "location",
                    link.location_id,
                    link.location.name,
                    link.suggested_by_sharer,
                    link.created_at,
                )
            )
        else:
            views.append(
                LinkView(
                    link.id,
                    "person",
                    link.person_id,
                    link.person.name,
                    link.suggested_by_sharer,
                    link.created_at,
                )
            )
    return tuple(views), hidden


def view_of(user, item: IntelligenceItem) -> ItemView:
    """The item as this user may see it (the caller has fetched it through access.py)."""
    handled = _handled(user, item)
    links, hidden = _links(user, item, handled=handled)
    source = None
    if access.sees_source(user, item):
        source = SourceView(
            item.source_name,
            item.source_date_of_birth,
            item.source_address,
            item.source_recontact,
            item.source_recontact_how,
            item.source_how_known,
        )
    return ItemView(
        id=item.id,
        reference=item.reference,
        submitted_at=item.submitted_at,
        submitted_by_id=item.submitted_by_id,
        status=item.status,
        status_label=_status_label(item.status),
        sharer_name=item.sharer_name,
        sharer_organisation=item.sharer_organisation,
        sharer_phone=item.sharer_phone,
        sharer_email=item.sharer_email,
        information=item.information,
        information_date=item.information_date,
        information_place=item.information_place,
        version=item.version,
        source=source,
        grading=_grading(item) if handled else None,
        links=links,
        hidden_links=hidden,
        handled=handled,
        may_review=access.is_reviewer(user),
        own=item.submitted_by_id == user.id,
    )


@transaction
def read(user, item_id) -> ItemView:
    """Who: intel.view, an item within reach (access.item_for: 404 otherwise, audited).
    Audited as intelligence.viewed with whether the source and the grading were shown and
    the ids of the links shown."""
    item = access.item_for(user, item_id, Perm.INTEL_VIEW, "intelligence.viewed")
    view = view_of(user, item)
    audit.record(
        "intelligence.viewed",
        "intelligence",
        item.id,
        detail={
            "source_shown": view.source is not None,
            "grading_shown": view.grading is not None,
            "link_ids": [link.id for link in view.links],
        },
        actor=user,
    )
    return view


# --- lists ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemRow:
    id: int
    reference: str
    submitted_at: datetime
    information_date: date
    sharer_organisation: str
    excerpt: str
    status: str
    status_label: str
    handling_code: str | None  # only when the viewer is within the handling


@dataclass(frozen=True)
class ItemFilters:
    statuses: tuple[str, ...] = ()
    handling: tuple[str, ...] = ()  # HandlingCode values (reviewers' queue only)
    mine: bool = False

    def query_args(self) -> dict:
        args: dict = {}
        if self.statuses:
            args["status"] = list(self.statuses)
        if self.handling:
            args["handling"] = list(self.handling)
        return args

    def audit_query(self) -> dict:
        return {**self.query_args(), **({"mine": True} if self.mine else {})}


@dataclass(frozen=True)
class ItemPage:
    items: list[ItemRow]
    total: int
    page: int
    per_page: int
    filters: ItemFilters = field(default_factory=ItemFilters)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _values(args: Mapping, name: str) -> list:
    if hasattr(args, "getlist"):
        raw = args.getlist(name)
    else:
        value = args.get(name)
        raw = [] if value is None else list(value) if isinstance(value, list | tuple) else [value]
    return [v.strip() for v in raw if isinstance(v, str) and v.strip()] + [
        v for v in raw if not isinstance(v, str) and v is not None
    ]


def parse_filters(args: Mapping) -> tuple[ItemFilters, dict[str, str]]:
    """`status` (submitted, graded) and `handling` (P, C), each repeatable; a bad value is
    a message naming the parameter, and left out."""
    errors: dict[str, str] = {}
    chosen: dict[str, list[str]] = {}
    for name, choices in (("status", IntelligenceStatus), ("handling", HandlingCode)):
        picked: list[str] = []
        for value in _values(args, name):
            if value not in choices.values():
                errors[name] = f"Choose each {name} from: {', '.join(choices.values())}"
                picked = []
                break
            if value not in picked:
                picked.append(value)
        chosen[name] = picked
    return ItemFilters(statuses=tuple(chosen["status"]), handling=tuple(chosen["handling"])), errors


def filters_from(args: Mapping) -> ItemFilters:
    filters, errors = parse_filters(args)
    if errors:
        raise ValidationError(errors)
    return filters


def _check_paging(page, per_page) -> None:
    errors = {}
    if not isinstance(page, int) or isinstance(page, bool) or not 1 <= page <= MAX_PAGE:
        errors["page"] = f"Give the page as a whole number from 1 to {MAX_PAGE}"
    if not isinstance(per_page, int) or isinstance(per_page, bool) or not 1 <= per_page <= MAX_PER_PAGE:
        errors["per_page"] = f"Give the number per page as a whole number from 1 to {MAX_PER_PAGE}"
    if errors:
        raise ValidationError(errors)


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1].rstrip() + "…"


def list_page(user, filters: ItemFilters, page: int, per_page: int, *, audit_action: str) -> ItemPage:
    """The items within the user's reach (item_scope) that match, ungraded first then the
    newest; one audit row naming the query and the ids shown. Inside a caller's
    transaction."""
    _check_paging(page, per_page)
    conditions = [access.item_scope(user)]
    if filters.mine:
        conditions.append(IntelligenceItem.submitted_by_id == user.id)
    if filters.statuses:
        conditions.append(IntelligenceItem.status.in_(filters.statuses))
    if filters.handling:
        # Narrowing by handling reveals it: only within the items handled for the user.
        conditions.append(IntelligenceItem.handling_code.in_(filters.handling))
        conditions.append(access.handled_item_scope(user))
    total = db.session.scalar(select(func.count(IntelligenceItem.id)).where(*conditions)) or 0
    ungraded_first = sql_case((IntelligenceItem.status == IntelligenceStatus.SUBMITTED.value, 0), else_=1)
    items = list(
        db.session.scalars(
            select(IntelligenceItem)
            .where(*conditions)
            .order_by(ungraded_first, IntelligenceItem.submitted_at.desc(), IntelligenceItem.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    handled = set()
    if items:
        handled = set(
            db.session.scalars(
                select(IntelligenceItem.id).where(
                    IntelligenceItem.id.in_([i.id for i in items]), access.handled_item_scope(user)
                )
            )
        )
    rows = [
        ItemRow(
            id=i.id,
            reference=i.reference,
            submitted_at=i.submitted_at,
            information_date=i.information_date,
            sharer_organisation=i.sharer_organisation,
            excerpt=_excerpt(i.information),
            status=i.status,
            status_label=_status_label(i.status),
            handling_code=i.handling_code if i.id in handled else None,
        )
        for i in items
    ]
    audit.record(
        audit_action,
        "intelligence",
        detail={
            "query": {**filters.audit_query(), "page": page, "per_page": per_page},
            "ids": [r.id for r in rows],
        },
        actor=user,
    )
    return ItemPage(rows, total, page, per_page, filters)


@transaction
def my_submissions(user, *, page: int = 1, per_page: int = DEFAULT_PER_PAGE) -> ItemPage:
    """Who: intel.share. The user's own submissions, waiting ones first. Audited as
    intelligence.listed with the ids shown."""
    require(user, Perm.INTEL_SHARE, "intelligence.listed")
    return list_page(user, ItemFilters(mine=True), page, per_page, audit_action="intelligence.listed")


@transaction
def list_for(
    user, filters: ItemFilters | None = None, *, page: int = 1, per_page: int = DEFAULT_PER_PAGE
) -> ItemPage:
    """Who: intel.view. Every item the user may open (reviewers all; others their own and
    those handling lets them see). Audited as intelligence.listed with the ids shown."""
    require(user, Perm.INTEL_VIEW, "intelligence.listed")
    return list_page(user, filters or ItemFilters(), page, per_page, audit_action="intelligence.listed")


# --- names for the review forms -----------------------------------------------------------


def agency_options() -> list[tuple[str, str]]:
    rows = db.session.execute(select(Agency.id, Agency.name).order_by(Agency.name)).all()
    return [(str(r.id), r.name) for r in rows]


def grant_ids(item: IntelligenceItem) -> tuple[list[int], list[int]]:
    users = [g.user_id for g in item.grants if g.user_id is not None]
    agencies = [g.agency_id for g in item.grants if g.agency_id is not None]
    return users, agencies
