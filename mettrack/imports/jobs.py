"""Importing the exploitation list: the dry run, and the import itself (docs/imports.md).

Who: administrators and MET chairs (Perm.CASES_IMPORT; 403 otherwise, audited). An
uploaded list is an ImportJob, seen only by the user who uploaded it (404 to anyone
else). Its file stays in the row until it is imported; a worker task is given the
row's id (workers/tasks/imports.py).

1. `upload` keeps the file and counts its rows; `check_job` is the dry run: every row
   checked (rules.check_table) against the lookups loaded once, and the report stored
   on the job. Nothing else is written.
2. `confirm` asks for the import; `run_job` checks the file again (the records may have
   changed since the dry run) and writes every row in ONE transaction: any error, and
   nothing is written (the job says why, on its own transaction afterwards).

The writing is bulk: the lookups are read once, the children and cases are added in
batches and flushed, and nothing is read per row. Each case's history is the moves the
workflow table decided for its row (rules.steps_for): its state is the last move's, never
set by hand. The command line (`flask import cases`) calls `import_file`, the same checks
and the same writing, with no job.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from flask import current_app
from sqlalchemy import or_, select, update

from mettrack.accounts.models import User, UserRole
from mettrack.cases import classification_tags
from mettrack.cases.models import Case, CaseEvent, CaseTag, CaseTeamMember
from mettrack.children import matching
from mettrack.children.models import Child
from mettrack.core import audit, clock
from mettrack.core.choices import (
    CaseAction,
    CaseEventKind,
    CaseState,
    ImportStatus,
    ReferenceKind,
    Role,
    TeamRole,
    TierSource,
)
from mettrack.core.errors import NotFound, ValidationError
from mettrack.core.extensions import db
from mettrack.core.limits import max_length
from mettrack.core.permissions import Perm, require
from mettrack.core.unit_of_work import transaction, unit_of_work
from mettrack.imports import files, rules
from mettrack.imports.models import ImportJob
from mettrack.reference import OTHER
from mettrack.reference.models import ReferenceItem
from mettrack.risk import review_cadence
from mettrack.risk import rules as risk_rules
from mettrack.specialist_services.models import PoliceTierRecord

BATCH = 1000  # rows added to the session between flushes
MAX_ROWS = 50_000  # far beyond any partnership's list: a larger file is a mistake
# A date on the list becomes a moment at midday in London, so that its UTC date is the
# same calendar day all year (midnight in summer is the day before in UTC).
MIDDAY = time(12, 0)
# The states of a case on the MET list, reviewed at MET meetings.
ON_THE_MET_LIST = frozenset({CaseState.MET_REVIEW.value, CaseState.POLICE_TIERED.value})
Progress = Callable[[int], None]


class ImportRefused(ValidationError):
    """The file has errors: nothing was written. `report` holds every one."""

    def __init__(self, report: rules.Report):
        first = report.errors[0]
        count = len(report.errors)
        where = f"row {first.row}, {first.column}"
        super().__init__({"file": f"{count} error(s); the first: {where}: {first.message}"})
        self.report = report


def inline_rows() -> int:
    """Files of at most this many rows are checked and imported in the request; larger ones by a worker."""
    return int(current_app.config.get("IMPORT_INLINE_ROWS", 500))


def moment(day: date) -> datetime:
    return datetime.combine(day, MIDDAY, tzinfo=clock.LONDON).astimezone(UTC)


# --- what the rows are checked against, read once -----------------------------------------


def limits() -> rules.Limits:
    return rules.Limits(
        name=max_length(Child.first_name),
        gender=max_length(Child.gender),
        ethnicity=max_length(Child.ethnicity),
        address=max_length(Child.address),
    )


def load_lookups() -> rules.Lookups:
    leads = {
        email.casefold(): rules.Lead(user_id, agency_id)
        for email, user_id, agency_id in db.session.execute(
            select(User.email, User.id, User.agency_id)
            .join(UserRole, UserRole.user_id == User.id)
            .where(User.active.is_(True), UserRole.role == Role.LEAD_PROFESSIONAL.value)
        )
    }
    items = db.session.execute(
        select(ReferenceItem.kind, ReferenceItem.code, ReferenceItem.label, ReferenceItem.parent_code).where(
            ReferenceItem.active.is_(True)
        )
    ).all()
    tiers, teams, tier_labels, exits = {}, {}, {}, {}
    for kind, code, label, parent in items:
        names = {code.casefold(), label.casefold()}
        if kind == ReferenceKind.POLICE_TIER:
            tiers |= dict.fromkeys(names, code)
            tier_labels[code] = label
        elif kind == ReferenceKind.POLICE_TEAM:
            teams |= dict.fromkeys(names, (code, parent))
        elif kind == ReferenceKind.EXIT_REASON:
            exits |= dict.fromkeys(names, code)
    children = [
        matching.ChildFacts(
            first_name=first,
            last_name=last,
            date_of_birth=born,
            aliases=tuple((aliases or "").splitlines()),
            nhs_number=nhs,
            consistent_child_identifier=cci,
            id=child_id,
        )
        for child_id, first, last, born, aliases, nhs, cci in db.session.execute(
            select(
                Child.id,
                Child.first_name,
                Child.last_name,
                Child.date_of_birth,
                Child.aliases,
                Child.nhs_number,
                Child.consistent_child_identifier,
            )
        )
    ]
    open_children = frozenset(
        db.session.scalars(select(Case.child_id).where(Case.state != CaseState.CLOSED.value).distinct())
    )
    return rules.Lookups(
        leads=leads,
        tiers=tiers,
        teams=teams,
        tier_labels=tier_labels,
        exit_reasons=exits,
        other_exit_reason=OTHER if OTHER in exits.values() else None,
        children=children,
        open_case_children=open_children,
    )


def read(kind: str, content: bytes) -> files.Table:
    try:
        table = files.read_table(kind, content)
    except files.UnreadableFile as e:
        raise ValidationError({"file": str(e)}) from None
    if len(table.rows) > MAX_ROWS:
        raise ValidationError(
            {"file": f"The file has {len(table.rows)} rows: split it into files of {MAX_ROWS} rows or fewer"}
        )
    return table


def check(table: files.Table, progress: Progress | None = None) -> rules.Report:
    """The dry run of a read file: reads only."""
    return rules.check_table(table.header, table.rows, load_lookups(), limits(), clock.today(), progress)


# --- writing ------------------------------------------------------------------------------


def _case_for(
    record: rules.Record, child: Child, user_id: int | None, reason: str, review: Callable | None = None
) -> tuple[Case, PoliceTierRecord | None]:
    opened = moment(record.date_added)
    linked = {"child": child} if child is not None else {"child_id": record.existing_child_id}
    case = Case(
        **linked,
        risk_level=record.risk_level,
        lead_professional_id=record.lead.user_id if record.lead else None,
        lead_agency_id=record.lead.agency_id if record.lead else None,
        opened_at=opened,
    )
    if record.lead:
        case.team.append(
            CaseTeamMember(user_id=record.lead.user_id, team_role=TeamRole.LEAD.value, added_at=opened)
        )
    # The classification's own rows (cases/classification.py): the types, as the form saves them.
    tags = classification_tags({"exploitation_types": record.exploitation_types})
    case.tags = [CaseTag(kind=kind, value=value) for kind, value in sorted(tags)]
    tier = None
    for step in record.steps:
        when = opened
        event_reason = reason
        if step.action is CaseAction.REFER:
            case.referred_at = opened
            case.referral_override_reason = rules.OVERRIDE_REASON
        elif step.action is CaseAction.SET_POLICE_TIER:
            case.police_tier, case.police_team = record.police_tier, record.police_team
            tier = PoliceTierRecord(
                tier_code=record.police_tier,
                team_code=record.police_team,
                from_date=record.date_added,
                source=TierSource.MOVE.value,
                set_by_id=user_id,
            )
        elif step.action is CaseAction.CLOSE:
            when = moment(record.date_closed)
            case.closed_at = when
            case.closure_reason = record.exit_reason
            case.closure_note = record.closure_note
        case.events.append(
            CaseEvent(
                occurred_at=when,
                actor_id=user_id,
                action=CaseEventKind(step.action).value,
                from_state=step.from_state.value if step.from_state else None,
                to_state=step.to_state.value,
                reason=event_reason,
            )
        )
    case.state = record.steps[-1].to_state.value  # the table's decision for the last move
    if review is not None and case.state in ON_THE_MET_LIST and record.risk_level:
        case.next_review_on = review(record.risk_level)
    return case, tier


def write(
    user, report: rules.Report, *, job_id: int | None = None, progress: Progress | None = None
) -> list[int]:
    """Add every record of a clean report to the session, in batches; inside the caller's
    unit of work. Returns the new cases' ids, in the rows' order."""
    actor_id = getattr(user, "id", None)
    # The moves are the table's as the list's owner, the MET chair (rules.IMPORT_ROLES): an
    # administrator who imports is named by the audit log and the children they recorded,
    # not as the maker of moves their role does not allow.
    mover_id = actor_id if user is not None and user.roles & rules.IMPORT_ROLES else None
    reference = f"import {job_id}" if job_id else "command line import"
    children: dict[tuple, Child] = {}
    case_ids: list[int] = []
    at = clock.now()
    # The first MET review after the import follows the risk level's cadence from the day
    # of the import (risk/rules.py), as after an assessment: the list's own review dates
    # are not among its columns, and a date counted from the date added would be long past.
    cadence, today = review_cadence(), clock.today()

    def review(level: str):
        return risk_rules.next_review_on(level, today, cadence)

    for start in range(0, len(report.records), BATCH):
        batch = report.records[start : start + BATCH]
        made = []
        for record in batch:
            child = children.get(record.child_key)
            if child is None and record.existing_child_id is None:
                child = Child(
                    first_name=record.first_name,
                    last_name=record.last_name,
                    date_of_birth=record.date_of_birth,
                    gender=record.gender,
                    ethnicity=record.ethnicity,
                    address=record.address,
                    created_by_id=actor_id,
                    created_at=at,
                )
                children[record.child_key] = child
            reason = f"{rules.IMPORT_REASON} ({reference}, row {record.row})"
            case, tier = _case_for(record, child, mover_id, reason, review)
            made.append((record, case, tier))
        db.session.add_all([case for _r, case, _t in made])
        db.session.flush()
        for _record, case, tier in made:
            if tier is not None:
                tier.case_id = case.id
                tier.set_at = at
                db.session.add(tier)
            case_ids.append(case.id)
        # One audit row per batch naming its ids (as a list page names the ids it showed),
        # not one per case: 10,000 rows of the hash chain, each appended under its lock,
        # would cost the import most of its minute. Ids only, never names.
        audit.record(
            "case.imported",
            "import_job" if job_id else None,
            job_id,
            detail={
                "rows": [record.row for record, _case, _tier in made],
                "case_ids": [case.id for _record, case, _tier in made],
                "child_ids": [case.child_id for _record, case, _tier in made],
                "new_child_ids": sorted(
                    {case.child_id for record, case, _tier in made if record.existing_child_id is None}
                ),
            },
            actor=user or "cli",
        )
        db.session.flush()
        if progress:
            progress(start + len(batch))
    return case_ids


def import_file(
    user,
    kind: str,
    content: bytes,
    *,
    dry_run: bool,
    check_progress: Progress | None = None,
    write_progress: Progress | None = None,
) -> tuple[rules.Report, list[int]]:
    """Who: the command line, as `user` (an administrator or MET chair) or as the operator
    (None). Checks the file; with `dry_run` writes nothing; otherwise writes every row in
    one transaction. Raises ImportRefused (nothing written) when any row has an error."""
    if user is not None:
        require(user, Perm.CASES_IMPORT, "import.cases")
    table = read(kind, content)
    if dry_run:
        report = check(table, check_progress)
        if report.errors:
            raise ImportRefused(report)
        return report, []
    with unit_of_work():
        report = check(table, check_progress)
        if report.errors:
            raise ImportRefused(report)
        case_ids = write(user, report, progress=write_progress)
        audit.record(
            "import.completed",
            detail={"cases": len(case_ids), "new_children": report.new_children, "source": "cli"},
            actor=user or "cli",
        )
    return report, case_ids


# --- jobs: the pages and the worker -------------------------------------------------------


@dataclass(frozen=True)
class JobView:
    job: ImportJob
    report: dict  # the stored report (report_json)


def report_json(report: rules.Report) -> dict:
    """The dry run as stored and shown: each row's outcome and every error."""
    return {
        "total_rows": report.total_rows,
        "ignored_columns": list(report.ignored_columns),
        "new_children": report.new_children,
        "matched_children": report.matched_children,
        "rows": [
            {
                "row": r.row,
                "outcome": r.outcome,
                "name": f"{r.first_name} {r.last_name}",
                "date_of_birth": r.date_of_birth.isoformat() if r.date_of_birth else None,
                "types": list(r.exploitation_types),
                "state": r.state.value,
                "moves": [s.action.value for s in r.steps],
                "child_id": r.existing_child_id,
                "match_reasons": list(r.match_reasons),
            }
            for r in report.records
        ],
        "errors": [{"row": e.row, "column": e.column, "message": e.message} for e in report.errors],
    }


