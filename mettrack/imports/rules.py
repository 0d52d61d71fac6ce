"""Importing the partnership's exploitation list: what each column may hold, and what a
row becomes (docs/imports.md). Pure functions over plain values: the use case
(imports/jobs.py) gathers the lookups (the lead professionals, the police tiers and
teams, the exit reasons, the children already recorded) and the limits of the columns,
and writes what `check_table` decided.

The choices made here, once:
- A row's case goes through the workflow table (cases/workflow.py), move by move, from
  no case to the row's state: opened, referred, sent to MET review, police tier set,
  closed. Each move is decided by the table as the MET chair's (the chair owns the
  exploitation list: DESIGN.md), with facts the row supplies: the list itself stands
  for the decision to refer (a professional override, its reason the import), and the
  risk level on the list for the risk assessment that set it. What a move's guard finds
  missing is an error on the column that would supply it. A closed row's case goes as
  far as its columns allow, then is closed.
- "Specialist service assigned" cannot be imported: that move is a coordinator's record
  of a service's acceptance, which the list does not hold. Import such a case as
  police_tiered (or met_review) and record the service in METtrack.
- The same child (the same name, normalised as children/matching.py does, and date of
  birth) on two rows is one child: a second open case for them is refused (a child
  never has two open cases), and two rows alike in every column are a duplicate.
- A row is matched to a child already recorded by children/matching.py's likely match;
  more than one likely match is an error to resolve first, as is an open case for a
  child who already has one.
"""

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from mettrack.cases import workflow
from mettrack.children import matching
from mettrack.core.choices import OPEN_STATES, CaseAction, CaseState, ExploitationType, RiskLevel, Role

# (key, heading) in the template's order; headings are matched ignoring case and spaces.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("child_name", "Child name"),
    ("date_of_birth", "Date of birth"),
    ("gender", "Gender"),
    ("ethnicity", "Ethnicity"),
    ("address", "Address"),
    ("exploitation_type", "Exploitation type"),
    ("risk_level", "Risk level"),
    ("police_tier", "Police tier"),
    ("lead_email", "Lead professional e-mail"),
    ("date_added", "Date added"),
    ("state", "State"),
    ("date_closed", "Date closed"),
)
# Optional: the workflow needs a holding team with a police tier, and closing needs an
# exit reason; a list that has neither column still imports (see docs/imports.md).
OPTIONAL_COLUMNS: tuple[tuple[str, str], ...] = (
    ("police_team", "Police team"),
    ("exit_reason", "Exit reason"),
)
HEADINGS = dict(COLUMNS + OPTIONAL_COLUMNS)
FILE = "File"  # the column named by an error about the file as a whole
HEADER_ROW = 1

# The import acts as the owner of the exploitation list when the table decides its moves.
IMPORT_ROLES = frozenset({Role.MET_CHAIR})
IMPORT_REASON = "Imported from the partnership's exploitation list"
OVERRIDE_REASON = "On the partnership's exploitation list before it moved to METtrack"
CLOSED_BEFORE_IMPORT = "Closed on the partnership's exploitation list before it moved to METtrack"

# Which column supplies each fact a guard may ask for.
FACT_COLUMNS = {
    "has_child_name": "child_name",
    "has_date_of_birth": "date_of_birth",
    "has_address": "address",
    "has_exploitation_type": "exploitation_type",
    "has_completed_risk_assessment": "risk_level",
    "has_police_tier_and_team": "police_tier",
}
TYPE_SEPARATORS = re.compile(r"\s*(?:[;,/&+]|\band\b)\s*", re.IGNORECASE)
_UK_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", re.ASCII)
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?", re.ASCII)


@dataclass(frozen=True)
class Limits:
    """The most characters each text column holds (read from the models by the use case)."""

    name: int
    gender: int
    ethnicity: int
    address: int


@dataclass(frozen=True)
class Lead:
    user_id: int
    agency_id: int | None


