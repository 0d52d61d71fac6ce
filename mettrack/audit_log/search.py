"""Searching the audit log.

MET chairs search by user, by case number ("13", "#13": the case's rows and those of its
records), by record and by date; admins by user and by date only
(DESIGN.md: an admin sees "the audit log by user and date, records by id only"). The
audit table holds ids, never names of children, so a row shows a record as its type and
id. Every search is itself audited, with its filters.

Dates are calendar days in Europe/London: "from 30 March" starts at midnight London time
on 30 March, whatever the UTC offset that day.
"""

import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, func, or_, select

from mettrack.accounts.agency import Agency
from mettrack.accounts.models import User
from mettrack.audit_log.rules import RECORD_TYPES, action_words, record_type_words
from mettrack.cases.rules import case_number_in
from mettrack.core import audit
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import AuditOutcome
from mettrack.core.clock import LONDON
from mettrack.core.errors import NotAllowed, ValidationError
from mettrack.core.extensions import db
from mettrack.core.limits import DATABASE_INT_MAX, max_length
from mettrack.core.permissions import Perm, can
from mettrack.core.unit_of_work import transaction

# The record type list offers these (audit_log/rules.py) and any other type the log holds;
# any well-formed type is accepted, as new areas add their own.
KNOWN_RECORD_TYPES = tuple(RECORD_TYPES)
RECORD_TYPE_PATTERN = re.compile(r"^[a-z][a-z_]{0,39}$")
RECORD_ID_MAX = max_length(AuditEvent.record_id)
MAX_PAGE = 100_000
RECORD_FIELDS = ("case", "record_type", "record_id")
FIELDS = ("actor", *RECORD_FIELDS, "date_from", "date_to")
ACTOR_MESSAGE = "Enter a user number (shown after each name in the log, like 12), or find the user by name"
# A search's entries are counted up to here and no further: counting all of a regional
# log (millions of rows) on every search took longer than the search (issue 18). Past it
# the page says "more than" and the pages run to it; a user or a date narrows the search.
COUNT_LIMIT = 10_000
USER_MATCHES = 20  # users listed by "Find a user" at most


class SearchRefused(NotAllowed):
    """The user's roles do not allow this search (403). Already audited."""


@dataclass(frozen=True)
class AuditFilters:
    actor_id: int | None = None
    case_id: int | None = None  # the case's rows and those of its records (detail's case_id)
    record_type: str | None = None
    record_id: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    def as_detail(self) -> dict:
        return {
            k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(self).items() if v is not None
        }


def _parse_date(value: str, field: str, label: str) -> date:
    value = value.strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise ValidationError({field: f"{label} must be a real date, like 27/3/2026"})


def parse_filters(args: Mapping) -> AuditFilters:
    """Filters from a search form (query-string values). Raises ValidationError naming
    each bad field; blank fields are no filter."""
    errors: dict[str, str] = {}

    def text(name: str) -> str:
        return (args.get(name) or "").strip()

    actor_id = None
    if text("actor"):
        try:
            actor_id = int(text("actor"))
            if not 1 <= actor_id <= DATABASE_INT_MAX:
                raise ValueError
        except ValueError:
            errors["actor"] = ACTOR_MESSAGE

    case_id = None
    if text("case"):
        case_id = case_number_in(text("case"))
        if case_id is None or case_id > DATABASE_INT_MAX:
            errors["case"] = "Enter a case number, like 13 or #13"
            case_id = None

    record_type = text("record_type").lower() or None
    record_id = text("record_id") or None
    if record_type and not RECORD_TYPE_PATTERN.match(record_type):
        errors["record_type"] = "Record type must be lower-case letters and underscores, like case"
    if record_id and not record_type:
        errors["record_type"] = "Enter the type of record, like case"
    if record_id and len(record_id) > RECORD_ID_MAX:
        errors["record_id"] = f"Record id must be {RECORD_ID_MAX} characters or fewer"

    dates = {}
    for field, label in (("date_from", "The ‘from’ date"), ("date_to", "The ‘to’ date")):
        dates[field] = None
        if text(field):
            try:
                dates[field] = _parse_date(text(field), field, label)
            except ValidationError as e:
                errors.update(e.errors)
    if dates["date_from"] and dates["date_to"] and dates["date_to"] < dates["date_from"]:
        errors["date_to"] = "The ‘to’ date must be the same as or after the ‘from’ date"

    if errors:
        raise ValidationError(errors)
    return AuditFilters(actor_id, case_id, record_type, record_id, dates["date_from"], dates["date_to"])


def _london_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LONDON).astimezone(UTC)


@dataclass
class AuditRow:
    seq: int
    occurred_at: datetime
    actor_user_id: int | None
    actor_name: str | None
    actor_label: str
    action: str
    action_words: str
    record_type: str | None
    record_type_words: str
    record_id: str | None
    outcome: str
    ip_address: str | None


