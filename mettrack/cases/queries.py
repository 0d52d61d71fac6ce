"""Reading cases through the user's need-to-know scope. Every read is audited.

The case list (`list_for`) takes a `CaseFilters`, built from a page's query string or an
API request by `parse_filters` / `filters_from`, which name the field of any bad value.
Filters of different fields all apply (AND); the values of one multi-choice field are
alternatives (OR): `state=referred&state=met_review` is "referred or in MET review".

Name search (`CaseFilters.search`) matches the child's first name, last name or any
alias, case-insensitively and in part; each word of the search must match one of them,
so "sam example" and "Example Sam" find the same child. The same box finds a case by its
number ("13", "#13", "Case #13") and by its MASH reference, in part. A child's name is personal data,
so it is never put in a URL (pages keep it in the server-side session, the API takes it
in a POST body) and never written to the audit log: the list's audit row says that a
name search was made (`"name_search": true`), with the other filters and the ids shown.

The SQL: a name search's page and total in one query; any other list's page read from
its sort's index, one row more than the page (on the last page that gives the total),
and a count only when more pages follow (_page_of_ids), each filter an EXISTS
(tags, missing episodes), an IN (the child's names, by trigram index on PostgreSQL) or a
column test, each sort served by an index (cases/models.py); the page's relations are
loaded with selectinload and the missing-episode alerts of the shown cases with one
grouped query, so the number of queries does not grow with the page (no N+1).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, or_, select, union
from sqlalchemy import case as sql_case
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.elements import True_

from mettrack.accounts.models import User
from mettrack.cases import access_reasons
from mettrack.cases.models import Case, CaseTag, CaseTeamMember
from mettrack.cases.rules import case_number_in
from mettrack.cases.scopes import case_scope, case_summary_scope, full_record_ids, sees_case_record
from mettrack.children.models import Child
from mettrack.core import audit, permissions
from mettrack.core.choices import (
    CaseFlag,
    CaseState,
    CaseTagKind,
    ExploitationType,
    HarmLocation,
    ReferenceKind,
    RiskLevel,
    Role,
)
from mettrack.core.clock import now, today
from mettrack.core.errors import ValidationError
from mettrack.core.extensions import db
from mettrack.core.limits import DATABASE_INT_MAX
from mettrack.core.permissions import Perm, can, deny_record
from mettrack.core.unit_of_work import transaction, unit_of_work
from mettrack.missing import rules as missing_rules
from mettrack.missing.models import MissingEpisode
from mettrack.reference.models import ReferenceItem
from mettrack.risk import rules as risk_rules
from mettrack.screening import cserq4

DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 100
# Far beyond any real list; it keeps the row offset within what the database takes.
MAX_PAGE = 1_000_000
MAX_SEARCH = 100  # characters of a name search

# Sort orders of the list: (value, label). The first is the default.
SORTS: dict[str, str] = {
    "opened": "Newest first",
    "next_review": "Next review date, soonest first",
    "risk": "Risk level, highest first",
}
DEFAULT_SORT = "opened"
ME = "me"  # lead_professional=me: the signed-in user

# The query parameter (and form field, and API field) of each filter.
MULTI_PARAMS = {
    "state": "states",
    "risk_level": "risk_levels",
    "exploitation_type": "exploitation_types",
    "flag": "flags",
    "harm_location": "harm_locations",
    "police_tier": "police_tiers",
}
BOOL_PARAMS = {
    "review_overdue": "Review overdue",
    "rhi_overdue": "Return Home Interview overdue",
    "open_missing_episode": "Missing now",
    "repeat_missing": "Repeatedly missing",
}
FILTER_PARAMS = (*MULTI_PARAMS, "lead_professional", *BOOL_PARAMS, "sort")
SEARCH_PARAM = "q"

CHOICES = {
    "state": CaseState.values(),
    "risk_level": RiskLevel.values(),
    "exploitation_type": ExploitationType.values(),
    "flag": CaseFlag.values(),
    "harm_location": HarmLocation.values(),
}
_NAMES = {
    "state": "state",
    "risk_level": "risk level",
    "exploitation_type": "exploitation type",
    "flag": "flag",
    "harm_location": "place of harm",
    "police_tier": "police tier",
}
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


@dataclass(frozen=True)
class CaseFilters:
    """What the case list is narrowed to. Empty means no narrowing."""

    states: tuple[str, ...] = ()
    risk_levels: tuple[str, ...] = ()
    exploitation_types: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    harm_locations: tuple[str, ...] = ()
    police_tiers: tuple[str, ...] = ()  # police tier codes (reference data)
    lead_professional_id: int | None = None
    lead_is_me: bool = False  # given as "me": kept so that links keep saying "me"
    review_overdue: bool = False  # an open case whose next review date is before today (London)
    rhi_overdue: bool = False  # a Return Home Interview not recorded 72 hours after a return
    open_missing_episode: bool = False  # missing now: an episode with no return
    repeat_missing: bool = False  # missing repeatedly (the partnership's count and period)
    search: str | None = None  # a name or part of one: never in a URL or the audit log
    sort: str = DEFAULT_SORT

    @property
    def active(self) -> bool:
        """Narrowed by anything (the sort order does not narrow)."""
        return self != CaseFilters(sort=self.sort)

    def query_args(self) -> dict[str, list[str] | str]:
        """The filters as query parameters for a link (pagination, "remove this filter").
        Never the name search."""
        args: dict[str, list[str] | str] = {}
        for param, attr in MULTI_PARAMS.items():
            if getattr(self, attr):
                args[param] = list(getattr(self, attr))
        if self.lead_professional_id is not None:
            args["lead_professional"] = ME if self.lead_is_me else str(self.lead_professional_id)
        for param in BOOL_PARAMS:
            if getattr(self, param):
                args[param] = "true"
        if self.sort != DEFAULT_SORT:
            args["sort"] = self.sort
        return args

    def audit_query(self) -> dict:
        """The query as the audit log records it: the filters set, and whether a name was
        searched for, never the name."""
        query: dict = {}
        for param, attr in MULTI_PARAMS.items():
            if getattr(self, attr):
                query[param] = list(getattr(self, attr))
        if self.lead_professional_id is not None:
            query["lead_professional"] = self.lead_professional_id
        for param in BOOL_PARAMS:
            if getattr(self, param):
                query[param] = True
        if self.search:
            query["name_search"] = True
        query["sort"] = self.sort
        return query

    def without(self, param: str, value: str | None = None) -> "CaseFilters":
        """These filters less one parameter (or one value of a multi-choice one)."""
        if param in MULTI_PARAMS:
            attr = MULTI_PARAMS[param]
            kept = tuple(v for v in getattr(self, attr) if value is not None and v != value)
            return replace(self, **{attr: kept})
        if param == "lead_professional":
            return replace(self, lead_professional_id=None, lead_is_me=False)
        if param in BOOL_PARAMS:
            return replace(self, **{param: False})
        if param == SEARCH_PARAM:
            return replace(self, search=None)
        return self

    @property
    def search_words(self) -> list[str]:
        return (self.search or "").casefold().split()


# --- parsing -----------------------------------------------------------------------------


def _values(args: Mapping, name: str) -> list:
    """Every value given for `name`: a query string's repeated parameters, a JSON list,
    or a single value. Blank strings are dropped."""
    if hasattr(args, "getlist"):
        raw = args.getlist(name)
    else:
        value = args.get(name)
        raw = [] if value is None else list(value) if isinstance(value, list | tuple) else [value]
    values = []
    for value in raw:
        if isinstance(value, str):
            value = value.strip()
            if not value:
                continue
        values.append(value)
    return values


def _choice_list(name: str, values: list, choices: list[str], errors: dict) -> tuple[str, ...]:
    chosen = []
    for value in values:
        if not isinstance(value, str) or value not in choices:
            errors[name] = f"Choose each {_NAMES[name]} from: {', '.join(choices)}"
            return ()
        if value not in chosen:
            chosen.append(value)
    return tuple(chosen)


def _boolean(name: str, values: list, errors: dict) -> bool:
    if not values:
        return False
    value = values[-1]
    if isinstance(value, bool):
        return value
    text = str(value).casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    errors[name] = f"{BOOL_PARAMS[name]}: use true or false"
    return False


def police_tier_codes() -> list[str]:
    """Every police tier code a case may hold, offered or deactivated, in list order."""
    return list(
        db.session.scalars(
            select(ReferenceItem.code)
            .where(ReferenceItem.kind == ReferenceKind.POLICE_TIER.value)
            .order_by(ReferenceItem.sort_order, ReferenceItem.code)
        )
    )


def normalise_search(value, errors: dict) -> str | None:
    """A name search as stored and matched: whitespace collapsed; None when blank."""
    if value is None:
        return None
    if not isinstance(value, str):
        errors[SEARCH_PARAM] = "Enter a name or part of a name as text"
        return None
    text = " ".join(value.split())
    if not text:
        return None
    if len(text) > MAX_SEARCH:
        errors[SEARCH_PARAM] = f"Enter a name of {MAX_SEARCH} characters or fewer"
        return None
    return text


def parse_filters(args: Mapping, user=None, *, search: bool = True) -> tuple[CaseFilters, dict[str, str]]:
    """Who: pages and the API, before list_for. The filters in `args` (a query string's
    MultiDict, or a dict of values and lists from JSON), and {field: message} for each
    bad one; a bad field is left out of the filters, the good ones kept. `lead_professional`
    may be `me` (the given user). The name search is read from `q` when present, unless
    `search` is False (pages: a name in a query string is ignored, never used)."""
    errors: dict[str, str] = {}
    values: dict = {}
    for param, attr in MULTI_PARAMS.items():
        given = _values(args, param)
        choices = police_tier_codes() if param == "police_tier" and given else CHOICES.get(param, [])
        values[attr] = _choice_list(param, given, choices, errors) if given else ()
    lead = _values(args, "lead_professional")
    if lead:
        value = lead[-1]
        if isinstance(value, str) and value.casefold() == ME and user is not None:
            values["lead_professional_id"], values["lead_is_me"] = user.id, True
        else:
            try:
                lead_id = int(value) if not isinstance(value, bool) else None
            except (TypeError, ValueError):
                lead_id = None
            if lead_id is None or not 1 <= lead_id <= DATABASE_INT_MAX or str(value).strip() != str(lead_id):
                errors["lead_professional"] = "Give the lead professional as a user id, or me"
            else:
                values["lead_professional_id"] = lead_id
    for param in BOOL_PARAMS:
        values[param] = _boolean(param, _values(args, param), errors)
    sort = _values(args, "sort")
    if sort:
        if sort[-1] in SORTS:
            values["sort"] = sort[-1]
        else:
            errors["sort"] = f"Sort by one of: {', '.join(SORTS)}"
    if search and SEARCH_PARAM in args:
        given = _values(args, SEARCH_PARAM)
        values["search"] = normalise_search(given[-1] if given else None, errors)
    return CaseFilters(**values), errors


def filters_from(args: Mapping, user=None) -> CaseFilters:
    """parse_filters, raising ValidationError naming every bad field (for the API)."""
    filters, errors = parse_filters(args, user)
    if errors:
        raise ValidationError(errors)
    return filters


def require(user, perm: Perm, action: str) -> None:
    """NotAllowed (403), audited, when the user's roles do not allow `perm`
    (permissions.require)."""
    permissions.require(user, perm, action)


# --- the list ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseAlerts:
    """What needs attention on a case, shown beside it in lists."""

    missing_now: bool = False
    rhi_overdue: bool = False
    repeat_missing: bool = False
    review_overdue: bool = False


@dataclass
class CasePage:
    items: list[Case]
    total: int
    page: int
    per_page: int
    filters: CaseFilters = field(default_factory=CaseFilters)
    alerts: dict[int, CaseAlerts] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def review_overdue(case: Case, at: datetime | None = None) -> bool:
    """domain.risk.review_overdue for one case, against today's date in London."""
    return risk_rules.review_overdue(case.next_review_on, case_open=case.is_open, today=today(at))


