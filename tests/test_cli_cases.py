"""flask cases move / cases moves: the workflow table from the command line, with the same
guards, roles and audit rows as the pages and the API (mettrack/cli/cases.py)."""

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from mettrack.cases.models import Case, CaseEvent
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import CaseState, Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.screening.models import Screening
from tests import factories
from tests.wording_scenarios import FLAGGED, PHRASE, seed_lists

TYPE_MISSING = "Record at least one exploitation type (CSE, CCE) before referring"


@pytest.fixture(autouse=True)
def _lists_and_clock(app_ctx):
    seed_lists()
    set_now(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))


def _case(lead=None, *, state=CaseState.SCREENED, members=(), types=("cse",), screening="refer") -> Case:
    child = factories.child(date_of_birth=date(2011, 5, 1), address="1 Nowhere Lane, Demotown, ZZ99 1ZZ")
    case = factories.case(lead=lead, members=members, state=state, child_obj=child, exploitation_types=types)
    if screening:
        db.session.add(
            Screening(
                case_id=case.id,
                screened_on=date(2026, 3, 1),
                child_age=14,
                went_missing=screening == "refer",
                older_partner="unknown",
                controlling_relationship=False,
                frequenting_areas=False,
                outcome=screening,
                screened_by_id=(lead or factories.user()).id,
            )
        )
        db.session.commit()
    MADE[case.id] = _state(case.id)
    return case


# Each case's (state, version, events) as made: through its moves, so past version 1.
MADE: dict[int, tuple[str, int, int]] = {}


def _move(runner, case_id, action, email, *extra):
    args = ["cases", "move", "--case", str(case_id), "--action", action, "--as", email, *extra]
    return runner.invoke(args=args)


def _state(case_id) -> tuple[str, int, int]:
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    events = db.session.scalar(select(func.count()).where(CaseEvent.case_id == case_id))
    return case.state, case.version, events


def _audit(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq))
    )


def test_move_refers_a_case_prints_the_new_state_and_writes_the_event_and_audit_row(runner):
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    case = _case(lead)

    result = _move(runner, case.id, "refer", lead.email, "--field", "mash_reference=MASH/2026/7")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "referred\n"
    _, version, events = MADE[case.id]
    assert "moved from Screened to Referred" in result.stderr and f"version {version + 1}" in result.stderr
    assert _state(case.id) == ("referred", version + 1, events + 1)
    moved = db.session.get(Case, case.id)
    assert moved.mash_reference == "MASH/2026/7"
    assert (moved.events[-1].action, moved.events[-1].actor_id) == ("refer", lead.id)
    [row] = _audit("case.transition")
    assert (row.actor_user_id, row.record_id) == (lead.id, str(case.id))
    assert json.loads(row.detail) == {"action": "refer", "from": "screened", "to": "referred"}


def test_a_guard_refusal_names_the_field_on_stderr_exits_1_and_changes_nothing(runner):
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    case = _case(lead, types=())

    result = _move(runner, case.id, "refer", lead.email, "--field", "mash_reference=M1")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert f"exploitation_types: {TYPE_MISSING}" in result.stderr
    assert "Nothing was changed" in result.stderr
    assert _state(case.id) == MADE[case.id]
    assert _audit("case.transition") == []


def test_a_guard_refusal_without_a_field_reads_as_the_table_says_it(runner):
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    case = _case(lead)
    case.child.address = None
    db.session.commit()

    result = _move(runner, case.id, "refer", lead.email, "--field", "mash_reference=M1")

    assert result.exit_code == 1
    assert "  Record the child's address before referring" in result.stderr
    assert _state(case.id) == MADE[case.id]


def test_a_missing_field_is_named(runner):
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    case = _case(lead)

    result = _move(runner, case.id, "refer", lead.email)

    assert result.exit_code == 1
    assert "mash_reference:" in result.stderr
    assert _state(case.id) == MADE[case.id]


def test_a_role_the_table_does_not_name_is_refused_and_audited_as_that_user(runner):
    partner = factories.user(roles=[Role.PARTNER])
    case = _case(members=[partner])

    result = _move(runner, case.id, "refer", partner.email, "--field", "mash_reference=M1")

    assert result.exit_code == 1
    assert "your role does not allow this" in result.stderr
    assert "Refer to Children's Services" in result.stderr
    assert _state(case.id) == MADE[case.id]
    [row] = _audit("case.transition.denied")
    assert (row.actor_user_id, row.outcome) == (partner.id, "denied")


def test_a_case_outside_need_to_know_is_refused_as_not_found_and_audited_as_that_user(runner):
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    case = _case()  # not on its team

    result = _move(runner, case.id, "refer", lead.email, "--field", "mash_reference=M1")

    assert result.exit_code == 1
    assert f"there is no case {case.id} that {lead.email} may see" in result.stderr
    assert _state(case.id) == MADE[case.id]
    [row] = _audit("case.transition.denied")
    assert (row.actor_user_id, row.record_id) == (lead.id, str(case.id))


def test_a_stale_version_is_refused_and_nothing_changes(runner):
    chair = factories.user(roles=[Role.MET_CHAIR])
    case = _case(state=CaseState.MET_REVIEW, screening=None)
    _, read, events = MADE[case.id]
    case.risk_level = "high"  # someone else's change: a version further
    db.session.commit()

    result = _move(
        runner, case.id, "close", chair.email, "--version", str(read), "--field", "exit_reason=risk_reduced"
    )

    assert result.exit_code == 1
    assert f"no longer at version {read}" in result.stderr
    assert _state(case.id) == ("met_review", read + 1, events)