def _scope(user):
    return ImportJob.created_by_id == user.id


def _owned(user, job_id: int, action: str) -> ImportJob:
    """The job if `user` may import (403 otherwise) and uploaded it (404 otherwise); both
    refusals audited as `action`.denied. Unaudited when found: the caller audits its read."""
    require(user, Perm.CASES_IMPORT, action)
    job = db.session.scalar(select(ImportJob).where(ImportJob.id == job_id, _scope(user)))
    if job is None:
        audit.record_now(f"{action}.denied", "import_job", job_id, actor=user)
        raise NotFound("import_job", job_id)
    return job


@transaction
def get_for(user, job_id: int) -> JobView:
    """Who: an administrator or MET chair (403 otherwise, audited), for a job they
    uploaded (404 otherwise, audited). The job page lists the rows' children (names and
    dates of birth), so the read is audited: import.viewed, naming the job."""
    job = _owned(user, job_id, "import.viewed")
    audit.record("import.viewed", "import_job", job.id, actor=user)
    return JobView(job, json.loads(job.report) if job.report else {})


def progress_for(user, job_id: int) -> ImportJob:
    """Who: as get_for. The job for its progress only (status and counts; the page's
    progress.json). Refusals are audited, the read is not: it shows no child's name or
    any row's content, only how far the check or import has gone, and it is polled while
    a worker runs, so a row per poll would bury the job page's own import.viewed rows."""
    return _owned(user, job_id, "import.viewed")