def review_overdue_condition(at: datetime):
    """In SQL, domain.risk.review_overdue: an open case whose next review date is before
    today in London (a NULL date compares as not overdue, as None does in the rule)."""
    return and_(Case.state != CaseState.CLOSED.value, Case.next_review_on < today(at))


def _repeat_rule() -> missing_rules.RepeatMissingRule:
    from mettrack.missing import repeat_rule

    return repeat_rule()


def _rhi_overdue_condition(at: datetime):
    """In SQL, domain.missing.rhi_overdue: returned more than 72 hours ago and nothing
    recorded about the Return Home Interview."""
    return and_(
        MissingEpisode.returned_at.is_not(None),
        MissingEpisode.returned_at < at - missing_rules.RHI_DUE_WITHIN,
        or_(MissingEpisode.rhi_status.is_(None), MissingEpisode.rhi_status == ""),
    )


def _repeat_window(at: datetime, rule: missing_rules.RepeatMissingRule):
    """In SQL, domain.missing.repeat_missing's period: began in the last `rule.days` days."""
    since = at - timedelta(days=rule.days)
    return and_(MissingEpisode.went_missing_at >= since, MissingEpisode.went_missing_at <= at)


def _tag_exists(kind: CaseTagKind, values: Iterable[str]):
    return exists().where(CaseTag.case_id == Case.id, CaseTag.kind == kind.value, CaseTag.value.in_(values))