def test_close_with_an_exit_reason_code_and_a_given_version(runner):
    chair = factories.user(roles=[Role.MET_CHAIR])
    case = _case(state=CaseState.MET_REVIEW, screening=None)

    result = _move(
        runner,
        case.id,
        "close",
        chair.email,
        "--version",
        str(case.version),
        "--field",
        "exit_reason=moved_out_of_area",
        "--field",
        "note=Moved to live with an aunt.",
    )

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "closed\n"
    db.session.expire_all()
    closed = db.session.get(Case, case.id)
    assert (closed.closure_reason, closed.closure_note) == (
        "moved_out_of_area",
        "Moved to live with an aunt.",
    )


def test_flagged_wording_is_refused_until_saved_anyway_and_the_audit_row_names_the_phrase(runner):
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    case = _case(lead)
    args = ("--field", "mash_reference=M1", "--field", f"referral_outcome={FLAGGED}")

    refused = _move(runner, case.id, "refer", lead.email, *args)

    assert refused.exit_code == 1
    assert "referral_outcome: “putting herself at risk”: consider" in refused.stderr
    assert "--save-anyway" in refused.stderr
    assert _state(case.id) == MADE[case.id]

    saved = _move(runner, case.id, "refer", lead.email, *args, "--save-anyway")

    assert saved.exit_code == 0, saved.stderr
    [row] = _audit("case.transition")
    detail = json.loads(row.detail)
    assert detail["saved_anyway"] is True
    assert detail["language_flagged"] == {"referral_outcome": [PHRASE]}


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (("--field", "mash_reference"), "Write each field as name=value"),
        (("--field", "=M1"), "Write each field as name=value"),
        (
            ("--field", "colour=blue"),
            "refer takes mash_reference, referral_outcome, override_reason; not colour",
        ),
        (("--field", "mash_reference=A", "--field", "mash_reference=B"), "mash_reference is given twice"),
    ],
)
def test_a_badly_written_field_is_a_usage_error_and_changes_nothing(runner, extra, words):
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    case = _case(lead)

    result = _move(runner, case.id, "refer", lead.email, *extra)

    assert result.exit_code == 2
    assert words in result.stderr
    assert _state(case.id) == MADE[case.id]


def test_an_unknown_or_deactivated_user_is_a_usage_error(runner):
    case = _case()
    gone = factories.user(roles=[Role.MET_CHAIR], active=False)

    unknown = _move(runner, case.id, "close", "nobody@example.org", "--field", "exit_reason=risk_reduced")
    inactive = _move(runner, case.id, "close", gone.email, "--field", "exit_reason=risk_reduced")

    assert unknown.exit_code == 2 and "--as: There is no user" in unknown.stderr
    assert inactive.exit_code == 2 and "deactivated" in inactive.stderr
    assert _state(case.id) == MADE[case.id]


def test_an_unknown_action_is_refused_naming_it(runner):
    chair = factories.user(roles=[Role.MET_CHAIR])
    case = _case()

    result = _move(runner, case.id, "fast_track", chair.email)

    assert result.exit_code == 1
    assert "action: There is no action 'fast_track'" in result.stderr


def test_moves_lists_the_moves_possible_now_with_their_fields_and_audits_the_read(runner):
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    case = _case(lead)

    result = runner.invoke(args=["cases", "moves", "--case", str(case.id), "--as", lead.email])

    assert result.exit_code == 0, result.stderr
    assert (
        result.stdout
        == "refer\tRefer to Children's Services\tfields: mash_reference, referral_outcome, override_reason\n"
    )
    assert f"Case {case.id}: Screened, version {case.version}." in result.stderr
    assert "Not yet possible: close_no_further_action" in result.stderr
    [row] = _audit("case.transitions_listed")
    assert (row.actor_user_id, row.record_id) == (lead.id, str(case.id))


def test_moves_shows_the_codes_of_reference_list_fields(runner):
    chair = factories.user(roles=[Role.MET_CHAIR])
    case = _case(state=CaseState.MET_REVIEW, screening=None)

    result = runner.invoke(args=["cases", "moves", "--case", str(case.id), "--as", chair.email])

    assert result.exit_code == 0, result.stderr
    lines = dict(line.split("\t", 1) for line in result.stdout.splitlines())
    assert set(lines) == {"set_police_tier", "close"}
    assert "police_tier (high|medium)" in lines["set_police_tier"]
    assert "exit_reason (" in lines["close"] and "risk_reduced" in lines["close"]


def test_moves_says_what_is_missing_when_nothing_is_possible(runner):
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    case = _case(lead, types=())

    result = runner.invoke(args=["cases", "moves", "--case", str(case.id), "--as", lead.email])

    assert result.exit_code == 0
    assert result.stdout == ""
    assert "No move is possible now." in result.stderr
    assert f"Not yet possible: refer (Refer to Children's Services): {TYPE_MISSING}" in result.stderr


def test_moves_on_a_case_outside_need_to_know_is_refused_and_audited(runner):
    partner = factories.user(roles=[Role.PARTNER])
    case = _case()

    result = runner.invoke(args=["cases", "moves", "--case", str(case.id), "--as", partner.email])

    assert result.exit_code == 1
    assert f"There is no case {case.id}" in result.stderr
    [row] = _audit("case.transitions_listed.denied")
    assert row.actor_user_id == partner.id