@transaction
def recent_for(user, limit: int = 10) -> list[ImportJob]:
    """Who: an administrator or MET chair (403 otherwise, audited). Their latest uploads;
    audited as import.listed, naming the jobs shown."""
    require(user, Perm.CASES_IMPORT, "import.listed")
    recent = list(
        db.session.scalars(
            select(ImportJob)
            .where(_scope(user))
            .order_by(ImportJob.created_at.desc(), ImportJob.id.desc())
            .limit(limit)
        )
    )
    audit.record("import.listed", "import_job", None, detail={"ids": [j.id for j in recent]}, actor=user)
    return recent


@transaction
def upload(user, filename: str, content: bytes) -> ImportJob:
    """Who: an administrator or MET chair. Keeps the file (a CSV or .xlsx) as a new job
    waiting to be checked; ValidationError naming `file` when it cannot be read, and
    nothing is kept. Audited as import.uploaded (the job's id and row count only)."""
    require(user, Perm.CASES_IMPORT, "import.uploaded")
    kind = files.kind_of(filename)
    if not content:
        raise ValidationError({"file": "Choose the file of the exploitation list to upload"})
    if kind is None:
        raise ValidationError({"file": "Choose a CSV file (.csv) or an Excel workbook (.xlsx)"})
    table = read(kind, content)
    job = ImportJob(created_by_id=user.id, file_kind=kind, content=content, rows_total=len(table.rows))
    job.enqueued_at = _handed_to_the_request(job)
    db.session.add(job)
    db.session.flush()
    audit.record("import.uploaded", "import_job", job.id, detail={"rows": job.rows_total}, actor=user)
    return job