def _episode_exists(*conditions):
    return exists().where(MissingEpisode.case_id == Case.id, *conditions)


def _like_word(column, word: str):
    """`lower(column) LIKE '%word%'`, the word's wildcards escaped: the expression of the
    column's trigram index (core/types.trigram_index), so PostgreSQL can use it."""
    escaped = word.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return func.lower(column).like(f"%{escaped}%", escape="/")


def _search_condition(text: str, full_record):
    """A case whose number the search names ("13", "#13", "Case #13": cases/rules.py), a
    case whose MASH reference contains the search, or a child each of whose words is part
    of the first name, last name or an alias, in any case. The MASH reference and the
    aliases belong to the whole record: they are matched only on the cases whose whole
    record the user may see (`full_record`), so a summary's search reveals neither.

    One `id IN (...)` over a UNION of small index reads (the trigram indexes of the names,
    aliases and MASH reference; the case number), not an OR of EXISTS over every case:
    the planner can cost each part, and each part finds its few rows by index."""
    words = text.casefold().split()

    def children_matching(*columns):
        return select(Child.id).where(*(or_(*(_like_word(c, word) for c in columns)) for word in words))

    # Each part reads its own `cases` (an alias), never the outer query's row.
    found = db.aliased(Case)
    parts = [select(found.id).where(found.child_id.in_(children_matching(Child.first_name, Child.last_name)))]
    number = case_number_in(text)
    if number is not None and number <= DATABASE_INT_MAX:
        parts.append(select(found.id).where(found.id == number))
    whole = [
        select(found.id).where(
            found.child_id.in_(children_matching(Child.first_name, Child.last_name, Child.aliases))
        ),
        select(found.id).where(_like_word(found.mash_reference, " ".join(words))),
    ]
    if isinstance(full_record, True_):  # a MET chair: the whole record's names cover the summary's
        return Case.id.in_(union(*parts[1:], *whole))
    return or_(Case.id.in_(union(*parts)), and_(full_record, Case.id.in_(union(*whole))))