@dataclass
class AuditPage:
    items: list[AuditRow]
    total: int  # counted up to COUNT_LIMIT
    page: int
    per_page: int
    filters: AuditFilters
    more: bool = False  # more entries than `total`: the count stopped at COUNT_LIMIT

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@transaction
def search(user, args: Mapping, page: int = 1, per_page: int = 50) -> AuditPage:
    """Who: a MET chair (by user, record and date) or an admin (by user and date).
    `args` are the search form's fields (see parse_filters). Rows newest first. Writes an
    "audit.searched" row with the filters. A search by record from a role without
    audit.search_records is refused, whatever else it holds: audited, SearchRefused (a NotAllowed).
    Bad fields: ValidationError, and nothing is searched."""
    by_record = any((args.get(name) or "").strip() for name in RECORD_FIELDS)
    if not can(user, Perm.AUDIT_SEARCH) or (by_record and not can(user, Perm.AUDIT_SEARCH_RECORDS)):
        needed = Perm.AUDIT_SEARCH_RECORDS if can(user, Perm.AUDIT_SEARCH) else Perm.AUDIT_SEARCH
        audit.record_now(
            "permission.denied",
            detail={
                "permission": str(needed),
                "query": {k: args.get(k)[:100] for k in FIELDS if args.get(k)},
            },
            outcome=AuditOutcome.DENIED,
            actor=user,
        )
        raise SearchRefused(str(needed))
    filters = parse_filters(args)

    query = select(AuditEvent, User.name).outerjoin(User, User.id == AuditEvent.actor_user_id)
    if filters.actor_id is not None:
        query = query.where(AuditEvent.actor_user_id == filters.actor_id)
    if filters.case_id is not None:
        query = query.where(_about_case(filters.case_id))
    if filters.record_type:
        query = query.where(AuditEvent.record_type == filters.record_type)
    if filters.record_id:
        query = query.where(AuditEvent.record_id == filters.record_id)
    if filters.date_from:
        query = query.where(AuditEvent.occurred_at >= _london_midnight(filters.date_from))
    if filters.date_to:
        query = query.where(AuditEvent.occurred_at < _london_midnight(filters.date_to + timedelta(days=1)))

    # Counted no further than COUNT_LIMIT (one more, to know there are more).
    limited = query.with_only_columns(AuditEvent.seq).order_by(None).limit(COUNT_LIMIT + 1).subquery()
    total = db.session.scalar(select(func.count()).select_from(limited))
    more = total > COUNT_LIMIT
    total = min(total, COUNT_LIMIT)
    rows = db.session.execute(
        query.order_by(AuditEvent.seq.desc()).limit(per_page).offset((page - 1) * per_page)
    ).all()
    items = [
        AuditRow(
            seq=event.seq,
            occurred_at=event.occurred_at,
            actor_user_id=event.actor_user_id,
            actor_name=name,
            actor_label=event.actor_label,
            action=event.action,
            action_words=action_words(event.action),
            record_type=event.record_type,
            record_type_words=record_type_words(event.record_type),
            record_id=event.record_id,
            outcome=event.outcome,
            ip_address=event.ip_address,
        )
        for event, name in rows
    ]
    audit.record(
        "audit.searched",
        detail={"filters": filters.as_detail(), "page": page, "total": total}
        | ({"more": True} if more else {}),
        actor=user,
    )
    return AuditPage(items, total, page, per_page, filters, more)


def _about_case(case_id: int):
    """The case's own rows, and the rows of its records (a note, a screening, a meeting
    action), which name it in their detail as `"case_id": 13` (core/audit.py writes the
    detail as JSON with json.dumps' separators)."""
    needle = json.dumps({"case_id": case_id})[1:-1]
    return or_(
        and_(AuditEvent.record_type == "case", AuditEvent.record_id == str(case_id)),
        AuditEvent.detail.contains(needle + ",", autoescape=True),
        AuditEvent.detail.contains(needle + "}", autoescape=True),
    )


def record_type_choices() -> list[tuple[str, str]]:
    """(code, words) for the record type list: the known types and any other the log holds."""
    codes = set(KNOWN_RECORD_TYPES) | {c for c in _record_types_held() if RECORD_TYPE_PATTERN.match(c)}
    return sorted(((c, record_type_words(c)) for c in codes), key=lambda pair: pair[1].casefold())


def _record_types_held() -> list[str]:
    """The distinct record types in the log, by a skip through the (record_type, record_id)
    index: one index probe per type, not a read of every row (SELECT DISTINCT)."""
    step = (
        select(func.min(AuditEvent.record_type).label("record_type"))
        .where(AuditEvent.record_type.is_not(None))
        .cte("held", recursive=True)
    )
    following = select(func.min(AuditEvent.record_type)).where(AuditEvent.record_type > step.c.record_type)
    step = step.union_all(select(following.scalar_subquery()).where(step.c.record_type.is_not(None)))
    return [code for code in db.session.scalars(select(step.c.record_type)) if code is not None]


def actor_label(actor_id: int | None) -> str | None:
    """ "Name (agency)" of the user searched for, None when none is (or no such user)."""
    if actor_id is None:
        return None
    row = db.session.execute(
        select(User.name, Agency.name).join(Agency, Agency.id == User.agency_id).where(User.id == actor_id)
    ).first()
    return f"{row[0]} ({row[1]})" if row else None


def find_users(text: str) -> tuple[list[tuple[int, str]], bool]:
    """Who: a user with audit.search (the page checks). The users whose name or e-mail
    address contains `text`, in any case, active or not: ([(id, "Name (agency)")] by name,
    at most USER_MATCHES, and whether there were more). ValidationError when blank or too
    long. Reads one page of users, never all of them (a regional deployment has thousands)."""
    text = " ".join((text or "").split()).casefold()
    if not text:
        raise ValidationError({"user": "Enter part of the user's name or e-mail address"})
    if len(text) > 254:
        raise ValidationError({"user": "Enter 254 characters or fewer"})
    pattern = "%" + text.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"
    rows = db.session.execute(
        select(User.id, User.name, Agency.name)
        .join(Agency, Agency.id == User.agency_id)
        .where(
            or_(
                func.lower(User.name).like(pattern, escape="/"),
                func.lower(User.email).like(pattern, escape="/"),
            )
        )
        .order_by(func.lower(User.name), User.id)
        .limit(USER_MATCHES + 1)
    ).all()
    return [(user_id, f"{name} ({agency})") for user_id, name, agency in rows[:USER_MATCHES]], len(
        rows
    ) > USER_MATCHES
