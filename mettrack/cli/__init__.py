"""flask commands: users, tokens, demo, audit. Run as `flask --app wsgi ...`.

The command names, options and outputs are a contract partner agencies script against
(DESIGN.md, "Interfaces others rely on"): change them only with a deprecation.
"""

import sys
from collections.abc import Iterable
from typing import NoReturn

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from mettrack.core.errors import AppError, NotAllowed, ValidationError

users_cli = AppGroup("users", help="Manage user accounts.")
audit_cli = AppGroup("audit", help="Check the audit log.")
demo_cli = AppGroup("demo", help="Made-up demonstration data.")
tokens_cli = AppGroup("tokens", help="Manage personal API tokens.")


def _fail(error: ValidationError) -> None:
    for field, message in error.errors.items():
        click.echo(f"Error: --{field}: {message}", err=True)
    sys.exit(2)


def error_lines(error: AppError | None) -> list[str]:
    """What a refusal says, a line each, in the words the pages and the API use."""
    from mettrack.language import WordingFlagged

    if isinstance(error, NotAllowed):
        return list(error.reasons)
    if isinstance(error, WordingFlagged):
        return [
            f"{field}: “{finding.text}”: consider “{finding.suggestion}”"
            for field, findings in error.findings.items()
            for finding in findings
        ]
    if isinstance(error, ValidationError):
        # Refusals of a rule as a whole (refusal, refusal_2 ...) read as they are; those
        # about one field name it, as the API's `errors` do.
        return [
            message if field.startswith("refusal") else f"{field}: {message}"
            for field, message in error.errors.items()
        ]
    return []


def refuse(heading: str, error: AppError | None = None, advice: Iterable[str] = ()) -> NoReturn:
    """A refused command: the heading, then what the error says and what to do, each on
    its own line on standard error; exit 1 (nothing was changed)."""
    click.echo(heading, err=True)
    for line in (*error_lines(error), *advice):
        click.echo(f"  {line}", err=True)
    sys.exit(1)


@users_cli.command("create")
@click.option("--email", required=True, help="The user's e-mail address (their sign-in name).")
@click.option("--name", required=True, help="The user's full name.")
@click.option("--role", "roles", multiple=True, required=True, help="A role; repeat for several.")
@click.option("--agency", required=True, help="The user's agency (created if new).")
@click.option(
    "--new-agency",
    is_flag=True,
    help="Confirm that the agency is new when its name is close to an existing one's.",
)
def users_create(email, name, roles, agency, new_agency):
    """Create a user. The password is read from the terminal, twice."""
    from mettrack.accounts import UserInput, create_user

    password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(
            UserInput(
                email=email, name=name, roles=list(roles), agency=agency, confirm_new_agency=new_agency
            ),
            password,
            actor="cli",
            must_change=False,
        )
    except ValidationError as e:
        _fail(e)
    click.echo(f"Created user {user.id} <{user.email}> with roles {', '.join(sorted(user.roles))}.")


@tokens_cli.command("create")
@click.option("--email", required=True, help="The e-mail address of the user the token acts as.")
@click.option("--name", default="Command line", show_default=True, help="A label for the token.")
def tokens_create(email, name):
    """Issue a personal API token. The token alone goes to standard output, so that
    `TOKEN=$(flask --app wsgi tokens create --email E)` captures it; it is shown once."""
    from mettrack.accounts import create_token, user_by_email

    try:
        user = user_by_email(email)
        token, secret = create_token(user, name, actor="cli")
    except ValidationError as e:
        _fail(e)
    click.echo(secret)
    click.echo(
        f"Created API token {token.id} ({token.prefix}...) for user {user.id}. "
        "It is shown once: store it safely.",
        err=True,
    )


