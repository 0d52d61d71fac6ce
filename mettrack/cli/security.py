"""flask security ...: keys and other security housekeeping (docs/security.md)."""

import os

import click
from flask import current_app
from flask.cli import AppGroup

security_cli = AppGroup("security", help="Security housekeeping: keys.")


@security_cli.command("rotate-2fa-key")
@click.option(
    "--old-key",
    "old_keys",
    multiple=True,
    help="A key the secrets may be encrypted with now (repeat for several). "
    "Default: the environment variable TWO_FACTOR_OLD_KEY.",
)
def rotate_2fa_key(old_keys: tuple[str, ...]):
    """Re-encrypt every two-factor secret with TWO_FACTOR_KEY (the new key).

    Set TWO_FACTOR_KEY to the new key and give the old one with --old-key (or in
    TWO_FACTOR_OLD_KEY), then restart the app with the new key. Safe to run twice: a secret
    already under the new key is simply re-encrypted with it."""
    from mettrack.accounts import rotate_two_factor_key
    from mettrack.cli import refuse

    keys = list(old_keys) or [k for k in [os.environ.get("TWO_FACTOR_OLD_KEY")] if k]
    new_key = current_app.config.get("TWO_FACTOR_KEY")
    if not new_key:
        refuse("Nothing was changed.", advice=["Set TWO_FACTOR_KEY to the new key first."])
    if not keys:
        refuse("Nothing was changed.", advice=["Give the old key with --old-key or TWO_FACTOR_OLD_KEY."])
    try:
        count = rotate_two_factor_key(keys, new_key)
    except RuntimeError as e:
        refuse("Nothing was changed.", advice=[str(e)])
    click.echo(f"Re-encrypted {count} two-factor secret(s) with the new key.")