@dataclass(frozen=True)
class Lookups:
    """What the rows are checked against, loaded once for the whole file."""

    leads: Mapping[str, Lead]  # active lead professionals by e-mail, casefolded
    tiers: Mapping[str, str]  # active police tiers: code and label, casefolded -> code
    teams: Mapping[str, tuple[str, str]]  # active holding teams: code/label -> (code, tier code)
    tier_labels: Mapping[str, str]  # tier code -> label, for messages
    exit_reasons: Mapping[str, str]  # active exit reasons: code/label -> code
    other_exit_reason: str | None  # the code an unexplained closure is filed under
    children: Sequence[matching.ChildFacts] = ()  # every child already recorded
    open_case_children: frozenset[int] = frozenset()  # children with an open case now


@dataclass(frozen=True)
class RowError:
    row: int  # as the spreadsheet numbers it: the header is row 1
    column: str  # the column's heading, or FILE
    message: str


@dataclass(frozen=True)
class Step:
    action: CaseAction
    from_state: CaseState | None
    to_state: CaseState


@dataclass
class Record:
    """One good row: the child, the case and the moves that make its history."""

    row: int
    first_name: str
    last_name: str
    date_of_birth: date | None
    gender: str | None
    ethnicity: str | None
    address: str | None
    exploitation_types: tuple[str, ...]
    risk_level: str | None
    police_tier: str | None
    police_team: str | None
    lead: Lead | None
    date_added: date
    state: CaseState
    date_closed: date | None
    exit_reason: str | None
    closure_note: str | None
    steps: tuple[Step, ...] = ()
    child_key: tuple = ()
    existing_child_id: int | None = None  # matched to a child already recorded
    match_reasons: tuple[str, ...] = ()

    @property
    def outcome(self) -> str:
        return "match" if self.existing_child_id is not None else "create"


@dataclass
class Report:
    """What the file would do: the good rows, every error, the columns ignored."""

    total_rows: int = 0
    records: list[Record] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.records)

    @property
    def new_children(self) -> int:
        return len({r.child_key for r in self.records if r.existing_child_id is None})

    @property
    def matched_children(self) -> int:
        return len({r.existing_child_id for r in self.records if r.existing_child_id is not None})


# --- the header --------------------------------------------------------------------------


def heading_key(heading: str) -> str:
    """Case, spaces, hyphens and underscores ignored: "Lead professional e-mail",
    "LEAD PROFESSIONAL EMAIL" and "lead_professional_email" are the same column."""
    return re.sub(r"[\s_\-]+", "", str(heading)).casefold()


_KEY_OF_HEADING = {heading_key(heading): key for key, heading in HEADINGS.items()}


def match_header(header: Sequence[str]) -> tuple[dict[str, int], list[RowError], tuple[str, ...]]:
    """({column key: position}, errors, ignored headings)."""
    positions: dict[str, int] = {}
    errors: list[RowError] = []
    ignored: list[str] = []
    for position, heading in enumerate(header):
        key = _KEY_OF_HEADING.get(heading_key(heading))
        if key is None:
            if str(heading).strip():
                ignored.append(str(heading).strip())
        elif key in positions:
            errors.append(RowError(HEADER_ROW, HEADINGS[key], "This column appears twice: keep one"))
        else:
            positions[key] = position
    for key, heading in COLUMNS:
        if key not in positions:
            errors.append(RowError(HEADER_ROW, heading, f"The column '{heading}' is missing"))
    return positions, errors, tuple(ignored)


# --- cells -------------------------------------------------------------------------------


class _Row:
    """One row's cells by column key, collecting its errors."""

    def __init__(self, number: int, cells: Sequence, positions: Mapping[str, int]):
        self.number = number
        self.cells = {key: cells[i] if i < len(cells) else "" for key, i in positions.items()}
        self.errors: list[RowError] = []

    def text(self, key: str) -> str:
        value = self.cells.get(key, "")
        if isinstance(value, date):
            return value.isoformat()
        return " ".join(str(value or "").split())

    def fail(self, key: str, message: str) -> None:
        if not any(e.column == HEADINGS[key] for e in self.errors):
            self.errors.append(RowError(self.number, HEADINGS[key], message))

    def failed(self, key: str) -> bool:
        return any(e.column == HEADINGS[key] for e in self.errors)