def in_the_request(job: ImportJob) -> bool:
    """Whether the page checks and imports this job itself (a small file), not a worker."""
    return job.rows_total <= inline_rows()


def _handed_to_the_request(job: ImportJob) -> datetime | None:
    # A small job is worked on by the request that asked for it: marked as handed over now,
    # so that the worker's scan leaves it alone (unless the request died: requeue_after).
    return clock.now() if in_the_request(job) else None


def _set(job_id: int, **values) -> None:
    """Progress and status on their own short transaction, so that the page sees them while
    the job's own work is still uncommitted (as audit.record_now writes a refusal)."""
    with db.engine.begin() as connection:
        connection.execute(update(ImportJob).where(ImportJob.id == job_id).values(**values))


def _claim(job_id: int, waiting: ImportStatus, working: ImportStatus) -> bool:
    """Move the job from `waiting` to `working` on its own short transaction, and say
    whether this call did: the one conditional UPDATE is atomic, so of a task delivered
    twice, or the page and a worker on the same job, only one goes on (on PostgreSQL the
    second UPDATE waits for the first to commit, then finds the status changed and
    matches no row). A job left `working` by a process that died is put back to
    `waiting` by the worker's scan (jobs_to_enqueue), and claimed again from there."""
    with db.engine.begin() as connection:
        claimed = connection.execute(
            update(ImportJob)
            .where(ImportJob.id == job_id, ImportJob.status == waiting.value)
            .values(status=working.value, rows_done=0)
        ).rowcount
    return claimed == 1


