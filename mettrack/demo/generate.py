"""Made-up data at scale, for load tests and the benchmark (`flask demo generate`, bench/run).

`flask demo load` makes a dozen children through the app's use cases, one request's work
at a time; that is far too slow for the 100,000 children a regional deployment tracks
over years. This module writes the same rows in bulk instead (PostgreSQL COPY; on SQLite
multi-row INSERTs, slower), in the shapes the use cases write them:

- Each case's history is planned in time order and every move is checked against the
  workflow table (cases/workflow.py `decide`) with the facts the plan has recorded so far
  (a screening with a yes before a referral, an exploitation type before it, a risk
  assessment before MET review, a tier and team, an accepted service, a reason to close).
  A plan the table refuses is a bug here: generation stops and nothing is saved.
- Each move writes the CaseEvent transitions.apply writes (action, from, to, the reason it
  words), the police tier record and the accepted service request of their moves, and the
  case's own fields (referral, tier and team, closure, risk level and next review).
- Every write and read a person would have made writes the audit row its use case writes
  (child.created, screening.recorded, case.opened, case.team_member_added,
  case.classified, risk_assessment.recorded, case.transition, note.add and note.added,
  missing.record and missing.recorded, case.viewed), in time order, chained as
  core/audit.py chains them: HMAC-SHA256 with AUDIT_HMAC_KEY over the row, its place in
  the chain and the hash before it, computed here in Python, all in audit chain 0.
  `flask audit verify` passes afterwards; a checkpoint is written when the app keeps them.
- MET meetings: a series in each area with a meeting every fortnight over the history;
  each meeting's agenda is built (a week before) and issued (three days before) from the
  area's cases as they stood then, and a held meeting has its attendance, minutes,
  actions (open or done) and approved minutes. Intelligence: one item per five cases,
  graded and linked to the hotspots and persons of concern of the child's area.
- Everything goes in one transaction, under audit chain 0's lock: a failure saves nothing
  (the app's own appends go on meanwhile in the other chains).

Every name is made up (first names combined with invented surnames), every address is in
an invented town with a ZZ99 postcode (a pseudo-area no real address has), and no NHS
number is made up. Case and child ids rise with the time the case opened.

Per case, on average: 2 team members, 3 missing episodes, 5 notes, about 30 audit rows;
about 1 user per 40 children. A few open cases (1 in 5,000, at least one) are heavy: 200
notes and 30 missing episodes, for the benchmark's case page. The users sign in with
DEMO_PASSWORD; `chair1@` and `lead1@` GENERATED_DOMAIN are always there.
"""

import hashlib
import heapq
import hmac
import json
import random
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache

from sqlalchemy import func, select, text

from mettrack.accounts import get_or_create_agency, hash_password
from mettrack.accounts.models import User
from mettrack.accounts.rules import police_reviewer_access
from mettrack.cases import workflow
from mettrack.cases.models import Case
from mettrack.core import audit, clock
from mettrack.core.choices import (
    AgencySector,
    AgendaSection,
    CaseAction,
    CaseEventKind,
    CaseFlag,
    CaseState,
    ExploitationType,
    HarmLocation,
    IndicatorRating,
    LocationType,
    LookedAfterStatus,
    ReferenceKind,
    RhiStatus,
    RiskLevel,
    Role,
)
from mettrack.core.clock import LONDON
from mettrack.core.extensions import db
from mettrack.core.unit_of_work import unit_of_work
from mettrack.demo.load import DEMO_PASSWORD
from mettrack.language import seed_defaults as language_seed_defaults
from mettrack.meetings import recurrence
from mettrack.meetings.agenda_rules import day_text
from mettrack.reference import NO_FURTHER_ACTION, OTHER, list_active
from mettrack.reference import seed_defaults as reference_seed_defaults
from mettrack.risk import list_active as risk_indicators
from mettrack.risk import review_cadence
from mettrack.risk import seed_defaults as risk_seed_defaults
from mettrack.risk.rules import Rating, next_review_on, suggest_level
from mettrack.specialist_services import seed_services, service_options

GENERATED_DOMAIN = "generated.mettrack.test"
CHILDREN_PER_USER = 40
HEAVY_EVERY = 5000  # one heavy case (200 notes, 30 missing episodes) per this many children
HEAVY_NOTES, HEAVY_EPISODES = 200, 30
FLUSH_EVERY = 1000  # cases planned between two bulk writes

# MET meetings: a series in each area, a meeting every fortnight over the history.
MEETING_EVERY = 14  # days
MEETING_TIME = time(10, 0)  # Europe/London
AGENDA_MAX = 40  # children a meeting reviews at most (the rest wait for the next)
ACTION_SHARE = 0.35  # items minuted with an action
# Intelligence: one item per INTELLIGENCE_SHARE of cases; places and persons per children.
INTELLIGENCE_SHARE = 0.2
CHILDREN_PER_PLACE = 100
CHILDREN_PER_PERSON = 80

A, S, CE = CaseAction, CaseState, CaseEventKind
AGENDA_STATES = (S.MET_REVIEW.value, S.POLICE_TIERED.value, S.SERVICE_ASSIGNED.value)
SECTION_ORDER = {section.value: n for n, section in enumerate(AgendaSection)}

# --- made-up names and places

# fmt: off
FIRST_NAMES = (
    "Ada", "Alfie", "Amara", "Arlo", "Ayla", "Bea", "Bodhi", "Cara", "Cody", "Darcy", "Eden", "Elsie",
    "Ezra", "Faye", "Finn", "Freya", "Gus", "Harper", "Hugo", "Iris", "Isaac", "Ivy", "Jude", "Kara",
    "Kai", "Lana", "Leo", "Lola", "Luca", "Mabel", "Max", "Nell", "Nico", "Orla", "Otis", "Pearl", "Remi",
    "Rosa", "Rory", "Sadie", "Seth", "Skye", "Theo", "Tilly", "Vera", "Wilf", "Wren", "Zara", "Zeke",
)
SURNAME_STARTS = (
    "Ash", "Bram", "Bright", "Cold", "Dun", "East", "Fair", "Fern", "Gorse", "Heath", "Holl", "Kest",
    "Lark", "Lind", "Mill", "North", "Oak", "Pen", "Quill", "Rook", "Sedge", "Thorn", "Under", "Vale",
    "Wold", "Wren", "Yarrow",
)
SURNAME_ENDS = (
    "acre", "bourne", "brook", "combe", "dale", "field", "ford", "gate", "holt", "hurst", "mere", "moor",
    "stead", "wick", "worth",
)
STREETS = (
    "Acorn", "Bramble", "Cinder", "Dovecote", "Elder", "Foxglove", "Gannet", "Hawthorn", "Juniper",
    "Kestrel", "Lantern", "Marram", "Nettle", "Orchard", "Pebble", "Quarry", "Rowan", "Saltmarsh",
    "Tansy", "Vetch", "Willow",
)
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
# fmt: on
STREET_KINDS = ("Lane", "Road", "Close", "Way", "Gardens", "Court", "Crescent")
# (local authority area, town) - invented; the police force covers them all.
AREAS = (
    ("Northmere", "Northmere"),
    ("Southbay", "Southbay"),
    ("Westholm", "Westholm"),
    ("Isle of Fendle", "Fendle Quay"),
)
POLICE_AGENCY = "Fenmoor Constabulary"
VOLUNTARY_AGENCIES = ("Safe Harbour Youth Project", "Lantern Exploitation Service")
HEALTH_AGENCY = "Riverside Substance Support Service"
WORKERS = ("Jo Sampleworker", "Sam Outreachson", "Alex Keyworker", "Charlie Mentorly", "Robin Caseby")
GENDERS = ("Female", "Female", "Male", "Male", "Male", "Non-binary")
ETHNICITIES = (None, "White British", "Mixed", "Black British", "Asian British", "White other", "Not known")
FLAGS = tuple(CaseFlag)
PLACES = tuple(HarmLocation)