def parse_day(value) -> date | None:
    """A date from a workbook's date cell, 2022-07-01, or 1/7/2022 (day first, as the
    UK writes it). Raises ValueError naming the problem; None when blank."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    if not text:
        return None
    iso, uk = _ISO_DATE.fullmatch(text), _UK_DATE.fullmatch(text)
    if iso:
        year, month, day = (int(x) for x in iso.groups())
    elif uk:
        day, month, year = (int(x) for x in uk.groups())
    else:
        raise ValueError(f"'{text}' is not a date: write it like 31/07/2022 or 2022-07-31")
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"'{text}' is not a real date") from None


def _date(row: _Row, key: str, today: date) -> date | None:
    try:
        day = parse_day(row.cells.get(key))
    except ValueError as e:
        row.fail(key, str(e))
        return None
    if day is not None and day > today:
        row.fail(key, f"{day:%d/%m/%Y} is in the future")
        return None
    if day is not None and day.year < 1900:
        row.fail(key, f"{day:%d/%m/%Y} is too long ago: check the year")
        return None
    return day


def _bounded(row: _Row, key: str, most: int) -> str | None:
    value = row.text(key)
    if len(value) > most:
        row.fail(key, f"Write {most} characters or fewer (this has {len(value)})")
        return None
    return value or None


def _words(label: str) -> set[str]:
    """A choice's label and the words in its brackets: 'Medium (moderate)' -> medium, moderate."""
    inside = re.findall(r"\(([^)]*)\)", label)
    outside = re.sub(r"\([^)]*\)", "", label).strip()
    return {w.casefold() for w in (outside, *inside, label) if w}


def _choice(enum, value: str) -> str | None:
    wanted = value.casefold()
    for member in enum:
        if wanted == member.value.casefold() or wanted in _words(member.label):
            return member.value
    return None


def _allowed(enum) -> str:
    return ", ".join(member.value for member in enum)


def split_name(name: str) -> tuple[str, str] | None:
    """(first names, last name): the last word is the last name."""
    words = name.split()
    if len(words) < 2:
        return None
    return " ".join(words[:-1]), words[-1]


# --- a row ---------------------------------------------------------------------------------


def _types(row: _Row) -> tuple[str, ...]:
    text = row.text("exploitation_type")
    if not text:
        return ()
    chosen = []
    for part in TYPE_SEPARATORS.split(text):
        if not part:
            continue
        code = _choice(ExploitationType, part)
        if code is None:
            row.fail(
                "exploitation_type",
                f"Unknown exploitation type '{part}': write {_allowed(ExploitationType)} "
                "(both, separated by ';', for a child exploited both ways)",
            )
            return ()
        chosen.append(code)
    return tuple(m.value for m in ExploitationType if m.value in chosen)


def _state(row: _Row) -> CaseState | None:
    text = row.text("state")
    if not text:
        row.fail("state", f"Enter the case's state: one of {_allowed(CaseState)}")
        return None
    code = _choice(CaseState, text) or _choice(CaseState, text.replace(" ", "_"))
    if code is None:
        row.fail("state", f"Unknown state '{text}': write one of {_allowed(CaseState)}")
        return None
    if code == CaseState.SERVICE_ASSIGNED:
        row.fail(
            "state",
            "A case cannot be imported as 'service_assigned': the list does not record the "
            "specialist service's acceptance. Import it as police_tiered (or met_review) and "
            "record the service in METtrack",
        )
        return None
    return CaseState(code)


