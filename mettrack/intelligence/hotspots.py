"""Hotspots: locations ranked by how many children (their cases) and intelligence items
were linked to them in a chosen period (the last 90 days unless chosen), with what is new
since the last meeting (docs/intelligence-cases.md). For reviewers of intelligence
(intel.review): the MET chair and police case workers.

A child counts for a place when their case was linked to it directly in the period, or
when an item linked to the place in the period is linked to their case too. The counting
follows handling (access.handled_item_scope) so that it stays right if the page is ever
opened to others; for a reviewer every item counts. One GROUP BY query for the ranking,
one for the places' names, one for the last meeting. Audited as hotspots.viewed with the
location ids shown and the period (dates are not personal data).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Integer, case, cast, func, null, select, union_all
from sqlalchemy.orm import aliased

from mettrack.core import audit
from mettrack.core.choices import LocationType, MeetingStatus
from mettrack.core.clock import LONDON, today
from mettrack.core.errors import ValidationError
from mettrack.core.extensions import db
from mettrack.core.form_input import date_value
from mettrack.core.permissions import Perm, require
from mettrack.core.unit_of_work import transaction
from mettrack.intelligence.access import handled_item_scope
from mettrack.intelligence.models import CaseSubjectLink, IntelligenceItem, IntelligenceLink, Location
from mettrack.intelligence.paths import link_to
from mettrack.meetings.models import Meeting

DEFAULT_DAYS = 90
MAX_DAYS = 366 * 5
MAX_ROWS = 100


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """UTC moments from the start of `start` to the end of `end`, London days."""
        first = datetime.combine(self.start, time(), LONDON)
        after = datetime.combine(self.end + timedelta(days=1), time(), LONDON)
        return first, after


@dataclass(frozen=True)
class Hotspot:
    location_id: int
    name: str
    location_type_label: str
    postcode: str | None
    children: int
    items: int
    new_children: int | None  # since the last meeting; None with no meeting before today
    new_items: int | None
    url: str | None


@dataclass(frozen=True)
class Hotspots:
    period: Period
    since: datetime | None  # the last meeting's start
    since_meeting_id: int | None
    rows: list[Hotspot]


def default_period(on: date | None = None) -> Period:
    end = on or today()
    return Period(end - timedelta(days=DEFAULT_DAYS - 1), end)


def parse_period(args: Mapping) -> Period:
    """`from` and `to`: ISO dates (API, links) or date inputs' parts (the page's form:
    from-day, from-month, from-year). Blank: the last 90 days. ValidationError naming the
    field otherwise."""
    errors: dict = {}
    default = default_period()

    def given(name: str):
        parts = tuple(str(args.get(f"{name}-{p}") or "") for p in ("day", "month", "year"))
        return parts if any(p.strip() for p in parts) else args.get(name)

    start = date_value(given("from"), "from", "From", errors)
    end = date_value(given("to"), "to", "To", errors)
    if errors:
        raise ValidationError(errors)
    end = end or default.end
    start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise ValidationError({"from": "From must be on or before To"})
    if (end - start).days > MAX_DAYS:
        raise ValidationError({"from": "Choose a period of five years or less"})
    return Period(start, end)


def last_meeting_before(day: date) -> Meeting | None:
    """The latest meeting, not cancelled, that started before `day` (London)."""
    start_of_day = datetime.combine(day, time(), LONDON)
    return db.session.scalar(
        select(Meeting)
        .where(Meeting.starts_at < start_of_day, Meeting.status != MeetingStatus.CANCELLED.value)
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
        .limit(1)
    )


def counts(
    user, period: Period, since: datetime | None
) -> list[tuple[int, int, int, int | None, int | None]]:
    """(location id, children, items, new children, new items), highest first. Reads only."""
    first, after = period.bounds
    direct = select(
        CaseSubjectLink.location_id.label("location_id"),
        CaseSubjectLink.case_id.label("case_id"),
        cast(null(), Integer).label("item_id"),
        CaseSubjectLink.created_at.label("at"),
    ).where(
        CaseSubjectLink.location_id.is_not(None),
        CaseSubjectLink.created_at >= first,
        CaseSubjectLink.created_at < after,
    )
    place, child = aliased(IntelligenceLink), aliased(IntelligenceLink)
    via_items = (
        select(
            place.location_id.label("location_id"),
            child.case_id.label("case_id"),
            place.item_id.label("item_id"),
            place.created_at.label("at"),
        )
        .join(IntelligenceItem, IntelligenceItem.id == place.item_id)
        .outerjoin(child, (child.item_id == place.item_id) & child.case_id.is_not(None))
        .where(
            place.location_id.is_not(None),
            place.created_at >= first,
            place.created_at < after,
            handled_item_scope(user),
        )
    )
    linked = union_all(direct, via_items).subquery()
    children = func.count(func.distinct(linked.c.case_id))
    items = func.count(func.distinct(linked.c.item_id))
    columns = [linked.c.location_id, children, items]
    if since is not None:
        recent = linked.c.at > since
        columns += [
            func.count(func.distinct(case((recent, linked.c.case_id)))),
            func.count(func.distinct(case((recent, linked.c.item_id)))),
        ]
    rows = db.session.execute(
        select(*columns)
        .group_by(linked.c.location_id)
        .order_by(children.desc(), items.desc(), linked.c.location_id)
        .limit(MAX_ROWS)
    ).all()
    return [(r[0], r[1], r[2], r[3] if since else None, r[4] if since else None) for r in rows]


@transaction
def ranking(user, period: Period | None = None) -> Hotspots:
    """Who: a reviewer of intelligence (intel.review; 403 otherwise). Audited as
    hotspots.viewed with the location ids shown and the period."""
    require(user, Perm.INTEL_REVIEW, "hotspots.viewed")
    period = period or default_period()
    meeting = last_meeting_before(today())
    since = meeting.starts_at if meeting else None
    found = counts(user, period, since)
    places = {
        p.id: p for p in db.session.scalars(select(Location).where(Location.id.in_([r[0] for r in found])))
    }
    rows = [
        Hotspot(
            location_id=location_id,
            name=places[location_id].name,
            location_type_label=LocationType(places[location_id].location_type).label,
            postcode=places[location_id].postcode,
            children=children,
            items=items,
            new_children=new_children,
            new_items=new_items,
            url=link_to("location", location_id),
        )
        for location_id, children, items, new_children, new_items in found
    ]
    audit.record(
        "hotspots.viewed",
        "location",
        None,
        detail={
            "location_ids": [r.location_id for r in rows],
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            "since_meeting_id": meeting.id if meeting else None,
        },
        actor=user,
    )
    return Hotspots(period, since, meeting.id if meeting else None, rows)