NOTES = (
    "Spoke with the child's school. Staff have seen an adult they do not know waiting near the gates at "
    "the end of the day; the school will note dates and times and pass them to us.",
    "Home visit with the carer. The child talked about a new friend who buys them food and phone credit. "
    "This may be grooming. Safety plan agreed; the child knows who to call.",
    "Police checked the car seen near the home: registered to an adult with no known link to the family. "
    "Intelligence submitted; we will update the MET group.",
    "Return Home Interview offered by an independent worker. The child was frightened to say where they "
    "had been; they may have been groomed by an older adult.",
    "Strategy discussion held with police and health. Agreed actions: disruption visit to the address, "
    "referral to the specialist service, review at the next MET meeting.",
    "The child is engaging well with their keyworker and attended every session this month.",
    "Met the child at school with their keyworker. They said they feel safer since moving placement.",
    "Carer reports the child received messages from an unknown number late at night; phone handed to "
    "police with the child's agreement.",
    "The child was found in another town with adults who are not family. They are being criminally "
    "exploited; NRM referral discussed with the social worker.",
    "Education welfare officer confirms attendance is improving; part-time timetable agreed.",
)
REVIEW_REASONS = (
    "For the MET group to agree a safety plan with the partner agencies",
    "Missing episodes are increasing: the MET group should review the plan",
    "New intelligence about adults linked to the child",
)
SEND_BACK_REASONS = ("New concerns shared by the school", "A new missing episode with adults of concern")
REOPEN_REASONS = (
    "New concerns shared by the school",
    "Police report the child was found with adults of concern",
)
CLOSE_NOTES = (
    None,
    "the child is safe and supported by the school.",
    "the family has moved and services were told.",
)
RATIONALES = {
    RiskLevel.HIGH: "Repeated missing episodes with an adult of concern: significant risk of exploitation.",
    RiskLevel.MEDIUM: "Concerns are growing but there is no sign yet of an adult controlling the child.",
    RiskLevel.LOW: "Early signs only, and the family is working well with Early Help.",
}
# level -> the indicators rated above none, as (code, rating, period)
RATINGS = {
    RiskLevel.HIGH: (
        ("missing_from_home_or_care", "high", "current"),
        ("older_partner", "medium", "current"),
        ("unexplained_gifts_or_money", "medium", "current"),
        ("secretive_technology", "low", "previous"),
    ),
    RiskLevel.MEDIUM: (
        ("staying_out_late", "medium", "current"),
        ("changed_behaviour", "low", "current"),
        ("missing_education", "low", "previous"),
    ),
    RiskLevel.LOW: (("changed_behaviour", "low", "current"),),
}
RATING_REASON = "Seen by the lead professional and the school this term."
DISCUSSIONS = (
    "The group heard from the agencies present. The plan continues; no change agreed today.",
    "The lead professional shared an update: the child is safer at home and at school. The plan continues.",
    "Police shared what is known about the adults approaching the child. The group agreed the plan continues "
    "and asked for an update at the next meeting.",
    "The child has met their keyworker every week and feels listened to. The group agreed no change today.",
)
ACTIONS = (
    "Share the updated safety plan with the school's safeguarding lead and the carers",
    "Ask the specialist service to allocate a worker and report back",
    "Share with the MET what is known about the adults approaching the child",
    "Arrange a disruption visit to the address with the Neighbourhood Policing Team",
    "Offer the child a Return Home Interview with an independent worker",
)
ACTION_DONE_NOTE = "Done, and shared with the team."
NO_DECISIONS = {
    "risk_level": None, "risk_level_label": None, "police_tier": None, "police_tier_label": None,
    "police_team": None, "police_team_label": None, "services_requested": [], "services_requested_labels": [],
    "send_back_to_review": False, "close": False, "exit_reason": None, "exit_reason_label": None,
    "closure_note": None, "next_review_on": None, "applied_at": None,
}  # fmt: skip
PLACE_KINDS = (
    (LocationType.HOTEL, "Lodge Hotel"),
    (LocationType.PARK, "Park"),
    (LocationType.HOUSE, "House"),
    (LocationType.TAKEAWAY, "Fried Chicken"),
    (LocationType.SHOP, "Convenience Store"),
    (LocationType.TRANSPORT_HUB, "Bus Station"),
    (LocationType.PARTY_VENUE, "Function Rooms"),
)
PLACE_DESCRIPTION = "Adults of concern have been seen meeting children here in the evenings."
PERSON_DESCRIPTIONS = (
    "Tall, short dark hair, drives a black estate car.",
    "Slim, often in a grey tracksuit; seen near the station.",
    "Known to give children lifts and phone credit.",
)
ALIASES = ("Ace", "Bones", "Chip", "Dice", "Flash", "Ghost", "Kilo", "Nitro", "Smokey", "Tank")
INTELLIGENCE_TEXTS = (
    ("A car waits outside the child's home on several evenings; the driver texts the child late at night.",
     "A car has been seen outside a child's home in the evenings."),
    ("Takeaway staff say adults buy food for groups of young teenagers late at night, then drive them off.",
     "Adults have been seen driving groups of young teenagers away from a takeaway late at night."),
    ("The child was seen at the bus station with adults not known to the family, carrying a new phone.",
     "A child was seen at the bus station with adults not known to the family."),
    ("A neighbour reports children arriving at a house at night and leaving in the early morning.",
     "Children have been seen arriving at a house at night."),
)  # fmt: skip
HANDLING_CONDITIONS = "Not to be shared outside the MET group without the police's agreement."

# --- the routes: the moves after the screening, by the state they end in (weights per
# thousand cases of the group). Each is checked against the workflow table while planned.
OPEN_ROUTES = (
    (150, S.SCREENED, ()),
    (150, S.REFERRED, (A.REFER,)),
    (200, S.MET_REVIEW, (A.REFER, A.SEND_TO_MET_REVIEW)),
    (25, S.MET_REVIEW, (A.REFER, A.SEND_TO_MET_REVIEW, A.SET_POLICE_TIER, A.SEND_BACK_TO_REVIEW)),
    (25, S.MET_REVIEW, (A.REFER, A.SEND_TO_MET_REVIEW, A.CLOSE, A.REOPEN, A.SEND_TO_MET_REVIEW)),
    (250, S.POLICE_TIERED, (A.REFER, A.SEND_TO_MET_REVIEW, A.SET_POLICE_TIER)),
    (170, S.SERVICE_ASSIGNED, (A.REFER, A.SEND_TO_MET_REVIEW, A.SET_POLICE_TIER, A.ASSIGN_SERVICE)),
    (30, S.SERVICE_ASSIGNED, (A.REFER, A.SEND_TO_MET_REVIEW, A.ASSIGN_SERVICE)),
)
CLOSED_ROUTES = (
    (200, S.CLOSED, (A.CLOSE_NO_FURTHER_ACTION,)),
    (50, S.CLOSED, (A.CLOSE,)),
    (150, S.CLOSED, (A.REFER, A.CLOSE)),
    (300, S.CLOSED, (A.REFER, A.SEND_TO_MET_REVIEW, A.CLOSE)),
    (150, S.CLOSED, (A.REFER, A.SEND_TO_MET_REVIEW, A.SET_POLICE_TIER, A.CLOSE)),
    (150, S.CLOSED, (A.REFER, A.SEND_TO_MET_REVIEW, A.SET_POLICE_TIER, A.ASSIGN_SERVICE, A.CLOSE)),
)
# Who takes each move (the workflow table's roles): the lead refers, sends to review and
# closes a screening with no yes; the chair tiers, sends back, closes and reopens; the
# coordinator records the service.
MOVER = {
    A.REFER: Role.LEAD_PROFESSIONAL,
    A.SEND_TO_MET_REVIEW: Role.LEAD_PROFESSIONAL,
    A.CLOSE_NO_FURTHER_ACTION: Role.LEAD_PROFESSIONAL,
    A.SET_POLICE_TIER: Role.MET_CHAIR,
    A.SEND_BACK_TO_REVIEW: Role.MET_CHAIR,
    A.CLOSE: Role.MET_CHAIR,
    A.REOPEN: Role.MET_CHAIR,
    A.ASSIGN_SERVICE: Role.COORDINATOR,
}

# --- the columns written, per table (checked against the models at the start)
COLUMNS = {
    "users": (
        "id email name agency_id password_hash active must_change_password created_at "
        "intelligence_review_approved notification_choice"
    ),
    "user_roles": "user_id role",
    "children": (
        "id first_name last_name date_of_birth gender address aliases ethnicity school looked_after "
        "looked_after_status social_worker local_identifier created_at created_by_id updated_at version"
    ),
    "cases": (
        "id child_id state risk_level lead_professional_id lead_agency_id opened_at closed_at updated_at "
        "referred_at mash_reference referral_outcome referral_outcome_recorded_at "
        "referral_outcome_recorded_by_id police_tier police_team next_review_on closure_reason "
        "closure_note version"
    ),
    "case_team_members": "case_id user_id team_role added_at",
    "case_tags": "case_id kind value",
    "screenings": (
        "id case_id screened_on child_age went_missing partner_age older_partner controlling_relationship "
        "frequenting_areas outcome notes screened_by_id recorded_at"
    ),
    "case_events": "id case_id occurred_at actor_id action from_state to_state reason",
    "risk_assessments": (
        "id case_id assessed_by_id assessed_at suggested_level chosen_level rationale next_review_on"
    ),
    "risk_ratings": "assessment_id indicator_id rating period reason",
    "police_tier_records": "id case_id tier_code team_code from_date source set_by_id set_at",
    "service_requests": (
        "id case_id service_id status urgency requested_by_id requested_at answered_by_id answered_at "
        "recorded_for_provider worker accepted_on starts_on version"
    ),
    "missing_episodes": (
        "id case_id went_missing_at returned_at police_reference where_found reported_by rhi_status "
        "rhi_offered_at rhi_held_at rhi_by recorded_by_id recorded_at"
    ),
    "case_notes": "id case_id author_id written_at body flagged_phrases",
    # MET meetings (meetings/models.py)
    "meeting_series": (
        "id title frequency weekday week_of_month first_on until_on local_start duration_minutes place "
        "online_link chair_id created_by_id created_at"
    ),
    "meeting_series_members": "series_id user_id",
    "meeting_series_agencies": "series_id agency_id",
    "meetings": (
        "id series_id title starts_at duration_minutes place online_link chair_id status cancelled_reason "
        "ical_uid ical_sequence decisions_applied_at decisions_applied_by_id created_by_id created_at "
        "updated_at version"
    ),
    "meeting_members": "meeting_id user_id added_at",
    "meeting_agencies": "meeting_id agency_id",
    "agenda_items": (
        "id meeting_id case_id section reasons position moved_by_chair added_by_chair removed_at "
        "removed_by_id removed_reason from_data built_at"
    ),
    "agenda_versions": "id meeting_id number issued_at issued_by_id note full sanitised changes",
    "meeting_attendance": (
        "id meeting_id user_id name agency_id status information_sent observer confidentiality_signed_at "
        "recorded_by_id recorded_at"
    ),
    "item_minutes": (
        "id meeting_id case_id discussion risk_level police_tier police_team services_requested "
        "send_back_to_review close exit_reason closure_note next_review_on applied_at recorded_by_id "
        "updated_at"
    ),
    "minutes_versions": "id meeting_id number approved_at approved_by_id correction_reason content",
    "meeting_actions": (
        "id meeting_id case_id description owner_id agency_id due_on status not_done_reason outcome_note "
        "closed_at closed_by_id created_by_id created_at version"
    ),
    "meeting_action_events": "id action_id kind meeting_id actor_id note occurred_at",
    # Intelligence (intelligence/models.py)
    "locations": (
        "id name location_type address postcode latitude longitude description created_by_id created_at "
        "version"
    ),
    "persons_of_concern": (
        "id name date_of_birth approximate_age description review_on created_by_id created_at version"
    ),
    "person_aliases": "id person_id alias",
    "intelligence_items": (
        "id submitted_by_id submitted_at sharer_name sharer_organisation sharer_phone sharer_email "
        "information information_date information_place source_name source_date_of_birth source_address "
        "source_recontact source_recontact_how source_how_known status source_evaluation "
        "intelligence_assessment handling_code handling_conditions sanitised_text graded_by_id graded_at "
        "version"
    ),
    "intelligence_links": (
        "id item_id case_id location_id person_id suggested_by_sharer created_by_id created_at"
    ),
    "case_subject_links": "id case_id location_id person_id reliability note created_by_id created_at",
    "audit_events": (
        "seq occurred_at actor_user_id actor_label action record_type record_id outcome ip_address "
        "detail prev_hash row_hash hash_version chain position"
    ),
}
COLUMNS = {table: tuple(columns.split()) for table, columns in COLUMNS.items()}
# The order of the bulk writes: a row's foreign keys point to rows written before it.
TABLE_ORDER = tuple(COLUMNS)
ID_TABLES = (
    "users",
    "children",
    "cases",
    "screenings",
    "case_events",
    "risk_assessments",
    "police_tier_records",
    "service_requests",
    "missing_episodes",
    "case_notes",
    "meeting_series",
    "meetings",
    "agenda_items",
    "agenda_versions",
    "meeting_attendance",
    "item_minutes",
    "minutes_versions",
    "meeting_actions",
    "meeting_action_events",
    "locations",
    "persons_of_concern",
    "person_aliases",
    "intelligence_items",
    "intelligence_links",
    "case_subject_links",
)