def check_job(job_id: int) -> ImportJob | None:
    """The dry run of a job waiting to be checked (the page for a small file, the worker
    for a large one): stores the report; writes nothing else. Idempotent: only the call
    that claims the job waiting to be checked (_claim) works on it; any other call leaves
    it as it is and returns it."""
    if not _claim(job_id, ImportStatus.CHECK_QUEUED, ImportStatus.CHECKING):
        return db.session.get(ImportJob, job_id, populate_existing=True)
    job = db.session.get(ImportJob, job_id, populate_existing=True)
    # Whatever goes wrong, the job ends failed with a reason its uploader can read: never
    # left "checking", to be handed out again by every scan and never deleted.
    try:
        report = check(read(job.file_kind, job.content), lambda n: _set(job_id, rows_done=n))
        with unit_of_work():
            job = db.session.get(ImportJob, job_id, populate_existing=True)
            job.status = ImportStatus.CHECKED.value
            job.rows_done = job.rows_total
            job.error_count = len(report.errors)
            job.report = json.dumps(report_json(report))
            job.finished_at = clock.now()
            audit.record(
                "import.checked",
                "import_job",
                job_id,
                detail={"errors": job.error_count, "rows": len(report.records)},
                actor=db.session.get(User, job.created_by_id),
            )
    except ValidationError as e:  # the file cannot be read (files.UnreadableFile)
        _fail(job_id, e)
    except Exception as e:
        _fail(job_id, _unexpected(job_id, "check", e))
    return db.session.get(ImportJob, job_id, populate_existing=True)