def _reference(row: _Row, key: str, table: Mapping, what: str):
    text = row.text(key)
    if not text:
        return None
    found = table.get(text.casefold())
    if found is None:
        known = sorted({v if isinstance(v, str) else v[0] for v in table.values()})
        row.fail(key, f"Unknown {what} '{text}': write one of {', '.join(known) or '(none is set up)'}")
    return found


def parse_row(
    number: int, cells: Sequence, positions: Mapping[str, int], lookups: Lookups, limits: Limits, today: date
) -> tuple[Record | None, list[RowError]]:
    """One row, checked on its own (the file as a whole: check_table)."""
    row = _Row(number, cells, positions)
    name = _bounded(row, "child_name", 2 * limits.name + 1)
    names = split_name(name) if name else None
    if not name:
        row.fail("child_name", "Enter the child's name")
    elif names is None:
        row.fail("child_name", "Enter the child's first and last names")
    elif max(len(n) for n in names) > limits.name:
        row.fail("child_name", f"Each of the first and last names must be {limits.name} characters or fewer")
    born = _date(row, "date_of_birth", today)
    gender = _bounded(row, "gender", limits.gender)
    ethnicity = _bounded(row, "ethnicity", limits.ethnicity)
    address = _bounded(row, "address", limits.address)
    types = _types(row)
    risk_text = row.text("risk_level")
    risk = _choice(RiskLevel, risk_text) if risk_text else None
    if risk_text and risk is None:
        row.fail("risk_level", f"Unknown risk level '{risk_text}': write one of {_allowed(RiskLevel)}")
    tier = _reference(row, "police_tier", lookups.tiers, "police tier")
    team_found = _reference(row, "police_team", lookups.teams, "police team")
    team = None
    if team_found is not None and tier is not None:
        team, team_tier = team_found
        if team_tier != tier:
            row.fail(
                "police_team", f"Choose a holding team of the {lookups.tier_labels.get(tier, tier)} tier"
            )
            team = None
    elif tier is not None and not row.failed("police_team"):
        teams = [code for code, parent in set(lookups.teams.values()) if parent == tier]
        if len(teams) == 1:  # the tier's only holding team
            team = teams[0]
    lead = None
    email = row.text("lead_email")
    if email:
        lead = lookups.leads.get(email.casefold())
        if lead is None:
            row.fail("lead_email", f"No active lead professional has the e-mail address '{email}'")
    added = _date(row, "date_added", today)
    if added is None and not row.failed("date_added"):
        row.fail("date_added", "Enter the date the child was added to the list")
    state = _state(row)
    closed = _date(row, "date_closed", today)
    exit_reason = _reference(row, "exit_reason", lookups.exit_reasons, "exit reason")
    if born and added and added < born:
        row.fail("date_added", "The date added is before the date of birth")
    if state is CaseState.CLOSED and closed is None and not row.failed("date_closed"):
        row.fail("date_closed", "Enter the date the case was closed: the state is closed")
    if state in OPEN_STATES and closed is not None:
        row.fail("date_closed", "An open case has no date closed: remove it, or set the state to closed")
    if closed and added and closed < added:
        row.fail("date_closed", "The date closed is before the date added")
    if row.errors:
        return None, row.errors

    note = None
    if state is CaseState.CLOSED and exit_reason is None:
        if lookups.other_exit_reason is None:
            row.fail("exit_reason", "Add an 'Exit reason' column: the exit reason Other is not in use")
            return None, row.errors
        exit_reason, note = lookups.other_exit_reason, CLOSED_BEFORE_IMPORT
    record = Record(
        row=number,
        first_name=names[0],
        last_name=names[1],
        date_of_birth=born,
        gender=gender,
        ethnicity=ethnicity,
        address=address,
        exploitation_types=types,
        risk_level=risk,
        police_tier=tier,
        police_team=team,
        lead=lead,
        date_added=added,
        state=state,
        date_closed=closed,
        exit_reason=exit_reason,
        closure_note=note,
        child_key=(matching.normalise(names[0]), matching.normalise(names[1]), born),
    )
    steps, refusals = steps_for(record)
    for key, message in refusals:
        row.fail(key, message)
    if row.errors:
        return None, row.errors
    record.steps = steps
    return record, []


