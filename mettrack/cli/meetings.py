"""flask meetings agenda: a meeting's draft agenda from the command line, for scripting and
for support. New: not yet part of the partner contract of cli.py (its output may change;
README, "Command line").

Prints one line per item on standard output, tab-separated: the section, the case id and
the reasons ("; " between them), in agenda order, then the items taken off the agenda
(section "removed"). No child's name is printed. A heading on standard error says which
meeting and whether the draft was built now without saving (the default) or read as last
saved (--saved). Exit codes: 0 printed; 1 no such meeting (or an id that is not one).
"""

import click
from flask.cli import AppGroup

from mettrack.cli import refuse
from mettrack.core.errors import NotFound

meetings_cli = AppGroup("meetings", help="MET meetings (new: not yet part of the partner contract).")


@meetings_cli.command("agenda")
@click.option("--meeting", "meeting_id", required=True, metavar="ID", help="The meeting's id.")
@click.option(
    "--saved",
    is_flag=True,
    help="Print the draft as last saved by the chair, instead of building it now (without saving).",
)
def meetings_agenda(meeting_id, saved):
    """Print a meeting's DRAFT agenda (not yet contract: the output may change): each
    item's section, case id and reasons.

    By default the draft is built from the data as of now, with the chair's changes kept,
    and not saved; --saved reads the draft as the chair last built it."""
    from mettrack.core.clock import local
    from mettrack.meetings import preview_agenda

    text = str(meeting_id).strip()
    if not text.isdigit() or not 1 <= int(text) <= 2_147_483_647:
        refuse(f"There is no meeting {meeting_id!r}: give the meeting's id, a whole number.")
    try:
        draft = preview_agenda(int(text), saved=saved)
    except NotFound:
        refuse(f"There is no meeting {text}.")
    meeting = draft.meeting
    how = "as last saved" if saved else "built now from the data, not saved"
    count = len(draft.items)
    click.echo(
        f"Draft agenda of meeting {meeting.id} ({meeting.title}, "
        f"{local(meeting.starts_at).strftime('%-d %B %Y %H:%M')}), {how}: "
        f"{count} item{'s' if count != 1 else ''}, {len(draft.removed)} taken off.",
        err=True,
    )
    for item in draft.items:
        click.echo(f"{item.section}\t{item.case_id}\t{'; '.join(r['text'] for r in item.reasons)}")
    for item in draft.removed:
        click.echo(f"removed\t{item.case_id}\t{'; '.join(r['text'] for r in item.reasons)}")