class GenerateRefused(Exception):
    """Nothing was generated; the message says why and what to do."""


@dataclass
class Generated:
    children: int = 0
    users: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    audit_rows: int = 0
    checkpoint: str | None = None
    logins: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0


# --- writing in bulk


class BulkWriter:
    """Rows collected per table and written in bulk: COPY on PostgreSQL, multi-row
    INSERT (executemany) on SQLite, always in TABLE_ORDER.

    On PostgreSQL, `flush(background=True)` hands the batch to a thread that copies it
    while the next batch is made (the server's work on one batch overlaps Python's on the
    next); the caller uses the connection for nothing else until `finish()`."""

    def __init__(self, connection):
        self.connection = connection
        self.postgres = connection.dialect.name == "postgresql"
        self.rows: dict[str, list[tuple]] = {table: [] for table in TABLE_ORDER}
        self.lines: dict[str, list[str]] = {table: [] for table in TABLE_ORDER}
        self.counts: dict[str, int] = dict.fromkeys(TABLE_ORDER, 0)
        self._thread: threading.Thread | None = None
        self._failure: BaseException | None = None

    def add(self, table: str, row: tuple) -> None:
        self.rows[table].append(row)

    def add_line(self, table: str, line: str) -> None:
        """A row already in COPY's text format (PostgreSQL only)."""
        self.lines[table].append(line)

    def flush(self, *, background: bool = False) -> None:
        batch = {t: (self.rows[t], self.lines[t]) for t in TABLE_ORDER if self.rows[t] or self.lines[t]}
        self.rows = {table: [] for table in TABLE_ORDER}
        self.lines = {table: [] for table in TABLE_ORDER}
        self.finish()  # one batch at a time, in order
        if background and self.postgres:
            self._thread = threading.Thread(target=self._write_in_thread, args=(batch,), daemon=True)
            self._thread.start()
        else:
            self._write(batch)

    def finish(self) -> None:
        """Wait for the batch being written; raise what went wrong with it."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._failure is not None:
            failure, self._failure = self._failure, None
            raise failure

    def abandon(self) -> None:
        """Wait for the batch being written, whatever became of it (the run failed)."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self._failure = None

    def _write_in_thread(self, batch) -> None:
        try:
            self._write(batch)
        except BaseException as e:  # noqa: BLE001 - raised again by finish(), in the caller's thread
            self._failure = e

    def _write(self, batch: dict) -> None:
        for table, (rows, lines) in batch.items():
            columns = COLUMNS[table]
            if self.postgres:
                cursor = self.connection.connection.driver_connection.cursor()
                names = ", ".join(f'"{c}"' for c in columns)  # quoted: "full" is a keyword
                with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                    if lines:
                        copy.write("".join(lines))
            else:
                model_table = db.metadata.tables[table]
                values = [dict(zip(columns, row, strict=True)) for row in rows]
                self.connection.execute(model_table.insert(), values)
            self.counts[table] += len(rows) + len(lines)


def _check_columns() -> None:
    for table, columns in COLUMNS.items():
        missing = set(columns) - set(db.metadata.tables[table].columns.keys())
        if missing:  # a model changed: this module must follow it
            raise RuntimeError(f"demo/generate.py writes columns {sorted(missing)} that {table} has not")


# --- the audit chain, computed here


_quote = json.encoder.encode_basestring_ascii  # a JSON string, as json.dumps writes it


def _json_or_null(value: str | None) -> str:
    return "null" if value is None else _quote(value)


