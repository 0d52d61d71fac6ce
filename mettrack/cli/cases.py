"""flask cases move / cases moves: the case lifecycle from the command line.

The same service as the pages and the API (mettrack/cases/transitions.py), acting as
the user named by --as: their roles and need-to-know apply, and the audit rows name
them. New commands, not yet part of the partner contract of cli.py: their output may
still change (README, "Command line").

Exit codes: 0 done; 1 refused (the role, need-to-know, a guard or a field, a stale
version, the language check), nothing changed, each reason on standard error; 2 the
command itself is wrong (an unknown --as user, a --field not written name=value).
"""

import sys

import click
from flask.cli import AppGroup

from mettrack.cases import workflow
from mettrack.cli import refuse
from mettrack.core import audit
from mettrack.core.choices import CaseState, ReferenceKind
from mettrack.core.errors import Conflict, NotAllowed, NotFound, ValidationError
from mettrack.core.limits import DATABASE_INT_MAX

cases_cli = AppGroup(
    "cases", help="Work on cases as a named user (new: not yet part of the partner contract)."
)

CASE_OPTION = click.option(
    "--case", "case_id", required=True, type=click.IntRange(1, DATABASE_INT_MAX), help="The case's id."
)
AS_OPTION = click.option(
    "--as",
    "email",
    required=True,
    metavar="EMAIL",
    help="The user who acts: their roles and need-to-know apply, and the audit log names them.",
)


def _usage_error(option: str, message: str) -> None:
    click.echo(f"Error: {option}: {message}", err=True)
    sys.exit(2)


def _acting_user(email: str):
    from mettrack.accounts import user_by_email

    try:
        user = user_by_email(email)
    except ValidationError as e:
        _usage_error("--as", e.errors.get("email", "There is no user with this e-mail address"))
    if not user.active:
        _usage_error("--as", "This user's account is deactivated")
    return user


def _parse_fields(pairs: tuple[str, ...], action: str) -> dict[str, str]:
    from mettrack.cases import ACTION_FIELDS

    move = workflow.move_for(action)
    known = ACTION_FIELDS.get(move.action, ()) if move else None
    data: dict[str, str] = {}
    for pair in pairs:
        name, equals, value = pair.partition("=")
        name = name.strip()
        if not equals or not name:
            _usage_error("--field", f"Write each field as name=value, not {pair!r}")
        if name in data:
            _usage_error("--field", f"{name} is given twice")
        if known is not None and name not in known:
            takes = ", ".join(known) if known else "no fields"
            _usage_error("--field", f"{action} takes {takes}; not {name}")
        data[name] = value
    return data


@cases_cli.command("move")
@CASE_OPTION
@click.option("--action", required=True, help="The move, e.g. refer, send_to_met_review, close.")
@AS_OPTION
@click.option(
    "--version",
    "expected_version",
    type=click.IntRange(1, DATABASE_INT_MAX),
    help="The case version you read; a newer case refuses the move. Default: the case as it is now.",
)
@click.option(
    "--field",
    "pairs",
    multiple=True,
    metavar="NAME=VALUE",
    help="One of the move's fields (cases moves lists them); repeat for each.",
)
@click.option(
    "--save-anyway",
    is_flag=True,
    help="Save free text that the language check flags, as written (the audit log records what was flagged).",
)
def cases_move(case_id, action, email, expected_version, pairs, save_anyway):
    """Move a case, with the same guards, roles and audit rows as the pages and the API.

    Prints the new state alone on standard output; refusals go to standard error and
    exit 1, with nothing changed."""
    from mettrack.cases import apply as transitions_apply
    from mettrack.cases import check_role, current_version
    from mettrack.language import WordingFlagged

    user = _acting_user(email)
    data = _parse_fields(pairs, action)
    with audit.acting_as(user):
        try:
            check_role(user, case_id, action)
            version = expected_version or current_version(user, case_id, action)
            case = transitions_apply(user, case_id, action, data, version, save_anyway=save_anyway)
        except NotAllowed as e:
            refuse("Not moved: your role does not allow this. Nothing was changed.", e)
        except NotFound:
            refuse(f"Not moved: there is no case {case_id} that {user.email} may see.")
        except Conflict:
            refuse(
                f"Not moved: case {case_id} is no longer at version {version}. Nothing was changed.",
                advice=["Check the case (flask cases moves) and run again with its current version."],
            )
        except WordingFlagged as e:
            refuse(
                "Not moved: the language check flagged wording that can blame the child.",
                e,
                ["Reword it, or run again with --save-anyway to save it as written."],
            )
        except ValidationError as e:
            refuse("Not moved. Nothing was changed:", e)
    from_state = case.events[-1].from_state
    to_state = CaseState(case.state)
    click.echo(to_state.value)
    click.echo(
        f"Case {case.id} moved from {CaseState(from_state).label} to {to_state.label}; "
        f"it is now at version {case.version}.",
        err=True,
    )


# The fields whose value is a code from a reference list: `moves` shows the codes.
REFERENCE_FIELDS = {
    "police_tier": ReferenceKind.POLICE_TIER,
    "police_team": ReferenceKind.POLICE_TEAM,
    "exit_reason": ReferenceKind.EXIT_REASON,
}


def _field_help(name: str) -> str:
    from mettrack.reference import list_active

    if name == "service":
        from mettrack.specialist_services import service_options

        return f"{name} ({'|'.join(code for code, _name in service_options())})"
    kind = REFERENCE_FIELDS.get(name)
    if kind is None:
        return name
    return f"{name} ({'|'.join(item.code for item in list_active(kind))})"


@cases_cli.command("moves")
@CASE_OPTION
@AS_OPTION
def cases_moves(case_id, email):
    """List the moves the user may make now, one a line: the action, its name, its fields.

    Moves the user's roles allow but whose guard does not pass yet go to standard error
    with what is missing. The listing is audited as case.transitions_listed."""
    from mettrack.cases import ACTION_FIELDS, get_for
    from mettrack.cases import transitions_offered_moves as offered_moves

    user = _acting_user(email)
    with audit.acting_as(user):
        try:
            case = get_for(user, case_id, action="case.transitions_listed")
        except NotFound:
            refuse(f"There is no case {case_id} that {user.email} may see.")
        offered = offered_moves(case, user)
    click.echo(f"Case {case.id}: {CaseState(case.state).label}, version {case.version}.", err=True)
    possible = [o for o in offered if o.possible]
    for o in possible:
        fields = ", ".join(_field_help(name) for name in ACTION_FIELDS.get(o.action, ())) or "none"
        click.echo(f"{o.action.value}\t{o.action.label}\tfields: {fields}")
    if not possible:
        click.echo("No move is possible now.", err=True)
    for o in offered:
        if not o.possible:
            click.echo(
                f"Not yet possible: {o.action.value} ({o.action.label}): {'; '.join(o.reasons)}", err=True
            )