@audit_cli.command("verify")
@click.option(
    "--checkpoint-file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Compare with the latest line of this file (e.g. fetched from syslog) "
    "instead of AUDIT_CHECKPOINT_PATH.",
)
@click.option(
    "--require-checkpoint",
    is_flag=True,
    help="Exit 1 when there is no checkpoint to compare with (recommended from cron).",
)
def audit_verify(checkpoint_file, require_checkpoint):
    """Exit 0 when every audit chain is intact and agrees with the latest checkpoint; 1 and
    the first broken row (its chain named) otherwise."""
    from mettrack.core.audit import verify_chain

    result = verify_chain(checkpoint_path=checkpoint_file)
    if result.missing_key_id:  # a setting is missing: not a sign of tampering by itself
        click.echo(f"Audit chain cannot be checked from {result.place}: {result.reason}.")
        sys.exit(1)
    if result.untrusted_checkpoint:
        click.echo(f"Audit checkpoint cannot be trusted: {result.reason}.")
        sys.exit(1)
    if not result.intact:
        click.echo(f"Audit chain broken at {result.place}: {result.reason}.")
        sys.exit(1)
    chains = ", ".join(f"chain {chain}: {rows}" for chain, rows in sorted(result.chain_rows.items()))
    click.echo(f"Audit chain intact: {result.rows} rows" + (f" ({chains})." if chains else "."))
    if result.checkpoint:
        click.echo(
            f"It agrees with the latest checkpoint ({result.checkpoint.rows} rows, "
            f"taken at {result.checkpoint.written_at})."
        )
        return
    click.echo(
        "No checkpoint to compare with: rows deleted from the end of a chain would not be seen "
        "(run `flask audit checkpoint`, and the worker's beat).",
        err=True,
    )
    if require_checkpoint:
        sys.exit(1)


@audit_cli.command("checkpoint")
def audit_checkpoint():
    """Write a signed checkpoint of the audit chains (each one's last position and hash) now, to
    AUDIT_CHECKPOINT_PATH and/or AUDIT_CHECKPOINT_SYSLOG, as the beat task does."""
    from mettrack.core.audit import write_checkpoint

    try:
        checkpoint, targets = write_checkpoint()
    except OSError as e:
        click.echo(f"Error: could not write the audit checkpoint: {e}", err=True)
        sys.exit(1)
    click.echo(f"Audit checkpoint written ({checkpoint.rows} rows) to {', '.join(targets)}.")


@audit_cli.command("rotate-key")
@click.option(
    "--old-key",
    default=None,
    help="The key AUDIT_HMAC_KEY had until now. Default: the last key in AUDIT_HMAC_KEYS_OLD "
    "(which keeps it out of the shell's history).",
)
def audit_rotate_key(old_key):
    """Replace the audit chain's key with AUDIT_HMAC_KEY (the new key).

    Stop the app, the workers and the beat first; set AUDIT_HMAC_KEY to the new key and add
    the old one to AUDIT_HMAC_KEYS_OLD (after any older ones). The chains are verified with
    the old key, a row audit.key_rotated in each (naming the keys by id, never the keys)
    marks where the new key starts, and a checkpoint signed with the new key is written. Keep the old key in
    AUDIT_HMAC_KEYS_OLD: `audit verify` checks the older rows with it."""
    from mettrack.core import audit

    earlier = audit.old_hmac_keys()
    if old_key:
        old = old_key.encode()
    elif earlier:
        old = earlier[-1]
    else:
        refuse(
            "Nothing was changed.",
            advice=["Give the key being replaced in AUDIT_HMAC_KEYS_OLD (last) or with --old-key."],
        )
    try:
        rotation = audit.rotate_key(old, [k for k in earlier if k != old])
    except audit.RotationRefused as e:
        refuse("Nothing was changed.", advice=[f"{e}."])
    except OSError as e:
        click.echo(
            f"The key was rotated, but the checkpoint could not be written ({e}): run "
            "`flask audit checkpoint` once the target is writable.",
            err=True,
        )
        sys.exit(1)
    if len(rotation.seqs) == 1:
        where = f"row {rotation.seqs[0]}: the rows after it are"
    else:
        seqs = ", ".join(map(str, rotation.seqs))
        where = f"rows {seqs} (one in each chain): the rows after each in its chain are"
    click.echo(
        f"Audit key rotated at {where} hashed with the new key (key id {rotation.key_id}; the old "
        f"key's id is {rotation.previous_key_id})."
    )
    click.echo(f"Checkpoint written to {', '.join(rotation.checkpoint_targets)}.")
    click.echo("Keep the old key in AUDIT_HMAC_KEYS_OLD; start the app and the workers with the new key.")


