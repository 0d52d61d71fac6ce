import csv
import io
from datetime import UTC, datetime

import pytest

from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.imports.rules import COLUMNS, OPTIONAL_COLUMNS
from mettrack.reference import seed_defaults

HEADER = [heading for _key, heading in COLUMNS + OPTIONAL_COLUMNS]


def row(**values) -> list[str]:
    """A good row (a referred CSE case), with `values` (by column key) changed."""
    good = {
        "child_name": "Ada Example",
        "date_of_birth": "14/03/2008",
        "gender": "Female",
        "ethnicity": "White British",
        "address": "1 Nowhere Lane, Demotown, ZZ99 1ZZ",
        "exploitation_type": "CSE",
        "risk_level": "high",
        "police_tier": "",
        "lead_email": "",
        "date_added": "01/07/2022",
        "state": "met_review",
        "date_closed": "",
        "police_team": "",
        "exit_reason": "",
    } | values
    return [good[key] for key, _heading in COLUMNS + OPTIONAL_COLUMNS]


def csv_bytes(rows, header=HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


@pytest.fixture
def lists(app_ctx):
    seed_defaults()
    db.session.commit()
    set_now(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    yield
    set_now(None)