# --- the workflow --------------------------------------------------------------------------


def facts_for(record: Record) -> workflow.CaseFacts:
    """What the table's guards are told of an imported row (see the module docstring)."""
    return workflow.CaseFacts(
        has_child_name=bool(record.first_name and record.last_name),
        has_date_of_birth=record.date_of_birth is not None,
        has_address=bool(record.address),
        has_professional_override=True,
        has_completed_risk_assessment=record.risk_level is not None,
        has_police_tier_and_team=bool(record.police_tier and record.police_team),
        has_exploitation_type=bool(record.exploitation_types),
        reason_given=True,
    )


def route_to(target: CaseState) -> tuple[CaseAction, ...]:
    """The fewest moves the import's roles may take from no case to an open `target`,
    read from the table (breadth first, closing moves left out)."""
    closing = {CaseState.CLOSED}
    paths: dict = {workflow.NO_CASE: ()}
    frontier = [workflow.NO_CASE]
    while frontier:
        state = frontier.pop(0)
        for move in workflow.MOVES:
            if (
                state in move.from_states
                and move.roles & IMPORT_ROLES
                and move.to_state not in closing
                and move.to_state not in paths
            ):
                paths[move.to_state] = (*paths[state], move.action)
                frontier.append(move.to_state)
    return paths.get(target, ())


FURTHEST_OPEN = CaseState.POLICE_TIERED  # as far as the list's columns can take a case


def steps_for(record: Record) -> tuple[tuple[Step, ...], list[tuple[str, str]]]:
    """The moves that give the row its state, each decided by the table, or what stops
    them: [(column key, message)]. A closed row goes as far as its columns allow."""
    facts = facts_for(record)
    closing = record.state is CaseState.CLOSED
    actions = route_to(FURTHEST_OPEN if closing else record.state)
    steps: list[Step] = []
    state = workflow.NO_CASE
    for action in actions:
        decision = workflow.decide(state, action, IMPORT_ROLES, facts)
        if not decision.allowed:
            if closing:
                break
            return (), _refusal_columns(record, action, decision)
        steps.append(Step(action, state, decision.to_state))
        state = decision.to_state
    if closing:
        decision = workflow.decide(state, CaseAction.CLOSE, IMPORT_ROLES, facts)
        if not decision.allowed:
            return (), [("state", " ".join(decision.reasons))]
        steps.append(Step(CaseAction.CLOSE, state, decision.to_state))
    return tuple(steps), []


def _refusal_columns(
    record: Record, action: CaseAction, decision: workflow.Decision
) -> list[tuple[str, str]]:
    move = workflow.move_for(action)
    facts = facts_for(record)
    missing = [name for name in FACT_COLUMNS if not getattr(facts, name) and workflow.needs(move, name)]
    prefix = f"A case that is '{record.state.value}' has had the move '{action.label}', which asks: "
    message = prefix + "; ".join(decision.reasons)
    if not missing:
        return [("state", message)]
    if missing == ["has_police_tier_and_team"] and record.police_tier and not record.police_team:
        return [("police_team", prefix + "choose the holding team (add a 'Police team' column)")]
    return [(FACT_COLUMNS[name], message) for name in missing]


# --- the whole file --------------------------------------------------------------------------


def _blank_row(cells: Sequence) -> bool:
    return all(not str(c or "").strip() for c in cells)


def _signature(record: Record) -> tuple:
    return (
        record.child_key,
        record.gender,
        record.ethnicity,
        record.address,
        record.exploitation_types,
        record.risk_level,
        record.police_tier,
        record.lead,
        record.date_added,
        record.state,
        record.date_closed,
    )


