"""The language list page names every field the language check reads, from the one list
in code (language/rules.py CHECKED_FIELDS), and each use case that checks wording is
in that list."""

import html
import re
from pathlib import Path

import pytest

import mettrack
from mettrack.core.choices import Role
from mettrack.core.extensions import db
from mettrack.language import phrases as language_phrases
from mettrack.language.rules import CHECKED_FIELDS

ROOT = Path(mettrack.__file__).parent

# Each module whose use cases call the check, and the entry of CHECKED_FIELDS naming its
# fields. A new caller fails here until its fields are added to CHECKED_FIELDS.
CALLERS = {
    "cases/transitions.py": "Case moves",
    "cases/referral.py": "Referrals to Children's Services",
    "screening/screenings.py": "CSERQ4 screenings",
    "risk/assessments.py": "Risk assessments",
    "missing/episodes.py": "Return Home Interviews",
    "notes/case_notes.py": "Case notes",
    "meetings/contributions.py": "Updates for a MET meeting",
    "meetings/actions.py": "Meeting actions",
    "meetings/minutes.py": "MET meeting minutes",
    "intelligence/review.py": "Intelligence",
    "intelligence/sharing.py": "Intelligence",
    "intelligence/disruptions.py": "Intelligence",
    "intelligence/peers.py": "Intelligence",
    "intelligence/persons.py": "Intelligence",
    "intelligence/case_links.py": "Intelligence",
    "intelligence/locations.py": "Intelligence",
    "specialist_services/requests.py": "Specialist services",
    "specialist_services/assignments.py": "Specialist services",
    "specialist_services/tiers.py": "Police tiers",
}


def test_every_use_case_that_checks_wording_is_in_the_one_list():
    callers = {
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*.py")
        if "check_before_saving(" in path.read_text() and path.parts[-2] != "language"
    }
    assert callers == set(CALLERS)
    assert set(CALLERS.values()) <= {record for record, _fields in CHECKED_FIELDS}


@pytest.fixture
def admin(auth, app_ctx):
    language_phrases.seed_defaults()
    db.session.commit()
    return auth.as_role(Role.ADMIN)


def test_the_language_list_page_names_every_checked_field(client, admin):
    response = client.get("/admin/phrases")

    assert response.status_code == 200
    page = html.unescape(response.get_data(as_text=True))
    assert "Case notes are checked" not in page and "notes are checked for" not in page.lower()
    listed = page[page.index('id="checked-fields"') :]
    for record, fields in CHECKED_FIELDS:
        assert f">{record}</dt>" in listed
        for field in fields:
            assert f"<li>{field}</li>" in listed
    assert len(re.findall(r"<li>", listed)) >= sum(len(fields) for _r, fields in CHECKED_FIELDS)
    assert "Phrases the language check looks for" in page