def conditions_for(user, filters: CaseFilters, at: datetime) -> list:
    """The SQL conditions of the user's scope and the filters (for list_for and others
    that list cases the same way). The scope is the case summary's
    (permissions.case_summary_scope); a filter on what only the whole record shows
    (flags, places of harm, missing episodes) matches only the cases whose whole record
    the user may see, so it reveals nothing about the others."""
    full_record = case_scope(user)
    conditions = [case_summary_scope(user)]
    if filters.states:
        conditions.append(Case.state.in_(filters.states))
    if filters.risk_levels:
        conditions.append(Case.risk_level.in_(filters.risk_levels))
    for kind, values in (
        (CaseTagKind.EXPLOITATION_TYPE, filters.exploitation_types),
        (CaseTagKind.FLAG, filters.flags),
        (CaseTagKind.HARM_LOCATION, filters.harm_locations),
    ):
        if values:
            tagged = _tag_exists(kind, values)
            conditions.append(tagged if kind is CaseTagKind.EXPLOITATION_TYPE else and_(full_record, tagged))
    if filters.police_tiers:
        conditions.append(Case.police_tier.in_(filters.police_tiers))
    if filters.lead_professional_id is not None:
        conditions.append(Case.lead_professional_id == filters.lead_professional_id)
    for param in BOOL_PARAMS:
        if getattr(filters, param):
            condition = alert_condition(param, at)
            conditions.append(condition if param in SUMMARY_ALERTS else and_(full_record, condition))
    if filters.search_words:
        conditions.append(_search_condition(filters.search, full_record))
    return conditions