class _ChildIndex:
    """The children already recorded, by date of birth and by name, so that a row is
    compared with the few that could match, not with every child."""

    def __init__(self, children: Iterable[matching.ChildFacts]):
        self.by_birth: dict = defaultdict(list)
        self.by_name: dict = defaultdict(list)
        for child in children:
            if child.date_of_birth is not None:
                self.by_birth[child.date_of_birth].append(child)
            else:
                self.by_name[
                    frozenset({matching.normalise(child.first_name), matching.normalise(child.last_name)})
                ].append(child)

    def matches(self, record: Record) -> list[matching.Match]:
        candidate = matching.ChildFacts(record.first_name, record.last_name, record.date_of_birth)
        names = frozenset({matching.normalise(record.first_name), matching.normalise(record.last_name)})
        pool = list(self.by_name.get(names, ()))
        if record.date_of_birth is None:
            pool += [c for group in self.by_birth.values() for c in group]
        for day in matching.dates_to_search(record.date_of_birth):
            pool += self.by_birth.get(day, ())
        return matching.likely_matches(candidate, pool)


def check_table(
    header: Sequence[str],
    rows: Sequence[Sequence],
    lookups: Lookups,
    limits: Limits,
    today: date,
    progress: Callable[[int], None] | None = None,
    every: int = 500,
) -> Report:
    """Every row checked: each alone (parse_row), then against the others and the children
    already recorded. `progress(n)` is told how many rows are checked, every `every` rows."""
    positions, header_errors, ignored = match_header(header)
    report = Report(total_rows=len(rows), ignored_columns=ignored)
    if header_errors:
        report.errors = header_errors
        return report
    index = _ChildIndex(lookups.children)
    first_row_of: dict[tuple, int] = {}
    open_row_of: dict[tuple, int] = {}
    signatures: dict[tuple, int] = {}
    child_of_key: dict[tuple, tuple[int | None, tuple[str, ...]]] = {}
    for offset, cells in enumerate(rows):
        number = HEADER_ROW + 1 + offset
        if progress and offset and offset % every == 0:
            progress(offset)
        if _blank_row(cells):
            continue
        record, errors = parse_row(number, cells, positions, lookups, limits, today)
        if errors:
            report.errors.extend(errors)
            continue
        signature = _signature(record)
        if signature in signatures:
            report.errors.append(
                RowError(number, HEADINGS["child_name"], f"This row repeats row {signatures[signature]}")
            )
            continue
        signatures[signature] = number
        key = record.child_key
        if record.state in OPEN_STATES and key in open_row_of:
            report.errors.append(
                RowError(
                    number,
                    HEADINGS["state"],
                    f"The same child has an open case on row {open_row_of[key]}: a child never has two "
                    "open cases (close one, or merge the rows)",
                )
            )
            continue
        if key not in child_of_key:
            found = index.matches(record)
            if len(found) > 1:
                ids = ", ".join(str(m.child_id) for m in found)
                report.errors.append(
                    RowError(
                        number,
                        HEADINGS["child_name"],
                        f"This child may be any of the children already recorded as {ids}: "
                        "resolve the duplicates in METtrack before importing",
                    )
                )
                continue
            child_of_key[key] = (found[0].child_id, found[0].reasons) if found else (None, ())
        child_id, reasons = child_of_key[key]
        if child_id is not None and record.state in OPEN_STATES and child_id in lookups.open_case_children:
            report.errors.append(
                RowError(
                    number,
                    HEADINGS["state"],
                    f"This child (record {child_id}) already has an open case in METtrack: "
                    "a child never has two open cases",
                )
            )
            continue
        record.existing_child_id, record.match_reasons = child_id, reasons
        first_row_of.setdefault(key, number)
        if record.state in OPEN_STATES:
            open_row_of[key] = number
        report.records.append(record)
    if progress:
        progress(len(rows))
    if not report.records and not report.errors:
        report.errors.append(RowError(HEADER_ROW, FILE, "The file has no rows to import"))
    return report