@transaction
def confirm(user, job_id: int) -> ImportJob:
    """Who: the job's uploader. Asks for the import of a job whose dry run found no
    error; ValidationError otherwise. Audited as import.confirmed."""
    _owned(user, job_id, "import.confirmed")
    # Locked, so that a second press of the button waits and then finds it asked for.
    job = db.session.scalar(
        select(ImportJob)
        .where(ImportJob.id == job_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if job.status != ImportStatus.CHECKED or job.error_count or not job.content:
        raise ValidationError(
            {"confirm": "Only a checked file with no errors can be imported: upload it again"}
        )
    job.status = ImportStatus.IMPORT_QUEUED.value
    job.rows_done = 0
    job.enqueued_at = _handed_to_the_request(job)
    audit.record("import.confirmed", "import_job", job.id, actor=user)
    return job


def run_job(job_id: int) -> ImportJob | None:
    """The import of a confirmed job (the page for a small file, the worker for a large
    one): checks the file again and writes every row in one transaction, as the user who
    uploaded it. On any error nothing is written and the job is marked failed, with the
    errors in its report. Idempotent: only the call that claims the job waiting to be
    imported (_claim) imports it; any other call (a task delivered twice, the page and a
    worker at once) writes nothing and returns the job as it is."""
    if not _claim(job_id, ImportStatus.IMPORT_QUEUED, ImportStatus.IMPORTING):
        return db.session.get(ImportJob, job_id, populate_existing=True)
    job = db.session.get(ImportJob, job_id, populate_existing=True)
    user = db.session.get(User, job.created_by_id)
    try:
        with unit_of_work():
            if not (user.active and user.roles & {Role.ADMIN, Role.MET_CHAIR}):
                raise ValidationError({"file": "The user who uploaded the file may no longer import lists"})
            report = check(read(job.file_kind, job.content), lambda n: _set(job_id, rows_done=n))
            if report.errors:
                raise ImportRefused(report)
            case_ids = write(user, report, job_id=job_id)
            job = db.session.get(ImportJob, job_id, populate_existing=True)
            job.status = ImportStatus.IMPORTED.value
            job.rows_done = job.rows_total
            job.cases_created = len(case_ids)
            job.content = None
            job.report = json.dumps({**report_json(report), "rows": [], "case_ids": case_ids})
            job.finished_at = clock.now()
            audit.record(
                "import.completed",
                "import_job",
                job_id,
                detail={"cases": len(case_ids), "new_children": report.new_children},
                actor=user,
            )
    except ValidationError as e:
        _fail(job_id, e)
    except Exception as e:  # a database error, or any other: nothing was written; say so on the job
        _fail(job_id, _unexpected(job_id, "import", e))
    return db.session.get(ImportJob, job_id, populate_existing=True)


def _unexpected(job_id: int, step: str, error: Exception) -> ValidationError:
    """The reason shown on a job whose check or import raised what it did not expect."""
    # The kind of error only: a database or parser error's text can carry the row's values.
    current_app.logger.error("import job %s: the %s failed: %s", job_id, step, type(error).__name__)
    db.session.rollback()  # the session may be left mid-transaction by the error
    return ValidationError(
        {"file": f"The {step} failed ({type(error).__name__}); nothing was written: upload the file again"}
    )


def _fail(job_id: int, error: ValidationError) -> None:
    with unit_of_work():
        job = db.session.get(ImportJob, job_id, populate_existing=True)
        job.status = ImportStatus.FAILED.value
        job.failure = error.errors.get("file", "The import failed")[:500]
        if isinstance(error, ImportRefused):
            job.error_count = len(error.report.errors)
            job.report = json.dumps(report_json(error.report))
        job.finished_at = clock.now()
        audit.record(
            "import.failed",
            "import_job",
            job_id,
            detail={"errors": job.error_count},
            actor=db.session.get(User, job.created_by_id),
        )


# --- the worker's scan ----------------------------------------------------------------------


def requeue_after_seconds() -> int:
    """Longer than a task may run, so a job still being worked on is not handed twice."""
    return int(current_app.config.get("CELERY_TASK_TIME_LIMIT", 360)) + 60


@transaction
def jobs_to_enqueue(at: datetime | None = None) -> list[int]:
    """The jobs waiting for a worker (never handed over, or handed over too long ago and
    still not done): marks them handed over in the same transaction. A job still being
    checked or imported that long after it was handed over was left by a process that
    died (a task is killed at CELERY_TASK_TIME_LIMIT; its import, one transaction, wrote
    nothing): it is put back to waiting, so that the next task can claim it (_claim)."""
    from datetime import timedelta

    moment_now = at or clock.now()
    waiting = [
        s.value
        for s in (
            ImportStatus.CHECK_QUEUED,
            ImportStatus.CHECKING,
            ImportStatus.IMPORT_QUEUED,
            ImportStatus.IMPORTING,
        )
    ]
    rows = db.session.scalars(
        select(ImportJob)
        .where(
            ImportJob.status.in_(waiting),
            or_(
                ImportJob.enqueued_at.is_(None),
                ImportJob.enqueued_at <= moment_now - timedelta(seconds=requeue_after_seconds()),
            ),
        )
        .order_by(ImportJob.id)
        .with_for_update(skip_locked=True)
    ).all()
    back_to_waiting = {
        ImportStatus.CHECKING.value: ImportStatus.CHECK_QUEUED.value,
        ImportStatus.IMPORTING.value: ImportStatus.IMPORT_QUEUED.value,
    }
    for row in rows:
        row.enqueued_at = moment_now
        row.status = back_to_waiting.get(row.status, row.status)
    return [row.id for row in rows]


FINISHED = (ImportStatus.CHECKED, ImportStatus.IMPORTED, ImportStatus.FAILED)


@transaction
def forget_old_uploads(at: datetime | None = None) -> list[int]:
    """Delete the jobs uploaded more than IMPORT_KEEP_HOURS ago that no worker is on: the
    file and the dry run name children, and the cases imported from them are the record
    now. One audit row names the jobs."""
    from datetime import timedelta

    hours = int(current_app.config.get("IMPORT_KEEP_HOURS", 72))
    before = (at or clock.now()) - timedelta(hours=hours)
    rows = db.session.scalars(
        select(ImportJob)
        .where(ImportJob.status.in_([s.value for s in FINISHED]), ImportJob.created_at < before)
        .with_for_update(skip_locked=True)
    ).all()
    ids = [row.id for row in rows]
    for row in rows:
        db.session.delete(row)
    if ids:
        audit.record(
            "import.uploads_deleted", "import_job", None, detail={"ids": ids, "older_than_hours": hours}
        )
    return ids


def work_on(job_id: int) -> str:
    """What the worker task does with a job: its dry run or its import, whichever it waits for."""
    job = db.session.get(ImportJob, job_id)
    if job is None:
        return "missing"
    if job.status in (ImportStatus.CHECK_QUEUED, ImportStatus.CHECKING):
        return check_job(job_id).status
    if job.status in (ImportStatus.IMPORT_QUEUED, ImportStatus.IMPORTING):
        return run_job(job_id).status
    return job.status
