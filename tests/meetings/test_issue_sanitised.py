"""THE SANITISED TEST (issue 12): every child's name, aliases, date of birth (in several
formats), address, school and NHS number on an agenda, and none of them anywhere in the
sanitised HTML page, the sanitised API answer or the text of the sanitised PDF. The full
copy shows them, so that the test is shown able to find them."""

import html
import io
import re
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from mettrack.accounts import tokens
from mettrack.accounts.models import User
from mettrack.core.choices import AgendaView, Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.meetings import issue, pdf
from mettrack.meetings.models import AgendaPdf, LeadUpdate, MeetingAction
from tests import factories
from tests.meetings import factories as meeting_factories
from tests.meetings.issue_support import on_agenda, open_case

CHILDREN = [
    {
        "first_name": "Zephyrine",
        "last_name": "Quillbottom",
        "aliases": "Zeffy Q\nRosalind Thorncastle",
        "date_of_birth": date(2011, 3, 3),
        "address": "17 Wrenfield Crescent, Oakhampton, ZZ9 9ZZ",
        "school": "Larkspur Meadow Academy",
        "nhs_number": "9434765919",
    },
    {
        "first_name": "Barnaby",
        "last_name": "Fenwhistle",
        "aliases": "Barney Fen",
        "date_of_birth": date(2009, 11, 21),
        "address": "Flat 4, Heronsgate Court, Millbridge, ZZ1 4QQ",
        "school": "Saint Ebba's College",
        "nhs_number": "4010232137",
    },
]


def _dob_forms(dob: date) -> list[str]:
    return [
        dob.isoformat(),
        f"{dob.day} {dob:%B %Y}",
        f"{dob:%d %B %Y}",
        f"{dob:%d/%m/%Y}",
        f"{dob.day}/{dob.month}/{dob.year}",
        f"{dob:%d.%m.%Y}",
    ]


def _secrets(child: dict) -> list[str]:
    found = [child["first_name"], child["last_name"], child["school"], child["nhs_number"]]
    found += child["aliases"].splitlines() + [w for w in child["aliases"].split() if len(w) > 2]
    found += [child["address"]] + [part.strip() for part in child["address"].split(",")]
    nhs = child["nhs_number"]
    found.append(f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}")
    return found + _dob_forms(child["date_of_birth"])


UPDATE_TEXT = "Spoke with the carer at Grimsditch Lodge about the weekend"
ACTION_TEXT = "Arrange a visit with Auntie Marigold Pennyworth"
SECRETS = [s for child in CHILDREN for s in _secrets(child)] + [UPDATE_TEXT, ACTION_TEXT]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


def _leaks(text: str) -> list[str]:
    # Compared without white space and case, so a line break in a PDF hides nothing.
    squashed = _squash(text)
    return [s for s in SECRETS if _squash(s) in squashed]


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def issued(app, app_ctx, auth):
    set_now(datetime(2026, 3, 2, 12, tzinfo=UTC))
    member_id = auth.as_role(Role.PARTNER, name="Pat Member")
    member = db.session.get(User, member_id)
    chair = factories.user(roles=[Role.MET_CHAIR], name="Chair Person")
    meeting = meeting_factories.meeting(chair=chair, members=[member])
    meeting.online_link = "https://meet.example.org/secret-room-42"
    cases = [open_case(**dict(child)) for child in CHILDREN]
    earlier = meeting_factories.meeting(chair=chair, starts_at=datetime(2026, 2, 10, 10, tzinfo=UTC))
    for position, case in enumerate(cases):
        on_agenda(meeting, case, position=position)
        # Free text about the child: the lead's update and an open action's description.
        db.session.add(
            LeadUpdate(meeting_id=meeting.id, case_id=case.id, author_id=chair.id, text=UPDATE_TEXT)
        )
        db.session.add(
            MeetingAction(
                meeting_id=earlier.id,
                case_id=case.id,
                description=ACTION_TEXT,
                owner_id=chair.id,
                due_on=date(2026, 3, 5),
                created_by_id=chair.id,
            )
        )
    db.session.commit()
    version = issue.issue_agenda(chair, meeting.id)
    _token, secret = tokens.create_token(member, name="test")
    yield {"meeting": meeting, "version": version, "secret": secret, "cases": cases}
    set_now(None)


def test_the_full_copy_shows_what_the_sanitised_copy_leaves_out(client, issued):
    """The control: the finder finds the details in the members' copy."""
    meeting = issued["meeting"]
    page = html.unescape(client.get(f"/meetings/{meeting.id}/agenda/versions/1").get_data(as_text=True))
    for child in CHILDREN:
        for shown in (
            child["first_name"],
            child["last_name"],
            child["address"],
            child["school"],
            child["nhs_number"],
        ):
            assert shown in page
        assert f"{child['date_of_birth'].day} {child['date_of_birth']:%B %Y}" in page
    assert UPDATE_TEXT in page and ACTION_TEXT in page


def test_no_child_detail_in_the_sanitised_page(client, issued):
    meeting = issued["meeting"]
    response = client.get(f"/meetings/{meeting.id}/agenda/versions/1/sanitised")
    assert response.status_code == 200
    page = html.unescape(response.get_data(as_text=True))
    assert _leaks(page) == []
    assert "ZQ" in page and "BF" in page  # initials in place of names
    assert "secret-room-42" not in page  # the meeting's online link is the members' only
    assert f"/cases/{issued['cases'][0].id}" not in page  # no link to the case


def test_no_child_detail_in_the_sanitised_api_answer(client, issued):
    meeting = issued["meeting"]
    headers = {"Authorization": f"Bearer {issued['secret']}"}
    response = client.get(f"/api/v1/meetings/{meeting.id}/agenda?view=sanitised", headers=headers)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert _leaks(body) == []
    cards = [i["card"] for s in response.get_json()["sections"] for i in s["items"]]
    assert [c["name"] for c in cards] == ["ZQ", "BF"]
    assert "secret-room-42" not in body
    assert all(c["date_of_birth"] is None and c["address"] is None for c in cards)
    listed = client.get(f"/api/v1/meetings/{meeting.id}/agenda?view=full", headers=headers)
    assert "Zephyrine" in listed.get_data(as_text=True)  # the control


def test_no_child_detail_in_the_sanitised_pdf(issued):
    version = issued["version"]
    rows = {
        p.view: p
        for p in db.session.scalars(select(AgendaPdf).where(AgendaPdf.agenda_version_id == version.id))
    }
    assert pdf.build_pdf(rows["sanitised"].id) == "ready"
    assert pdf.build_pdf(rows["full"].id) == "ready"
    db.session.expire_all()
    sanitised = _pdf_text(db.session.get(AgendaPdf, rows["sanitised"].id).content)
    full = _pdf_text(db.session.get(AgendaPdf, rows["full"].id).content)
    assert "ZQ" in sanitised and "Sanitised" in sanitised
    assert _leaks(sanitised) == []
    assert "OFFICIAL-SENSITIVE" not in sanitised
    # The control: the full PDF's text holds them.
    assert "OFFICIAL-SENSITIVE" in full
    assert {"Zephyrine", "Quillbottom", "Larkspur Meadow Academy", "9434765919"} <= set(
        s for s in SECRETS if _squash(s) in _squash(full)
    )


def test_the_sanitised_view_is_the_projections():
    """The sanitised copy is built by cards_for through the projection's sanitised view,
    not from the full copy (meetings/issue.py): the two copies' cards come from two calls."""
    import inspect

    source = inspect.getsource(issue.issue_agenda)
    assert "cards_for(case_ids, View.SANITISED)" in source
    assert AgendaView.SANITISED.value == "sanitised"
