"""flask reminders scan: the beat's reminder scan, run once by hand (docs/reminders.md).

Useful after an outage, or to see at once what the next scan would send. It makes the
reminders that have fallen due and hands the ready ones to the worker through the broker,
exactly as the scheduled scan does; it sends no e-mail itself. New command, not yet part
of the partner contract of cli.py.
"""

import click
from flask.cli import AppGroup

reminders_cli = AppGroup("reminders", help="Reminders (new: not yet part of the partner contract).")


@reminders_cli.command("scan")
@click.option(
    "--no-enqueue", is_flag=True, help="Only make the due reminders; leave sending to the next scan."
)
def scan(no_enqueue: bool) -> None:
    """Make the reminders that have fallen due and hand them to the worker."""
    from mettrack.reminders import make_due, to_enqueue
    from workers.tasks.reminders import send_reminder

    made = make_due()
    ids = [] if no_enqueue else to_enqueue()
    for reminder_id in ids:
        send_reminder.delay(reminder_id)
    click.echo(f"{made} new reminder(s); {len(ids)} handed to the worker.")
