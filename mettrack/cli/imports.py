"""flask import cases FILE [--dry-run] [--as EMAIL]: the exploitation list from the command
line (docs/imports.md), with the same checks and the same writing as the import page
(mettrack/imports/jobs.py), and a progress bar on the terminal.

Exit codes: 0 imported (or, with --dry-run, no error found); 1 errors found, each listed
with its row and column on standard error, and nothing written; 2 the command itself is
wrong (no such file, an unknown --as user).
"""

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from mettrack.cli import refuse
from mettrack.core import audit
from mettrack.core.errors import NotAllowed, ValidationError

import_cli = AppGroup("import", help="Import the partnership's existing records (docs/imports.md).")


def _usage_error(option: str, message: str) -> None:
    click.echo(f"Error: {option}: {message}", err=True)
    sys.exit(2)


@import_cli.command("cases")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every row and show what would be done; write nothing.")
@click.option(
    "--as",
    "email",
    metavar="EMAIL",
    help="The administrator or MET chair who imports: the audit log and the cases' history name them "
    "(without it, the operator running the command).",
)
def import_cases(file: Path, dry_run: bool, email: str | None) -> None:
    """Import the exploitation list in FILE (.csv or .xlsx)."""
    from mettrack.accounts import user_by_email
    from mettrack.imports import ImportRefused, import_file
    from mettrack.imports.files import kind_of

    kind = kind_of(file.name)
    if kind is None:
        _usage_error("FILE", "Give a CSV file (.csv) or an Excel workbook (.xlsx)")
    if not file.is_file():
        _usage_error("FILE", f"There is no file {file}")
    user = None
    if email:
        try:
            user = user_by_email(email)
        except ValidationError as e:
            _usage_error("--as", e.errors.get("email", "There is no user with this e-mail address"))
        if not user.active:
            _usage_error("--as", "This user's account is deactivated")
    content = file.read_bytes()
    from mettrack.imports import read_upload as read

    try:
        total = len(read(kind, content).rows)
    except ValidationError as e:
        refuse("Not imported; nothing was written.", e)
    bars: list = []

    def progress(label: str):
        def tell(done: int) -> None:
            if not bars or bars[-1][0] != label:
                if bars:
                    bars[-1][1].render_finish()
                bars.append((label, click.progressbar(length=max(total, 1), label=label, file=sys.stderr)))
            bar = bars[-1][1]
            bar.update(max(done - bar.pos, 0))

        return tell

    try:
        with audit.acting_as(user):
            report, case_ids = import_file(
                user,
                kind,
                content,
                dry_run=dry_run,
                check_progress=progress("Checking rows"),
                write_progress=None if dry_run else progress("Writing cases"),
            )
    except ImportRefused as refused:
        _finish(bars)
        click.echo(f"{len(refused.report.errors)} error(s); nothing was written:", err=True)
        for error in refused.report.errors:
            click.echo(f"  row {error.row}, {error.column}: {error.message}", err=True)
        sys.exit(1)
    except (NotAllowed, ValidationError) as e:
        _finish(bars)
        refuse("Not imported; nothing was written.", e)
    _finish(bars)
    if dry_run:
        click.echo(
            f"Dry run: {len(report.records)} cases would be created ({report.new_children} new children, "
            f"{report.matched_children} children already recorded). Nothing was written."
        )
        for record in report.records:
            would = (
                f"add a case to child {record.existing_child_id}" if record.existing_child_id else "create"
            )
            click.echo(f"  row {record.row}: {would}, {record.state.value}")
    else:
        click.echo(
            f"Imported {len(case_ids)} cases ({report.new_children} new children, "
            f"{report.matched_children} children already recorded)."
        )


def _finish(bars: list) -> None:
    if bars:
        bars[-1][1].render_finish()