# The alerts a case summary shows: the others come from the missing episodes, which belong
# to the whole record (cases/projection.py withholds them from a summary).
SUMMARY_ALERTS = frozenset({"review_overdue"})


# Said wherever a coordinator sees summaries beside alerts from the whole record: the case
# list's filters and the home page's numbers.
WHOLE_RECORD_NOTE = (
    "You see a summary of open cases you are not on the team of. Missing now, Return Home "
    "Interviews and repeatedly missing come from the child's whole record, so these filters "
    "and numbers count only the cases whose whole record you may see: those whose team you are on."
)


def sees_summaries(user) -> bool:
    """Whether the user lists cases beyond those whose whole record they may see (a
    coordinator who is not a MET chair): their record-only filters and alerts then cover
    fewer cases than the list, and the page says so."""
    return user.has_role(Role.COORDINATOR) and not user.has_role(Role.MET_CHAIR)


def alert_condition(alert: str, at: datetime):
    """In SQL, on Case, the one definition of each alert of the case list (BOOL_PARAMS:
    review_overdue, rhi_overdue, open_missing_episode, repeat_missing), as the list's
    filters and the home page's work queues (home/queues.py) both use it. It says
    nothing of scope: the caller adds the user's (an alert outside SUMMARY_ALERTS only
    with case_scope, the whole record)."""
    if alert == "review_overdue":
        return review_overdue_condition(at)
    if alert == "rhi_overdue":
        return _episode_exists(_rhi_overdue_condition(at))
    if alert == "open_missing_episode":
        return _episode_exists(missing_now_condition())
    if alert == "repeat_missing":
        rule = _repeat_rule()
        in_period = (
            select(func.count(MissingEpisode.id))
            .where(MissingEpisode.case_id == Case.id, _repeat_window(at, rule))
            .scalar_subquery()
        )
        return in_period >= rule.episodes
    raise ValueError(f"no alert named {alert}")


def missing_now_condition():
    """In SQL, domain.missing.is_open: an episode with no return recorded."""
    return MissingEpisode.returned_at.is_(None)


def rhi_to_offer_condition(at: datetime):
    """In SQL, domain.missing.rhi_outstanding short of rhi_overdue: returned within the
    last 72 hours and nothing recorded about the Return Home Interview yet."""
    return and_(
        MissingEpisode.returned_at.is_not(None),
        MissingEpisode.returned_at >= at - missing_rules.RHI_DUE_WITHIN,
        or_(MissingEpisode.rhi_status.is_(None), MissingEpisode.rhi_status == ""),
    )