@demo_cli.command("load")
def demo_load():
    """Load made-up agencies, users, children and cases, and print the demo logins."""
    from mettrack.demo.load import DEMO_PASSWORD, load_demo

    logins = load_demo()
    click.echo(f"Demo data loaded. Demo logins (password for each: {DEMO_PASSWORD}):")
    for role, email in logins:
        click.echo(f"  {role:<18} {email}")


@demo_cli.command("generate")
@click.option(
    "--children", type=click.IntRange(min=1), required=True, help="How many made-up children (one case each)."
)
@click.option("--seed", type=int, default=2026, show_default=True, help="The same seed makes the same data.")
@click.option(
    "--years", type=click.IntRange(min=1, max=20), default=5, show_default=True, help="Years of history."
)
@click.option(
    "--open-share",
    type=click.FloatRange(min=0, max=1),
    default=0.16,
    show_default=True,
    help="The share of cases still open.",
)
@click.option("--append", is_flag=True, help="Add to a database that already has cases.")
def demo_generate(children, seed, years, open_share, append):
    """Bulk-make made-up children, cases and their history for load tests (docs/performance.md).

    Every case moves by the workflow's rules, with its events, team, notes, missing
    episodes and audit rows (chained, so `flask audit verify` passes); MET meetings a
    fortnight in each area (agendas, minutes, actions) and intelligence items (one per
    five cases) linked to hotspots and persons of concern. PostgreSQL: COPY
    (100,000 children in a few minutes); SQLite works, slower. Refused when the database
    already has cases, unless --append."""
    from mettrack.demo.generate import DEMO_PASSWORD, GenerateRefused, check_empty, generate

    if current_app.config.get("IS_PRODUCTION"):
        refuse(
            "Nothing was generated: made-up children and demo logins never go into a production "
            "database (METTRACK_ENV=production).",
            advice=["Generate into a database of its own, with METTRACK_ENV=development."],
        )
    try:
        check_empty(append)
        with click.progressbar(length=children, label=f"Generating {children} children") as bar:
            result = generate(
                children, seed=seed, years=years, open_share=open_share, append=append, progress=bar.update
            )
    except GenerateRefused as e:
        refuse("Nothing was generated.", advice=[f"{e}."])
    rows = sum(result.rows.values())
    click.echo(
        f"Generated {result.children} children and their cases, {result.users} new users, "
        f"{rows} rows ({result.audit_rows} audit rows) in {result.seconds:.0f} s."
    )
    if result.checkpoint:
        click.echo(f"Audit checkpoint written ({result.checkpoint}).")
    click.echo(f"Logins (password for each: {DEMO_PASSWORD}):")
    for role, email in result.logins:
        click.echo(f"  {role:<18} {email}")


def register(app: Flask) -> None:
    from mettrack.cli.cases import cases_cli
    from mettrack.cli.imports import import_cli
    from mettrack.cli.meetings import meetings_cli
    from mettrack.cli.reminders import reminders_cli
    from mettrack.cli.security import security_cli

    app.cli.add_command(cases_cli)
    app.cli.add_command(import_cli)
    app.cli.add_command(meetings_cli)
    app.cli.add_command(reminders_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(tokens_cli)
    app.cli.add_command(security_cli)