def _copy_text(value: str) -> str:
    """A value in COPY's text format (backslash, tab and line breaks escaped)."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


class Chain:
    """Appends rows to audit chain 0 exactly as core/audit.py chain_rows does (CHAINED):
    the canonical text audit._canonical makes (sorted keys, no spaces), written out here
    for speed; tests/test_demo_generate.py holds the two together. The seqs come from the
    audit sequence in blocks (PostgreSQL), or follow the highest (SQLite)."""

    CHAIN = 0
    # seqs are drawn in blocks that grow with the run, so that the numbers left unused
    # at the end (a gap in seq, which is allowed) stay small beside the rows written.
    FIRST_BLOCK, LAST_BLOCK = 1_000, 100_000

    def __init__(self, writer: BulkWriter, position: int, prev_hash: str, key: bytes):
        self.writer, self.position, self.prev, self.key = writer, position, prev_hash, key
        self.written = 0
        self._seqs: list[int] = []
        self._block = self.FIRST_BLOCK
        self._last_seq: int | None = None

    def _next_seq(self) -> int:
        if not self._seqs:
            if self.writer.postgres:
                self.writer.finish()  # the connection is the background copy's until then
                self._seqs = audit.next_seqs(self.writer.connection, self._block)
            else:  # one writer: the rows not yet written out follow the last one drawn
                last = self._last_seq
                if last is None:
                    last = audit.next_seqs(self.writer.connection, 1)[0] - 1
                self._seqs = list(range(last + 1, last + 1 + self._block))
            self._seqs.reverse()
            self._block = min(self._block * 2, self.LAST_BLOCK)
        self._last_seq = self._seqs.pop()
        return self._last_seq

    def append(self, at: datetime, actor_id, action, record_type, record_id, detail: dict | None, ip) -> None:
        seq = self._next_seq()
        self.position += 1
        position = self.position
        record_id = None if record_id is None else str(record_id)
        label = "cli" if actor_id is None else f"user:{actor_id}"
        detail_json = json.dumps(detail, sort_keys=True, default=str) if detail else "{}"
        iso = at.isoformat(timespec="microseconds")
        canonical = (
            f'{{"action":{_quote(action)},"actor_label":"{label}",'
            f'"actor_user_id":{"null" if actor_id is None else actor_id},"chain":{self.CHAIN},'
            f'"detail":{_quote(detail_json)},"ip_address":{_json_or_null(ip)},"occurred_at":"{iso}",'
            f'"outcome":"ok","position":{position},"record_id":{_json_or_null(record_id)},'
            f'"record_type":{_json_or_null(record_type)},"seq":{seq}}}'
        )
        digest = hmac.new(self.key, (self.prev + canonical).encode(), hashlib.sha256).hexdigest()
        if self.writer.postgres:
            null = "\\N"
            self.writer.add_line(
                "audit_events",
                f"{seq}\t{iso}\t{null if actor_id is None else actor_id}\t{label}\t{action}\t"
                f"{record_type or null}\t{null if record_id is None else record_id}\tok\t{ip or null}\t"
                f"{_copy_text(detail_json)}\t{self.prev}\t{digest}\t{audit.CHAINED}\t{self.CHAIN}\t{position}\n",
            )
        else:
            self.writer.add(
                "audit_events",
                (seq, at, actor_id, label, action, record_type, record_id, "ok", ip, detail_json,
                 self.prev, digest, audit.CHAINED, self.CHAIN, position),
            )  # fmt: skip
        self.prev = digest
        self.written += 1


# --- the people


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    agency: str
    ip: str


@dataclass
class Cast:
    chairs: list[Person]
    leads: list[Person]
    partners: list[Person]
    coordinators: list[Person]
    made: int = 0


def _agencies() -> list[tuple[str, AgencySector, str]]:
    """(name, sector, kind): kind is which roles its users take."""
    agencies = [(POLICE_AGENCY, AgencySector.POLICE, "partner")]
    for area, town in AREAS:
        agencies += [
            (
                f"{area} Council Children's Social Care (MASH)",
                AgencySector.CHILDRENS_SOCIAL_CARE,
                "social_care",
            ),
            (f"{area} Early Help and Prevention", AgencySector.CHILDRENS_SOCIAL_CARE, "social_care"),
            (f"{town} Community Health Trust", AgencySector.HEALTH, "partner"),
            (f"{town} Academy Trust", AgencySector.EDUCATION, "partner"),
        ]
    agencies += [(name, AgencySector.VOLUNTARY, "partner") for name in VOLUNTARY_AGENCIES]
    agencies.append((HEALTH_AGENCY, AgencySector.HEALTH, "partner"))
    return agencies


def _user_plan(children: int) -> list[tuple[Role, int]]:
    """How many users of each role (about one per CHILDREN_PER_USER children)."""
    total = max(12, children // CHILDREN_PER_USER)
    chairs = max(2, total // 100)
    coordinators = max(2, total // 50)
    analysts = max(1, total // 200)
    admins = max(1, total // 500)
    partners = max(2, total * 3 // 10)
    leads = max(2, total - chairs - coordinators - analysts - admins - partners)
    return [
        (Role.MET_CHAIR, chairs),
        (Role.LEAD_PROFESSIONAL, leads),
        (Role.COORDINATOR, coordinators),
        (Role.PARTNER, partners),
        (Role.ANALYST, analysts),
        (Role.ADMIN, admins),
    ]


ROLE_SLUG = {
    Role.MET_CHAIR: "chair",
    Role.LEAD_PROFESSIONAL: "lead",
    Role.COORDINATOR: "coordinator",
    Role.PARTNER: "partner",
    Role.ANALYST: "analyst",
    Role.ADMIN: "admin",
}


def _person_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAME_STARTS)}{rng.choice(SURNAME_ENDS)}"


def _ensure_agencies() -> dict[str, tuple[int, str, str]]:
    """The agencies (get or create, through the ORM: a handful, unaudited seed data as in
    the demo): name -> (id, sector, kind)."""
    with unit_of_work():
        agencies = {}
        for name, sector, kind in _agencies():
            agency = get_or_create_agency(name)
            if agency.sector == AgencySector.OTHER.value:
                agency.sector = sector.value
            agencies[name] = (agency, kind)
    return {name: (agency.id, agency.sector, kind) for name, (agency, kind) in agencies.items()}


def _make_users(
    writer: BulkWriter, chain: Chain, agencies: dict, children: int, rng: random.Random, at: datetime
) -> Cast:
    """The users, written in bulk; users already generated (same e-mail) are kept as they are."""
    agency_ids = {name: agency_id for name, (agency_id, _, _) in agencies.items()}
    sectors = {name: sector for name, (_, sector, _) in agencies.items()}
    social_care = [name for name, (_, _, kind) in agencies.items() if kind == "social_care"]
    partner_agencies = [name for name, (_, _, kind) in agencies.items() if kind == "partner"]
    existing = {
        email: (user_id, name, agency_id)
        for email, user_id, name, agency_id in writer.connection.execute(
            select(User.email, User.id, User.name, User.agency_id).where(
                User.email.like(f"%@{GENERATED_DOMAIN}")
            )
        )
    }
    agency_names = dict(writer.connection.execute(text("SELECT id, name FROM agencies")).all())
    next_id = (writer.connection.scalar(select(func.max(User.id))) or 0) + 1
    password = hash_password(DEMO_PASSWORD)
    cast = Cast([], [], [], [])
    pools = {
        Role.MET_CHAIR: cast.chairs,
        Role.LEAD_PROFESSIONAL: cast.leads,
        Role.PARTNER: cast.partners,
        Role.COORDINATOR: cast.coordinators,
    }
    made = 0
    for role, count in _user_plan(children):
        for n in range(1, count + 1):
            email = f"{ROLE_SLUG[role]}{n}@{GENERATED_DOMAIN}"
            if email in existing:
                user_id, name, agency_id = existing[email]
                agency = agency_names.get(agency_id, "")
            else:
                user_id, name = next_id, _person_name(rng)
                next_id += 1
                if role in (
                    Role.LEAD_PROFESSIONAL,
                    Role.MET_CHAIR,
                    Role.COORDINATOR,
                    Role.ANALYST,
                    Role.ADMIN,
                ):
                    agency = social_care[n % len(social_care)]
                else:
                    agency = partner_agencies[n % len(partner_agencies)]
                reviewer = police_reviewer_access({role}, sectors[agency])
                writer.add(
                    "users",
                    (
                        user_id,
                        email,
                        name,
                        agency_ids[agency],
                        password,
                        True,
                        False,
                        at,
                        reviewer,
                        "email_and_app",
                    ),
                )
                writer.add("user_roles", (user_id, role.value))
                chain.append(at, None, "user.created", "user", user_id, {"roles": [role.value]}, None)
                made += 1
            ip = f"10.{20 + user_id // 65536 % 200}.{user_id // 256 % 256}.{user_id % 256}"
            if role in pools:
                pools[role].append(Person(user_id, name, agency, ip))
    writer.flush()
    cast.made = made
    return cast


# --- one case's plan


@lru_cache(maxsize=4096)
def _decide(state, action, role, facts):
    return workflow.decide(state, action, (role,), facts)


@dataclass
class Lists:
    """What the reference lists offer (read once)."""

    tiers: list  # [(tier code, tier label, [(team code, team label)])]
    exit_reasons: list  # [(code, label)]
    services: list  # [(id, label)]
    indicators: list  # [(id, code)]
    cadence: object
    suggestion: dict = field(default_factory=dict)

    def tier_label(self, tier: str | None) -> str | None:
        return next((label for code, label, _ in self.tiers if code == tier), tier)

    def team_label(self, team: str | None) -> str | None:
        teams = (pair for _, _, pairs in self.tiers for pair in pairs)
        return next((label for code, label in teams if code == team), team)

    def suggest(self, level: RiskLevel, age: int) -> str:
        key = (level, age < 13)
        if key not in self.suggestion:
            codes = {code for _, code in self.indicators}
            ratings = [Rating(c, r, p) for c, r, p in RATINGS[level] if c in codes]
            self.suggestion[key] = suggest_level(ratings, age).level.value
        return self.suggestion[key]


def _lists() -> Lists:
    tiers = []
    for tier in list_active(ReferenceKind.POLICE_TIER):
        teams = [(t.code, t.label) for t in list_active(ReferenceKind.POLICE_TEAM, parent_code=tier.code)]
        if teams:
            tiers.append((tier.code, tier.label, teams))
    exits = [
        (i.code, i.label)
        for i in list_active(ReferenceKind.EXIT_REASON)
        if i.code not in (OTHER, NO_FURTHER_ACTION)
    ]
    services = {s.code: s for s in _services()}
    chosen = [(services[code].id, label) for code, label in service_options() if code in services]
    indicators = [(i.id, i.code) for i in risk_indicators()]
    if not (tiers and exits and chosen and indicators):
        raise GenerateRefused(
            "The reference lists (police tiers and teams, exit reasons, services, risk indicators) are empty"
        )
    return Lists(tiers, exits, chosen, indicators, review_cadence())


def _services():
    from mettrack.specialist_services.models import SpecialistService

    return db.session.scalars(select(SpecialistService).where(SpecialistService.active.is_(True))).all()


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
HOUR = 3_600_000_000
MINUTE = HOUR // 60
DAY = 24 * HOUR


def _at(us: int) -> datetime:
    return EPOCH + timedelta(microseconds=us)


def _us(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(microseconds=1)


def _max_id(connection, table: str) -> int:
    return connection.scalar(text(f"SELECT max(id) FROM {table}")) or 0  # noqa: S608 (ID_TABLES only)


class Generator:
    def __init__(
        self, writer: BulkWriter, chain: Chain, cast: Cast, lists: Lists, rng: random.Random, now_us: int
    ):
        self.w, self.chain, self.cast, self.lists, self.rng, self.now = (
            writer,
            chain,
            cast,
            lists,
            rng,
            now_us,
        )
        self.heap: list = []
        self.counter = 0
        conn = writer.connection
        self.ids = {table: _max_id(conn, table) for table in ID_TABLES}
        self.live: list[dict[int, dict]] = [{} for _ in AREAS]  # open cases by area, as of now in the run
        self.places: list[list[int]] = [[] for _ in AREAS]  # locations made so far, by area
        self.persons: list[list[int]] = [[] for _ in AREAS]  # persons of concern made so far, by area
        self.reviewers: list[Person] = []
        self.subject_links: set[tuple] = set()
        self.agency_ids: dict[str, int] = {}

    def json(self, value):
        """A JSON column's value: text for COPY, the object for SQLAlchemy's JSON type."""
        return json.dumps(value) if self.w.postgres else value

    def next_id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def push(self, us: int, kind: Callable, *args) -> None:
        self.counter += 1
        heapq.heappush(self.heap, (us, self.counter, kind, args))

    def emit_until(self, us: int | None) -> None:
        """Write every planned step before `us` (all of them with None), in time order."""
        heap = self.heap
        while heap and (us is None or heap[0][0] < us):
            at_us, _, kind, args = heapq.heappop(heap)
            kind(self, _at(at_us), *args)

    # -- the steps, written when their moment comes (ids rise with time)

    def _open(self, at, c, screening):
        lead = c["lead"]
        self.chain.append(at, lead.id, "child.created", "child", c["child_id"], None, lead.ip)
        screening_id = self.next_id("screenings")
        refer = screening["outcome"] == "refer"
        self.w.add(
            "screenings",
            (screening_id, c["case_id"], clock.today(at), screening["age"], refer, None, "unknown", False,
             False, screening["outcome"], None, lead.id, at),
        )  # fmt: skip
        detail = {
            "case_id": c["case_id"],
            "case_started": True,
            "child_id": c["child_id"],
            "outcome": screening["outcome"],
        }
        self.chain.append(at, lead.id, "screening.recorded", "screening", screening_id, detail, lead.ip)
        self.chain.append(
            at, lead.id, "case.opened", "case", c["case_id"], {"child_id": c["child_id"]}, lead.ip
        )
        self._event(
            at,
            c["case_id"],
            lead.id,
            CE.OPEN_BY_SCREENING.value,
            None,
            S.SCREENED.value,
            "CSERQ4 screening recorded",
        )
        c["state"] = S.SCREENED.value
        self.live[c["area"]][c["case_id"]] = c

    def _event(self, at, case_id, actor_id, action, from_state, to_state, reason):
        self.w.add(
            "case_events",
            (self.next_id("case_events"), case_id, at, actor_id, action, from_state, to_state, reason),
        )

    def _team(self, at, c, member, state):
        lead = c["lead"]
        reason = f"{member.name} ({member.agency}) joined the team"
        self._event(at, c["case_id"], lead.id, CE.TEAM_MEMBER_ADDED.value, state, state, reason)
        self.chain.append(
            at, lead.id, "case.team_member_added", "case", c["case_id"], {"user_id": member.id}, lead.ip
        )

    def _classify(self, at, c):
        lead = c["lead"]
        changed = ["exploitation_types", "flags", "harm_locations"]
        c["types"], c["flags"] = c.pop("_tags")
        self.chain.append(at, lead.id, "case.classified", "case", c["case_id"], {"changed": changed}, lead.ip)

    def _assess(self, at, c, by, level, age, next_review):
        assessment_id = self.next_id("risk_assessments")
        suggested = self.lists.suggest(level, age)
        c.update(level=level.value, suggested=suggested, assessed_on=clock.today(at), review=next_review)
        self.w.add(
            "risk_assessments",
            (assessment_id, c["case_id"], by.id, at, suggested, level.value, RATIONALES[level], next_review),
        )
        given = {code: (rating, period) for code, rating, period in RATINGS[level]}
        for indicator_id, code in self.lists.indicators:
            rating, period = given.get(code, (IndicatorRating.NONE.value, "current"))
            reason = RATING_REASON if code in given else None
            self.w.add("risk_ratings", (assessment_id, indicator_id, rating, period, reason))
        detail = {
            "case_id": c["case_id"],
            "chosen_level": level.value,
            "next_review_on": next_review.isoformat(),
            "suggested_level": suggested,
        }
        self.chain.append(
            at, by.id, "risk_assessment.recorded", "risk_assessment", assessment_id, detail, by.ip
        )

    def _move(self, at, c, action, actor, from_state, to_state, reason, extra):
        case_id = c["case_id"]
        if action is A.SET_POLICE_TIER:
            tier_code, team_code = extra
            self.w.add(
                "police_tier_records",
                (
                    self.next_id("police_tier_records"),
                    case_id,
                    tier_code,
                    team_code,
                    clock.today(at),
                    "move",
                    actor.id,
                    at,
                ),
            )
        elif action is A.ASSIGN_SERVICE:
            service_id, worker = extra
            day = clock.today(at)
            self.w.add(
                "service_requests",
                (self.next_id("service_requests"), case_id, service_id, "accepted", "routine", actor.id, at,
                 actor.id, at, True, worker, day, day, 1),
            )  # fmt: skip
        self._event(at, case_id, actor.id, CE(action.value).value, from_state, to_state, reason)
        c["state"] = to_state
        if action is A.SET_POLICE_TIER:
            c["tier"], c["team"] = extra
        elif action in (A.REFER, A.REOPEN):
            c["referred"] = clock.today(at)
        if to_state == S.CLOSED.value:
            self.live[c["area"]].pop(case_id, None)
        else:
            self.live[c["area"]][case_id] = c
        detail = {"action": action.value, "from": from_state, "to": to_state}
        self.chain.append(at, actor.id, "case.transition", "case", case_id, detail, actor.ip)

    def _note(self, at, c, author, body):
        note_id = self.next_id("case_notes")
        self.chain.append(at, author.id, "note.add", "case", c["case_id"], None, author.ip)
        self.w.add("case_notes", (note_id, c["case_id"], author.id, at, body, "[]"))
        detail = {"case_id": c["case_id"], "flagged": 0, "saved_anyway": False}
        self.chain.append(at, author.id, "note.added", "case_note", note_id, detail, author.ip)

    def _missing(self, at, c, went, returned, rhi):
        lead = c["lead"]
        episode_id = self.next_id("missing_episodes")
        self.chain.append(at, lead.id, "missing.record", "case", c["case_id"], None, lead.ip)
        status, offered, held = rhi
        self.w.add(
            "missing_episodes",
            (episode_id, c["case_id"], went, returned, f"FEN-{episode_id:07d}",
             "Found by police in the town centre" if returned else None, "Carer", status, offered, held,
             "Independent RHI worker" if held else None, lead.id, at),
        )  # fmt: skip
        self.chain.append(
            at, lead.id, "missing.recorded", "missing_episode", episode_id, {"case_id": c["case_id"]}, lead.ip
        )

    def _view(self, at, c, viewer):
        self.chain.append(at, viewer.id, "case.viewed", "case", c["case_id"], None, viewer.ip)

    # -- planning a case

    def plan(self, case_id: int, child_id: int, opened_us: int, is_open: bool, heavy: bool) -> None:
        rng, now, cast = self.rng, self.now, self.cast
        lead = rng.choice(cast.leads)
        member = rng.choice(cast.partners)
        chair = rng.choice(cast.chairs)
        coordinator = rng.choice(cast.coordinators)
        movers = {Role.LEAD_PROFESSIONAL: lead, Role.MET_CHAIR: chair, Role.COORDINATOR: coordinator}
        routes = OPEN_ROUTES if is_open else CLOSED_ROUTES
        if heavy:
            routes = OPEN_ROUTES[5:6]  # police tiered: a case the MET group works for months
        (_, final_state, route) = rng.choices(routes, weights=[r[0] for r in routes])[0]
        c = {"case_id": case_id, "child_id": child_id, "lead": lead}

        # The child, made up.
        opened = _at(opened_us)
        age = rng.randint(10, 17)
        born = clock.today(opened) - timedelta(days=age * 365 + rng.randint(0, 364))
        first, last = rng.choice(FIRST_NAMES), f"{rng.choice(SURNAME_STARTS)}{rng.choice(SURNAME_ENDS)}"
        area, town = AREAS[child_id % len(AREAS)]
        address = (
            f"{rng.randint(1, 240)} {rng.choice(STREETS)} {rng.choice(STREET_KINDS)}, {town}, "
            f"ZZ99 {rng.randint(1, 9)}{rng.choice(POSTCODE_LETTERS)}{rng.choice(POSTCODE_LETTERS)}"
        )
        looked_after = rng.random() < 0.2
        c.update(name=f"{first} {last}", born=born, address=address, school=f"{town} Academy",
                 area=child_id % len(AREAS), state=None, level=None, suggested=None, assessed_on=None,
                 review=None, tier=None, team=None, referred=None, types=[], flags=[])  # fmt: skip
        self.w.add(
            "children",
            (child_id, first, last, born, rng.choice(GENDERS), address,
             rng.choice(FIRST_NAMES) if rng.random() < 0.2 else None, rng.choice(ETHNICITIES),
             f"{town} Academy", looked_after,
             rng.choice(tuple(LookedAfterStatus)).value if looked_after else None,
             _person_name(rng) if looked_after else None, f"GEN-{child_id:07d}", opened, lead.id, opened, 1),
        )  # fmt: skip

        # When: the moves spread between the screening and the closure (or now).
        lifespan = rng.randint(20, 540) * DAY
        end = now - HOUR if is_open else min(opened_us + lifespan, now - HOUR)
        span = max(end - opened_us, 4 * HOUR)
        step = span // (len(route) + 2)
        times = [opened_us + step * (i + 1) + rng.randint(0, max(step // 3, 1)) for i in range(len(route))]
        if route and not is_open:
            times[-1] = opened_us + span

        negative = route[:1] == (A.CLOSE_NO_FURTHER_ACTION,) or (not route and rng.random() < 0.3)
        screening = {"outcome": "no_referral" if negative else "refer", "age": age}
        self.push(opened_us, Generator._open, c, screening)
        team_at = opened_us + rng.randint(1, 20) * HOUR
        self.push(team_at, Generator._team, c, member, S.SCREENED.value)
        team = [lead, member, chair]

        classified_at = opened_us + rng.randint(21, 40) * HOUR
        classified = bool(route and route[0] is not A.CLOSE_NO_FURTHER_ACTION) or rng.random() < 0.7
        if classified:
            types = [ExploitationType.CSE] if rng.random() < 0.5 else [ExploitationType.CCE]
            if rng.random() < 0.15:
                types = list(ExploitationType)
            tags = [("exploitation_type", t.value) for t in types]
            tags += [("flag", f.value) for f in rng.sample(FLAGS, rng.randint(0, 2))]
            tags += [("harm_location", p.value) for p in rng.sample(PLACES, rng.randint(0, 2))]
            for kind, value in tags:
                self.w.add("case_tags", (case_id, kind, value))
            c["_tags"] = ([t.value for t in types], [v for k, v in tags if k == "flag"])
            self.push(classified_at, Generator._classify, c)

        # The moves, each decided by the workflow table on the facts planned so far.
        state = S.SCREENED
        level = rng.choices((RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW), weights=(25, 45, 30))[0]
        assessed = None  # (when, next review date)
        fields = {"referred_at": None, "mash": None, "tier": None, "team": None, "closed_at": None,
                  "closure": None, "closure_note": None}  # fmt: skip
        version, updated = 1 + classified, classified_at if classified else opened_us
        for action, at_us in zip(route, times, strict=True):
            at_us = max(at_us, classified_at + HOUR)
            if action is A.SEND_TO_MET_REVIEW and assessed is None:
                assess_us = max(at_us - rng.randint(1, 48) * HOUR, classified_at + HOUR // 2)
                assessed = self._plan_assessment(c, lead, level, age, assess_us)
                version += 1
            facts = workflow.CaseFacts(
                has_child_name=True,
                has_date_of_birth=True,
                has_address=True,
                has_positive_screening=not negative,
                latest_screening_negative=negative,
                has_screening=True,
                has_completed_risk_assessment=assessed is not None,
                has_police_tier_and_team=True,
                has_accepted_service=True,
                has_exploitation_type=classified,
                actor_is_lead=MOVER[action] is Role.LEAD_PROFESSIONAL,
                reason_given=True,
            )
            decision = _decide(state, action, MOVER[action], facts)
            if not decision.allowed:
                raise RuntimeError(
                    f"generated case {case_id}: {action} from {state} refused: {decision.reasons}"
                )
            actor = movers[MOVER[action]]
            reason, extra = self._move_fields(action, fields, at_us)
            self.push(
                at_us, Generator._move, c, action, actor, state.value, decision.to_state.value, reason, extra
            )
            state = decision.to_state
            version, updated = version + 1, max(updated, at_us)
            if actor not in team:
                team.append(actor)
        # Open cases past MET review have a recent assessment, so reviews fall due around now.
        if is_open and state not in (S.SCREENED,) and (assessed is None or rng.random() < 0.6):
            first = assessed[0] if assessed else opened_us
            last_move = max(times) if times else opened_us
            assess_us = rng.randint(
                max(first, last_move) + HOUR, max(now - 2 * HOUR, max(first, last_move) + 2 * HOUR)
            )
            assessed = self._plan_assessment(
                c, rng.choice((lead, chair)), level, age, min(assess_us, now - HOUR)
            )
            version += 1
            updated = max(updated, assessed[0])

        closed_at = fields["closed_at"]
        last_us = now - HOUR if is_open else (_us(closed_at) if closed_at else end)
        self._plan_notes(c, lead, member, opened_us, last_us, HEAVY_NOTES if heavy else None)
        self._plan_missing(c, opened_us, last_us, is_open, HEAVY_EPISODES if heavy else None)
        for _ in range(rng.randint(2, 6)):
            self.push(rng.randint(opened_us, last_us), Generator._view, c, rng.choice(team))
        if rng.random() < INTELLIGENCE_SHARE:
            self.push(rng.randint(opened_us, last_us), Generator._intelligence, c, rng.choice((lead, member)))

        self.w.add("case_team_members", (case_id, lead.id, "lead", opened))
        self.w.add("case_team_members", (case_id, member.id, "member", _at(team_at)))
        outcome_known = fields["referred_at"] is not None and rng.random() < 0.5
        self.w.add(
            "cases",
            (case_id, child_id, state.value, level.value if assessed else None, lead.id,
             self._agency_id(lead), opened, fields["closed_at"], _at(updated), fields["referred_at"],
             fields["mash"],
             "Accepted for a child and family assessment" if outcome_known else None,
             fields["referred_at"] if outcome_known else None, lead.id if outcome_known else None,
             fields["tier"], fields["team"], assessed[1] if assessed else None, fields["closure"],
             fields["closure_note"], version),
        )  # fmt: skip

    def _agency_id(self, person: Person) -> int | None:
        return self.agency_ids.get(person.agency)

    def _plan_assessment(self, c, by, level, age, at_us):
        day = clock.today(_at(at_us))
        review = next_review_on(level, day, self.lists.cadence)
        self.push(at_us, Generator._assess, c, by, level, age, review)
        return (at_us, review)

    def _move_fields(self, action, fields, at_us):
        """The event's reason as transitions.py words it, and the move's own records."""
        rng, at = self.rng, _at(at_us)
        if action is A.REFER:
            fields["referred_at"] = at
            fields["mash"] = f"MASH-{at.year}-{rng.randint(10000, 99999)}"
            return None, None
        if action is A.SEND_TO_MET_REVIEW:
            return rng.choice(REVIEW_REASONS), None
        if action is A.SET_POLICE_TIER:
            tier_code, tier_label, teams = rng.choice(self.lists.tiers)
            team_code, team_label = rng.choice(teams)
            fields["tier"], fields["team"] = tier_code, team_code
            return f"Police tier {tier_label}; holding team {team_label}", (tier_code, team_code)
        if action is A.ASSIGN_SERVICE:
            service_id, label = rng.choice(self.lists.services)
            worker = rng.choice(WORKERS)
            return f"{label} accepted the case on {clock.today(at):%-d %B %Y}", (service_id, worker)
        if action is A.SEND_BACK_TO_REVIEW:
            return rng.choice(SEND_BACK_REASONS), None
        if action is A.CLOSE:
            code, label = rng.choice(self.lists.exit_reasons)
            note = rng.choice(CLOSE_NOTES)
            fields["closed_at"], fields["closure"], fields["closure_note"] = at, code, note
            return label + (f": {note}" if note else ""), None
        if action is A.CLOSE_NO_FURTHER_ACTION:
            fields["closed_at"], fields["closure"], fields["closure_note"] = at, NO_FURTHER_ACTION, None
            return "No further action: the screening had no yes", None
        if action is A.REOPEN:
            fields["closed_at"] = fields["closure"] = fields["closure_note"] = None
            fields["referred_at"] = at
            return rng.choice(REOPEN_REASONS), None
        raise ValueError(action)

    def _plan_notes(self, c, lead, member, start_us, end_us, count):
        rng = self.rng
        count = rng.randint(0, 10) if count is None else count
        for _ in range(count):
            author = lead if rng.random() < 0.7 else member
            self.push(rng.randint(start_us, end_us), Generator._note, c, author, rng.choice(NOTES))

    def _plan_missing(self, c, start_us, end_us, is_open, count):
        """Episodes one after another (never overlapping), each returned within 3 days,
        the last of an open case now and then not yet returned."""
        rng = self.rng
        count = rng.randint(0, 6) if count is None else count
        if not count:
            return
        slot = (end_us - start_us) // count
        if slot < 4 * DAY and count > 1:
            count = max(1, (end_us - start_us) // (4 * DAY))
            slot = (end_us - start_us) // count
        for n in range(count):
            went = start_us + n * slot + rng.randint(0, max(slot // 2, 1))
            still_missing = is_open and n == count - 1 and rng.random() < 0.05
            returned = None if still_missing else min(went + rng.randint(2, 72) * HOUR, end_us)
            recorded = returned if returned is not None else went + HOUR
            recorded = min(recorded, self.now - 1)
            rhi = (None, None, None)
            if returned is not None:
                status = rng.choice(
                    (RhiStatus.ACCEPTED, RhiStatus.ACCEPTED, RhiStatus.DECLINED, RhiStatus.OFFERED)
                )
                offered = _at(min(returned + rng.randint(4, 60) * HOUR, self.now - 1))
                held = _at(min(_us(offered) + DAY, self.now - 1)) if status is RhiStatus.ACCEPTED else None
                rhi = (status.value, offered, held)
            self.push(recorded, Generator._missing, c, _at(went), _at(returned) if returned else None, rhi)

    # -- MET meetings: one series a fortnight in each area, over the whole history

    def plan_meetings(self, start_us: int) -> None:
        """Each area's series, made a month into the history: a meeting every MEETING_EVERY
        days until a few weeks from now. Each past meeting went the whole way (agenda built a
        week before, issued three days before, attendance, minutes per item with actions,
        decisions applied, minutes approved); the next meeting has its draft agenda."""
        rng, now = self.rng, self.now
        created_us = start_us + 30 * DAY
        for area_index, (area, _town) in enumerate(AREAS):
            chair = self.cast.chairs[area_index % len(self.cast.chairs)]
            members = [
                self.cast.leads[area_index % len(self.cast.leads)],
                self.cast.coordinators[area_index % len(self.cast.coordinators)],
                self.cast.partners[area_index % len(self.cast.partners)],
            ]
            agencies = [
                self.agency_ids[name]
                for name in (
                    f"{area} Council Children's Social Care (MASH)",
                    POLICE_AGENCY,
                    f"{AREAS[area_index][1]} Community Health Trust",
                    f"{area} Early Help and Prevention",
                )
                if name in self.agency_ids
            ]
            first = clock.today(_at(created_us)) + timedelta(days=7 + area_index)
            days = []
            day = first
            while recurrence.starts_at(day, MEETING_TIME, LONDON) < _at(now + 6 * 7 * DAY):
                days.append(day)
                day += timedelta(days=MEETING_EVERY)
            series = {
                "id": self.next_id("meeting_series"),
                "title": f"{area} MET operational group",
                "area": area_index,
                "chair": chair,
                "members": members,
                "agencies": agencies,
                "place": f"{AREAS[area_index][1]} Civic Offices, Committee Room {1 + area_index}",
                "first": first,
                "meetings": [],
            }
            previous = None
            for day in days:
                starts = _us(recurrence.starts_at(day, MEETING_TIME, LONDON))
                meeting = {
                    "id": self.next_id("meetings"),
                    "series": series,
                    "starts": starts,
                    "previous": previous,
                    "items": [],
                    "uid": f"meeting-{uuid.UUID(int=rng.getrandbits(128), version=4)}@{GENERATED_DOMAIN}",
                }
                series["meetings"].append(meeting)
                previous = meeting
                if starts - 7 * DAY < now:
                    self.push(starts - 7 * DAY, Generator._agenda_built, meeting)
                if starts - 3 * DAY < now:
                    self.push(starts - 3 * DAY, Generator._agenda_issued, meeting)
                if starts + 3 * HOUR < now:  # held: attendance, minutes, decisions, approval
                    self.push(starts, Generator._attendance, meeting)
                    self.push(starts + 90 * MINUTE, Generator._minutes, meeting)
                    self.push(starts + 110 * MINUTE, Generator._applied, meeting)
                    self.push(starts + 120 * MINUTE, Generator._approved, meeting)
            self.push(created_us, Generator._series_created, series)

    def _series_created(self, at, series):
        chair = series["chair"]
        self.w.add(
            "meeting_series",
            (series["id"], series["title"], "fortnightly", series["first"].weekday(), None, series["first"],
             None, MEETING_TIME, 120, series["place"], None, chair.id, chair.id, at),
        )  # fmt: skip
        for member in series["members"]:
            self.w.add("meeting_series_members", (series["id"], member.id))
        for agency_id in series["agencies"]:
            self.w.add("meeting_series_agencies", (series["id"], agency_id))
        for meeting in series["meetings"]:
            held = meeting["starts"] + 3 * HOUR < self.now
            applied = _at(meeting["starts"] + 110 * MINUTE) if held else None
            self.w.add(
                "meetings",
                (meeting["id"], series["id"], series["title"], _at(meeting["starts"]), 120, series["place"],
                 None, chair.id, "scheduled", None, meeting["uid"], 0, applied, chair.id if held else None,
                 chair.id, at, applied or at, 2 if held else 1),
            )  # fmt: skip
            for member in series["members"]:
                self.w.add("meeting_members", (meeting["id"], member.id, at))
            for agency_id in series["agencies"]:
                self.w.add("meeting_agencies", (meeting["id"], agency_id))
        detail = {
            "agency_ids": series["agencies"],
            "meeting_ids": [m["id"] for m in series["meetings"]],
            "member_ids": [m.id for m in series["members"]],
        }
        self.chain.append(
            at, chair.id, "meeting_series.created", "meeting_series", series["id"], detail, chair.ip
        )

    def _agenda_built(self, at, meeting):
        """The builder's sections (meetings/agenda_rules.py), from the cases as they stand a
        week before: sent for MET review since the last meeting, high risk, review due."""
        series = meeting["series"]
        chair = series["chair"]
        day = clock.today(_at(meeting["starts"]))
        since = clock.today(_at(meeting["previous"]["starts"])) if meeting["previous"] else None
        chosen = []
        for c in self.live[series["area"]].values():
            if c["state"] not in AGENDA_STATES:
                continue
            reasons = []
            if (
                c["state"] == S.MET_REVIEW.value
                and c["referred"]
                and (since is None or c["referred"] > since)
            ):
                reasons.append({"section": "new_referrals", "text": f"referred on {day_text(c['referred'])}"})
            if c["level"] == RiskLevel.HIGH.value:
                reasons.append({"section": "high_risk", "text": "high risk"})
            if c["review"] and c["review"] <= day:
                reasons.append({"section": "review_due", "text": f"review due {day_text(c['review'])}"})
            if c["assessed_on"] and since and c["assessed_on"] > since:
                reasons.append(
                    {
                        "section": "new_information",
                        "text": f"new risk assessment on {day_text(c['assessed_on'])}",
                    }
                )
            if reasons and reasons[0]["section"] != "new_information":
                chosen.append((SECTION_ORDER[reasons[0]["section"]], c["case_id"], c, reasons))
        chosen.sort(key=lambda x: x[:2])
        for position, (_, case_id, c, reasons) in enumerate(chosen[:AGENDA_MAX]):
            item_id = self.next_id("agenda_items")
            self.w.add(
                "agenda_items",
                (item_id, meeting["id"], case_id, reasons[0]["section"], self.json(reasons), position, False,
                 False, None, None, None, True, at),
            )  # fmt: skip
            meeting["items"].append((item_id, c, reasons))
        detail = {"dropped": [], "items": len(meeting["items"]), "removed": 0}
        self.chain.append(at, chair.id, "agenda.built", "meeting", meeting["id"], detail, chair.ip)

    def _agenda_issued(self, at, meeting):
        series = meeting["series"]
        chair = series["chair"]
        copies = [self._agenda_copy(meeting, sanitised) for sanitised in (False, True)]
        self.w.add(
            "agenda_versions",
            (self.next_id("agenda_versions"), meeting["id"], 1, at, chair.id, None, self.json(copies[0]),
             self.json(copies[1]), self.json([])),
        )  # fmt: skip
        detail = {
            "actions_carried_forward": 0,
            "case_ids": [c["case_id"] for _, c, _ in meeting["items"]],
            "version": 1,
        }
        self.chain.append(at, chair.id, "agenda.issued", "meeting", meeting["id"], detail, chair.ip)

    def _agenda_copy(self, meeting, sanitised: bool) -> dict:
        """As meetings/issue.py _snapshot freezes it, each card from the case as it stands."""
        series = meeting["series"]
        starts = _at(meeting["starts"])
        header = {
            "title": series["title"],
            "starts_at": starts.isoformat(),
            "starts_local": clock.local(starts).strftime("%A %-d %B %Y at %H:%M"),
            "duration_minutes": 120,
            "place": series["place"],
            "online_link": None,
            "chair": series["chair"].name,
        }
        sections, number = [], 0
        for section in AgendaSection:
            shown = []
            for _, c, reasons in meeting["items"]:
                if reasons[0]["section"] != section.value:
                    continue
                number += 1
                shown.append(
                    {
                        "number": number,
                        "case_id": c["case_id"],
                        "reasons": reasons,
                        "card": self._card(c, sanitised, clock.today(starts)),
                    }
                )
            if shown:
                sections.append({"section": section.value, "label": section.label, "items": shown})
        return {"meeting": header, "sections": sections}

    def _card(self, c, sanitised: bool, day) -> dict:
        """The card meetings/cards.py makes, from what the run knows of the case."""
        first, last = c["name"].split(" ", 1)
        born = c["born"]
        age = day.year - born.year - ((day.month, day.day) < (born.month, born.day))  # on the meeting day
        lead = c["lead"]
        return {
            "case_id": c["case_id"],
            "name": f"{first[0]}{last[0]}" if sanitised else c["name"],
            "age": age,
            "date_of_birth": None if sanitised else c["born"].isoformat(),
            "address": None if sanitised else c["address"],
            "school": None if sanitised else c["school"],
            "nhs_number": None,
            "state": c["state"],
            "state_label": CaseState(c["state"]).label,
            "exploitation_types": [ExploitationType(t).label for t in c["types"]],
            "flags": [] if sanitised else [CaseFlag(f).label for f in c["flags"]],
            "risk_level": c["level"],
            "risk_level_label": RiskLevel(c["level"]).label if c["level"] else None,
            "suggested_risk_level": c["suggested"],
            "suggested_risk_level_label": RiskLevel(c["suggested"]).label if c["suggested"] else None,
            "latest_assessment_on": c["assessed_on"].isoformat() if c["assessed_on"] else None,
            "lead_professional": lead.name,
            "lead_professional_id": lead.id,
            "lead_agency": lead.agency,
            "police_tier": c["tier"],
            "police_tier_label": self.lists.tier_label(c["tier"]),
            "police_team": c["team"],
            "police_team_label": self.lists.team_label(c["team"]),
            "services": [],
            "missing_now": False,
            "open_missing_episode": None,
            "rhi_status": None,
            "rhi_overdue": False,
            "repeat_missing": False,
            "nrm_status": None,
            "linked_children": [],
            "places": [],
            "persons": [],
            "disruptions": [],
            "open_actions": [],
            "open_action_count": 0,
            "next_review_on": c["review"].isoformat() if c["review"] else None,
            "lead_update": None,
        }

    def _attendance(self, at, meeting):
        series = meeting["series"]
        chair = series["chair"]
        people = []
        for person in (chair, *series["members"]):
            present = person is chair or self.rng.random() < 0.85
            status = "present" if present else "apologies"
            attendance_id = self.next_id("meeting_attendance")
            agency_id = self.agency_ids.get(person.agency)
            self.w.add(
                "meeting_attendance",
                (attendance_id, meeting["id"], person.id, None, agency_id, status, not present, False, None,
                 chair.id, at),
            )  # fmt: skip
            detail = {
                "attendance_id": attendance_id,
                "confidentiality_signed": False,
                "observer": False,
                "status": status,
                "user_id": person.id,
            }
            self.chain.append(at, chair.id, "attendance.recorded", "meeting", meeting["id"], detail, chair.ip)
            people.append(
                {"name": person.name, "agency": person.agency, "status": status,
                 "status_label": "Present" if present else "Apologies", "information_sent": not present,
                 "observer": False}
            )  # fmt: skip
        meeting["people"] = people

    def _minutes(self, at, meeting):
        """Each item minuted (the discussion; an action for about one item in three), the
        decisions applied (none change a case here) and the minutes approved."""
        rng, series = self.rng, meeting["series"]
        chair = series["chair"]
        day = clock.today(_at(meeting["starts"]))
        entries = []
        for _, c, reasons in meeting["items"]:
            minute_id = self.next_id("item_minutes")
            discussion = rng.choice(DISCUSSIONS)
            self.w.add(
                "item_minutes",
                (minute_id, meeting["id"], c["case_id"], discussion, None, None, None, self.json([]), False,
                 False, None, None, None, None, chair.id, at),
            )  # fmt: skip
            raised = []
            if rng.random() < ACTION_SHARE:
                raised.append(self._raise_action(at, meeting, c, day))
            detail = {
                "actions": [a["id"] for a in raised],
                "case_id": c["case_id"],
                "item_minute_id": minute_id,
                "reason": "meeting",
            }
            self.chain.append(
                at, chair.id, "minutes.item_recorded", "meeting", meeting["id"], detail, chair.ip
            )
            for a in raised:
                detail = {"case_id": c["case_id"], "meeting_id": meeting["id"], "owner_id": a["owner_id"]}
                self.chain.append(at, chair.id, "action.raised", "meeting_action", a["id"], detail, chair.ip)
            entries.append(
                {"case_id": c["case_id"], "heading": f"Case {c['case_id']}: {c['name']}",
                 "section": reasons[0]["section"], "reasons": [r["text"] for r in reasons],
                 "discussion": discussion, "decisions": dict(NO_DECISIONS), "actions": raised}
            )  # fmt: skip
        meeting["entries"] = entries

    def _applied(self, at, meeting):
        chair = meeting["series"]["chair"]
        detail = {"case_ids": [], "reason": "meeting"}  # discussion only: no decision changes a case
        self.chain.append(at, chair.id, "minutes.applied", "meeting", meeting["id"], detail, chair.ip)

    def _approved(self, at, meeting):
        series = meeting["series"]
        chair = series["chair"]
        content = {
            "meeting": {
                "id": meeting["id"],
                "title": series["title"],
                "starts_at": _at(meeting["starts"]).isoformat(),
                "place": series["place"],
            },
            "attendance": {"people": meeting.get("people", []), "quorum": None},
            "decisions_applied_at": _at(meeting["starts"] + 110 * MINUTE).isoformat(),
            "items": meeting.get("entries", []),
        }
        self.w.add(
            "minutes_versions",
            (
                self.next_id("minutes_versions"),
                meeting["id"],
                1,
                at,
                chair.id,
                None,
                self.json(content),
            ),
        )
        detail = {"correction": False, "reason": "meeting", "version": 1}
        self.chain.append(at, chair.id, "minutes.approved", "meeting", meeting["id"], detail, chair.ip)

    def _raise_action(self, at, meeting, c, day) -> dict:
        rng, chair, lead = self.rng, meeting["series"]["chair"], c["lead"]
        action_id = self.next_id("meeting_actions")
        due = day + timedelta(days=rng.choice((7, 14, 21, 28)))
        done_us = _us(at) + rng.randint(2, 30) * DAY
        done = done_us < self.now - HOUR and rng.random() < 0.85
        description = rng.choice(ACTIONS)
        self.w.add(
            "meeting_actions",
            (action_id, meeting["id"], c["case_id"], description, lead.id, self.agency_ids.get(lead.agency),
             due, "done" if done else "open", None, ACTION_DONE_NOTE if done else None,
             _at(done_us) if done else None, lead.id if done else None, chair.id, at, 2 if done else 1),
        )  # fmt: skip
        self.w.add("meeting_action_events", (self.next_id("meeting_action_events"), action_id, "raised",
                                             meeting["id"], chair.id, None, at))  # fmt: skip
        if done:
            self.push(done_us, Generator._action_done, action_id, c, lead)
        return {
            "id": action_id,
            "case_id": c["case_id"],
            "description": description,
            "owner_id": lead.id,
            "owner": lead.name,
            "agency": lead.agency,
            "due_on": due.isoformat(),
            "status": "open",
        }

    def _action_done(self, at, action_id, c, lead):
        self.w.add(
            "meeting_action_events",
            (self.next_id("meeting_action_events"), action_id, "done", None, lead.id, ACTION_DONE_NOTE, at),
        )
        detail = {"case_id": c["case_id"]}
        self.chain.append(at, lead.id, "action.done", "meeting_action", action_id, detail, lead.ip)

    # -- intelligence: places and persons of concern, items shared about a child, links

    def plan_intelligence(self, children: int, start_us: int) -> None:
        """Hotspots and persons of concern, made by reviewers over the history (the chairs
        and the police force's case readers); items are planned with their cases."""
        rng = self.rng
        self.reviewers = list(self.cast.chairs) + [p for p in self.cast.partners if p.agency == POLICE_AGENCY]
        for _ in range(max(len(AREAS), children // CHILDREN_PER_PLACE)):
            self.push(rng.randint(start_us, self.now - DAY), Generator._place, rng.randrange(len(AREAS)))
        for _ in range(max(len(AREAS), children // CHILDREN_PER_PERSON)):
            self.push(rng.randint(start_us, self.now - DAY), Generator._person, rng.randrange(len(AREAS)))

    def _place(self, at, area_index):
        rng, by = self.rng, self.rng.choice(self.reviewers)
        kind, words = rng.choice(PLACE_KINDS)
        location_id = self.next_id("locations")
        town = AREAS[area_index][1]
        postcode = f"ZZ99 {rng.randint(1, 9)}{rng.choice(POSTCODE_LETTERS)}{rng.choice(POSTCODE_LETTERS)}"
        name = f"{rng.choice(STREETS)} {words}"
        address = f"{rng.randint(1, 240)} {rng.choice(STREETS)} {rng.choice(STREET_KINDS)}, {town}"
        self.w.add(
            "locations",
            (location_id, name, kind.value, address, postcode, None, None, PLACE_DESCRIPTION, by.id, at, 1),
        )
        self.places[area_index].append(location_id)
        self.chain.append(at, by.id, "location.created", "location", location_id, {"type": kind.value}, by.ip)

    def _person(self, at, area_index):
        rng, by = self.rng, self.rng.choice(self.reviewers)
        person_id = self.next_id("persons_of_concern")
        age = rng.randint(18, 45)
        born = (
            clock.today(at) - timedelta(days=age * 365 + rng.randint(0, 364)) if rng.random() < 0.5 else None
        )
        self.w.add(
            "persons_of_concern",
            (person_id, _person_name(rng), born, None if born else age, rng.choice(PERSON_DESCRIPTIONS),
             clock.today(at) + timedelta(days=365), by.id, at, 1),
        )  # fmt: skip
        for _ in range(rng.randint(0, 2)):
            self.w.add("person_aliases", (self.next_id("person_aliases"), person_id, rng.choice(ALIASES)))
        self.persons[area_index].append(person_id)
        self.chain.append(at, by.id, "person.created", "person", person_id, {"associations_added": []}, by.ip)

    def _intelligence(self, at, c, sharer):
        """An item shared about the child (its case suggested by the sharer), graded by a
        reviewer a few days later when that is before now, and linked to a hotspot and a
        person of concern of the child's area, with the case's own links to them."""
        rng = self.rng
        item_id = self.next_id("intelligence_items")
        graded_us = _us(at) + rng.randint(1, 5) * DAY
        graded = graded_us < self.now - HOUR
        grader = rng.choice(self.reviewers)
        code = "C" if rng.random() < 0.1 else "P"
        information, sanitised = rng.choice(INTELLIGENCE_TEXTS)
        grading = (rng.choice("112"), rng.choice("ABBC"), code) if graded else (None, None, None)
        self.w.add(
            "intelligence_items",
            (item_id, sharer.id, at, sharer.name, sharer.agency, None, None, information,
             clock.today(at) - timedelta(days=rng.randint(0, 6)), f"{AREAS[c['area']][1]} town centre",
             _person_name(rng), None, None, rng.random() < 0.5, None, "Saw it happen", 
             "graded" if graded else "submitted", *grading,
             HANDLING_CONDITIONS if graded and code == "C" else None, sanitised if graded else None,
             grader.id if graded else None, _at(graded_us) if graded else None, 2 if graded else 1),
        )  # fmt: skip
        link_id = self.next_id("intelligence_links")
        self.w.add("intelligence_links", (link_id, item_id, c["case_id"], None, None, True, sharer.id, at))
        detail = {"case_ids": [c["case_id"]], "link_ids": [link_id]}
        self.chain.append(at, sharer.id, "intelligence.submitted", "intelligence", item_id, detail, sharer.ip)
        if graded:
            self.push(graded_us, Generator._grade, item_id, c, grader, "".join(grading))

    def _grade(self, at, item_id, c, grader, grading):
        rng = self.rng
        detail = {
            "changed": [],
            "grading": grading,
            "grant_agency_ids": [],
            "grant_user_ids": [],
            "regrade": False,
        }
        self.chain.append(at, grader.id, "intelligence.graded", "intelligence", item_id, detail, grader.ip)
        targets = []
        if self.places[c["area"]] and rng.random() < 0.6:
            targets.append(("location_id", rng.choice(self.places[c["area"]])))
        if self.persons[c["area"]] and rng.random() < 0.4:
            targets.append(("person_id", rng.choice(self.persons[c["area"]])))
        for name, target in targets:
            link_id = self.next_id("intelligence_links")
            location, person = (target, None) if name == "location_id" else (None, target)
            self.w.add("intelligence_links", (link_id, item_id, None, location, person, False, grader.id, at))
            detail = {"link_id": link_id, name: target}
            by = grader
            self.chain.append(at, by.id, "intelligence.linked", "intelligence", item_id, detail, by.ip)
            if rng.random() < 0.5 and (c["case_id"], name, target) not in self.subject_links:
                self.subject_links.add((c["case_id"], name, target))
                reliability = rng.choice(("confirmed", "likely", "possible"))
                subject_id = self.next_id("case_subject_links")
                self.w.add(
                    "case_subject_links",
                    (subject_id, c["case_id"], location, person, reliability, None, grader.id, at),
                )
                detail = {"case_id": c["case_id"], "location_id": location, "person_id": person,
                          "reliability": reliability}  # fmt: skip
                self.chain.append(
                    at, grader.id, "case_link.added", "case_subject_link", subject_id, detail, grader.ip
                )


# --- the whole run


def generate(
    children: int,
    *,
    seed: int = 2026,
    years: int = 5,
    open_share: float = 0.16,
    append: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Generated:
    """Who: an operator at the command line, on a database for demonstration or load
    tests. Adds `children` made-up children, each with one case (see the module
    docstring), plus the agencies and users they need. Refused (GenerateRefused,
    nothing saved) when the database already holds cases, unless `append`."""
    import time

    started = time.perf_counter()
    if children < 1:
        raise GenerateRefused("--children must be at least 1")
    if not 0 <= open_share <= 1:
        raise GenerateRefused("--open-share must be between 0 and 1")
    if years < 1:
        raise GenerateRefused("--years must be at least 1")
    _check_columns()
    check_empty(append)
    with unit_of_work():  # the lists, through their own seeding (idempotent)
        reference_seed_defaults()
        risk_seed_defaults()
        seed_services()
        language_seed_defaults()
    agencies = _ensure_agencies()
    lists = _lists()
    db.session.close()

    rng = random.Random(seed)
    now_us = _us(clock.now())
    start_us = now_us - years * 365 * DAY
    key = audit.hmac_key()
    result = Generated(children=children)
    with db.engine.begin() as connection:
        postgres = connection.dialect.name == "postgresql"
        audit.lock_chain(connection, Chain.CHAIN)  # the app's appends go on in the other chains
        if postgres:
            _skip_row_triggers(connection)
        writer = BulkWriter(connection)
        chain = Chain(writer, *audit.chain_tail(connection, Chain.CHAIN), key)
        cast = _make_users(writer, chain, agencies, children, rng, _at(start_us))
        gen = Generator(writer, chain, cast, lists, rng, now_us)
        gen.agency_ids = dict(
            connection.execute(text("SELECT name, id FROM agencies")).all()  # noqa: S608 (no input)
        )
        gen.plan_meetings(start_us)
        gen.plan_intelligence(children, start_us)

        # When each case opened: open cases in the last year, closed ones over the years.
        plans = []
        for _ in range(children):
            is_open = rng.random() < open_share
            if is_open:
                opened = rng.randint(max(start_us, now_us - 400 * DAY), now_us - 3 * DAY)
            else:
                opened = rng.randint(start_us, now_us - 21 * DAY)
            plans.append((opened, is_open))
        plans.sort()
        heavy = _heavy_cases(plans, now_us)
        case_base, child_base = gen.ids["cases"], gen.ids["children"]
        done = 0
        try:
            for i, (opened, is_open) in enumerate(plans):
                gen.emit_until(opened)
                gen.plan(case_base + i + 1, child_base + i + 1, opened, is_open, i in heavy)
                if (i + 1) % FLUSH_EVERY == 0:
                    writer.flush(background=True)
                    if progress:
                        progress(i + 1 - done)
                    done = i + 1
            gen.emit_until(None)
        except BaseException:
            writer.abandon()  # the batch being copied, before the transaction rolls back
            raise
        writer.finish()
        chain.append(
            _at(now_us), None, "demo.generated", None, None, {"children": children, "seed": seed}, None
        )
        writer.flush()
        if progress and children > done:
            progress(children - done)
        if postgres:
            for table in ID_TABLES:
                connection.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}")  # noqa: S608
                )
        result.rows = {table: count for table, count in writer.counts.items() if count}
        result.audit_rows = chain.written
        result.users = cast.made
    if current_app_keeps_checkpoints():
        checkpoint, targets = audit.write_checkpoint()
        result.checkpoint = f"{checkpoint.rows} rows, to {', '.join(targets)}"
    if postgres:  # after the checkpoint: the rows are saved, whatever happens to this
        _refresh_planner_statistics(result.rows)
    result.logins = [
        ("met_chair", f"chair1@{GENERATED_DOMAIN}"),
        ("lead_professional", f"lead1@{GENERATED_DOMAIN}"),
    ]
    result.seconds = time.perf_counter() - started
    return result


def check_empty(append: bool) -> None:
    """GenerateRefused when the database already has cases and `append` is not given."""
    if not append and db.session.scalar(select(Case.id).limit(1)) is not None:
        raise GenerateRefused(
            "The database already has cases: generated data goes into an empty database. "
            "Use a new database, or add --append to add to these cases"
        )


def _heavy_cases(plans: list[tuple[int, bool]], now_us: int) -> set[int]:
    """Which cases (by position) are heavy: open ones, opened long enough ago to hold 30
    missing episodes, spread over the run; at least one when any case is open."""
    old = [i for i, (opened, is_open) in enumerate(plans) if is_open and opened < now_us - 200 * DAY]
    candidates = old or [i for i, (_, is_open) in enumerate(plans) if is_open]
    if not candidates:
        return set()
    count = min(len(candidates), max(1, len(plans) // HEAVY_EVERY))
    return {candidates[(k * len(candidates)) // count] for k in range(count)}


def _refresh_planner_statistics(tables) -> None:
    """VACUUM ANALYZE the tables just filled. Autovacuum would get there in its own time,
    but until it does the planner believes the tables empty: at 100,000 children it read
    every missing episode for a page of cases (24 ms, not 0.7) and the index-only scans
    visited every heap page (docs/performance-fixes.md)."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in tables:
            connection.execute(text(f'VACUUM (ANALYZE) "{table}"'))


def current_app_keeps_checkpoints() -> bool:
    from flask import current_app

    return bool(
        current_app.config.get("AUDIT_CHECKPOINT_PATH") or current_app.config.get("AUDIT_CHECKPOINT_SYSLOG")
    )


def _skip_row_triggers(connection) -> None:
    """Bulk loading: the foreign keys' per-row checks cost more than the rows themselves
    (every reference is made here, to a row written before it). Replica mode skips them,
    for this transaction only, where the role may (a superuser); otherwise they run."""
    try:
        with connection.begin_nested():
            connection.execute(text("SET LOCAL session_replication_role = replica"))
    except Exception:  # noqa: BLE001 - not allowed: the checks run, slower
        return