def rhi_to_offer_case_condition(at: datetime):
    """On Case: an episode whose Return Home Interview is to offer, not yet overdue."""
    return _episode_exists(rhi_to_offer_condition(at))


def _order(sort: str) -> list:
    """Each sort as its index (cases/models.py) reads: next_review (next_review_on, id),
    risk (risk_rank, next_review_on, id), opened (opened_at, id) backwards. A case with
    no review date comes last."""
    review_last_if_none = [Case.next_review_on.asc().nulls_last()]
    if sort == "next_review":
        return [*review_last_if_none, Case.id.asc()]
    if sort == "risk":
        return [Case.risk_rank.asc(), *review_last_if_none, Case.id.asc()]
    return [Case.opened_at.desc(), Case.id.desc()]


def ordered_ids(
    user, filters: CaseFilters, at: datetime, *, limit: int | None = None, offset: int = 0
) -> list[int]:
    """The ids of the cases the list shows the user for `filters`, in the list's order:
    one page of them (`limit`, `offset`) or all (the export, cases/list_export.py).
    Audits nothing: the caller writes the row naming them."""
    query = _ids_in_order(conditions_for(user, filters, at), filters)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return list(db.session.scalars(query))


def alerts_for(cases: list[Case], at: datetime | None = None) -> dict[int, CaseAlerts]:
    """Who: lists and reads already audited. What needs attention on each case, from one
    grouped query over their missing episodes (the same rules as domain.missing), and
    kept on each case for alerts_of."""
    if not cases:
        return {}
    at = at or now()
    rule = _repeat_rule()
    ids = [c.id for c in cases]

    def count_of(condition):
        return func.sum(sql_case((condition, 1), else_=0))

    rows = db.session.execute(
        select(
            MissingEpisode.case_id,
            count_of(missing_now_condition()),
            count_of(_rhi_overdue_condition(at)),
            count_of(_repeat_window(at, rule)),
        )
        .where(MissingEpisode.case_id.in_(ids))
        .group_by(MissingEpisode.case_id)
    )
    counts = {case_id: (open_, overdue, recent) for case_id, open_, overdue, recent in rows}
    alerts = {}
    for c in cases:
        open_, overdue, recent = counts.get(c.id, (0, 0, 0))
        alerts[c.id] = CaseAlerts(
            missing_now=bool(open_),
            rhi_overdue=bool(overdue),
            repeat_missing=(recent or 0) >= rule.episodes,
            review_overdue=review_overdue(c, at),
        )
        c._alerts = alerts[c.id]
    return alerts


def alerts_of(case: Case) -> CaseAlerts:
    """The case's alerts: those its list worked out, or worked out now."""
    cached = getattr(case, "_alerts", None)
    return cached if cached is not None else alerts_for([case])[case.id]


def tags_of(case: Case, kind: CaseTagKind | str) -> list[str]:
    """The case's tag values of one kind (exploitation types, flags, places of harm)."""
    kind = CaseTagKind(kind).value
    return sorted(t.value for t in case.tags if t.kind == kind)


def list_for(
    user,
    filters: CaseFilters | None = None,
    *,
    state: str | None = None,
    page: int = 1,
    per_page: int = DEFAULT_PER_PAGE,
) -> CasePage:
    """Who: any role with case.list. The cases within the user's scope that match
    `filters`, in the filters' sort order, one page at a time (`per_page` at most 100; a
    page past the end is empty). `state` is a shortcut for one state. Writes one audit row
    naming the query (the filters, never a searched name) and the ids shown."""
    require(user, Perm.CASE_LIST, "case.listed")
    filters = filters or CaseFilters()
    if state:
        filters = replace(filters, states=filters_from({"state": state}).states)
    errors = {}
    if not isinstance(page, int) or isinstance(page, bool) or not 1 <= page <= MAX_PAGE:
        errors["page"] = f"Give the page as a whole number from 1 to {MAX_PAGE}"
    if not isinstance(per_page, int) or isinstance(per_page, bool) or not 1 <= per_page <= MAX_PER_PAGE:
        errors["per_page"] = f"Give the number of cases per page as a whole number from 1 to {MAX_PER_PAGE}"
    if errors:
        raise ValidationError(errors)

    at = now()
    conditions = conditions_for(user, filters, at)
    shown, total = _page_of_ids(conditions, filters, page, per_page)
    full = full_record_ids(user, shown)
    summary_ids = [case_id for case_id in shown if case_id not in full]
    with unit_of_work():
        audit.record(
            "case.listed",
            "case",
            detail={
                "query": {**filters.audit_query(), "page": page, "per_page": per_page},
                "ids": shown,
                # Shown as a summary only (a coordinator's open case off their team).
                **({"summary_ids": summary_ids} if summary_ids else {}),
            },
            actor=user,
        )
    # Loaded after the commit (which expires what the session holds), each relation in
    # one query for the whole page.
    loaded = {
        c.id: c
        for c in db.session.scalars(
            select(Case)
            .where(Case.id.in_(shown))
            .options(
                selectinload(Case.team).selectinload(CaseTeamMember.user),
                selectinload(Case.lead_professional),
            )
        )
    }
    items = [loaded[case_id] for case_id in shown if case_id in loaded]
    for c in items:
        _mark_access(c, user, c.id in full)
    alerts = alerts_for(items, at)
    for c in items:
        if c.id not in full:
            # Missing episodes belong to the whole record: a summary shows no alert of them.
            alerts[c.id] = c._alerts = CaseAlerts(review_overdue=alerts[c.id].review_overdue)
    return CasePage(items, total, page, per_page, filters, alerts)


def _ids_in_order(conditions: list, filters: CaseFilters):
    """The list's case ids for `conditions`, in its sort order: for a page and the export."""
    return select(Case.id).where(*conditions).order_by(*_order(filters.sort))


def _page_of_ids(conditions: list, filters: CaseFilters, page: int, per_page: int) -> tuple[list[int], int]:
    """The ids of one page of the list, in its sort order, and how many cases match.

    A name search reads every match anyway (by trigram index, then sorted): the page and
    the total come from one query (count(*) OVER ()). Any other list reads one row more
    than the page from the sort's index: when that row does not come, this is the last
    page and the total is known; only when more pages follow is the total counted."""
    offset = (page - 1) * per_page
    ordered = _ids_in_order(conditions, filters).offset(offset)
    if filters.search_words:
        rows = db.session.execute(ordered.add_columns(func.count().over()).limit(per_page)).all()
        if rows:
            return [row[0] for row in rows], rows[0][1]
        shown: list[int] = []
    else:
        shown = list(db.session.scalars(ordered.limit(per_page + 1)))
        if 0 < len(shown) <= per_page:
            return shown, offset + len(shown)
    if not shown and page == 1:
        return [], 0
    # More pages follow, or a page past the end: counted.
    return shown[:per_page], db.session.scalar(select(func.count(Case.id)).where(*conditions))


def lead_options(user) -> list[tuple[int, str]]:
    """Who: any role with case.list (the filter's choices). The lead professionals of the
    cases the user may see: (user id, name), by name. Names no child."""
    if not can(user, Perm.CASE_LIST):
        return []
    leads = select(Case.lead_professional_id).where(
        case_summary_scope(user), Case.lead_professional_id.is_not(None)
    )
    return [
        (row.id, row.name)
        for row in db.session.execute(
            select(User.id, User.name).where(User.id.in_(leads)).order_by(User.name, User.id)
        )
    ]


def police_tier_labels() -> dict[str, str]:
    """Every police tier's code and label (offered or not), for showing a list."""
    return dict(
        db.session.execute(
            select(ReferenceItem.code, ReferenceItem.label).where(
                ReferenceItem.kind == ReferenceKind.POLICE_TIER.value
            )
        ).all()
    )


def police_tier_options() -> list[tuple[str, str]]:
    """The police tiers to filter by: (code, label), in list order."""
    return [
        (item.code, item.label)
        for item in db.session.scalars(
            select(ReferenceItem)
            .where(ReferenceItem.kind == ReferenceKind.POLICE_TIER.value)
            .order_by(ReferenceItem.sort_order, ReferenceItem.code)
        )
    ]


# --- one case ----------------------------------------------------------------------------


def case_within(user, case_id: int, scope, action: str) -> Case:
    """The case, if the user may view cases and `scope` (cases/scopes.py) reaches it;
    otherwise the attempt is audited (`action`.denied) and NotFound raised. Writes no
    audit row of its own: the caller records what it shows."""
    if not can(user, Perm.CASE_VIEW):
        raise deny_record("case", case_id, action)
    case = db.session.scalar(select(Case).where(Case.id == case_id, scope))
    if case is None:
        raise deny_record("case", case_id, action)
    return case


@transaction
def get_for(user, case_id: int, *, action: str = "case.viewed") -> Case:
    """Who: any role with case.view. The case if its whole record is within the user's
    need-to-know (permissions.case_scope); otherwise the attempt is audited and NotFound
    raised (the caller answers 404). For the child's record, notes, missing episodes,
    screenings, risk assessments, the team: anything beyond the case summary."""
    case = case_within(user, case_id, case_scope(user), action)
    _mark_access(case, user, True)
    audit.record(action, "case", case.id, actor=user)
    return case


@transaction
def get_summary_for(user, case_id: int, *, action: str = "case.viewed", ask_reason: bool = False) -> Case:
    """Who: any role with case.view. The case if within the user's case summary scope
    (permissions.case_summary_scope: a coordinator's every open case); otherwise the
    attempt is audited and NotFound raised. For the case page, the API's case, the
    specialist services and the moves that record one: what is shown of a case whose
    whole record the user may not see is decided by `record_visible` (pages: absent
    sections; API: withheld fields). The audit row says `"access": "summary"` then.
    `ask_reason`: a read of the case itself (the API's case), which a police user
    justifies (cases/access_reasons.py); the reason goes in the audit row."""
    case = case_within(user, case_id, case_summary_scope(user), action)
    reason = access_reasons.required(user, [case]) if ask_reason else None
    full = sees_case_record(user, case.id)
    _mark_access(case, user, full)
    detail = ({} if full else {"access": "summary"}) | ({"reason": reason} if reason is not None else {})
    audit.record(action, "case", case.id, detail=detail or None, actor=user)
    return case


def _mark_access(case: Case, user, full: bool) -> None:
    # Kept with the user's id: the session's identity map may hand the same object to
    # another user's request in tests and scripts.
    case._record_access = (user.id, full)


def record_visible(case: Case, user) -> bool:
    """Whether `user` may see the case's whole record, not only its summary: what the
    case page and the API's case schema ask before showing anything beyond the summary.
    Worked out when the case was read (list_for, get_for, get_summary_for), or now."""
    marked = getattr(case, "_record_access", None)
    if marked is not None and marked[0] == getattr(user, "id", None):
        return marked[1]
    full = sees_case_record(user, case.id)
    if user is not None and getattr(user, "id", None) is not None:
        _mark_access(case, user, full)
    return full


def child_age(child: Child, at: datetime | None = None) -> int | None:
    """The child's age in whole years today (London), None when the date of birth is not
    known. What a case summary shows in place of the date of birth."""
    if child.date_of_birth is None:
        return None
    return cserq4.age_on(child.date_of_birth, today(at))


def get_child_for(user, child_id: int, *, action: str = "child.viewed") -> Child:
    """Who: any role with case.view. The child if within the user's need-to-know, as
    services.children defines it (children.child_scope: one definition); otherwise the
    attempt is audited and NotFound raised (the caller answers 404)."""
    from mettrack.children import get_for as children_get_for

    return children_get_for(user, child_id, action=action)
