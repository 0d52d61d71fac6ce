"""The audit log search page: chairs by user, record and date; admins by user and date."""

import json
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from mettrack.core import audit
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from tests import factories

RECORD_RE = re.compile(r"Case #(\d+)")


@pytest.fixture
def lead(app_ctx):
    return factories.user(roles=[Role.LEAD_PROFESSIONAL], name="Lee Lead")


@pytest.fixture
def partner(app_ctx):
    return factories.user(roles=[Role.PARTNER], name="Pip Partner")


def _row(action, record_id, actor, at=None):
    if at is not None:
        set_now(at)
    audit.record(action, "case", record_id, actor=actor)
    db.session.commit()
    set_now(None)


def _records_shown(response) -> list[str]:
    return RECORD_RE.findall(response.get_data(as_text=True))


def _searches():
    rows = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "audit.searched").order_by(AuditEvent.seq)
    )
    return [json.loads(row.detail) for row in rows]


def test_chair_finds_the_rows_of_one_record(client, auth, lead, partner):
    _row("case.viewed", 4101, lead)
    _row("case.viewed", 4202, partner)
    _row("case.updated", 4101, partner)
    auth.as_role(Role.MET_CHAIR)

    response = client.get("/audit/?record_type=case&record_id=4101")
    assert response.status_code == 200
    assert _records_shown(response) == ["4101", "4101"]  # newest first: updated, then viewed
    page = response.get_data(as_text=True)
    assert page.index("case.updated") < page.index("case.viewed")
    assert f"Pip Partner (#{partner.id})" in page and f"Lee Lead (#{lead.id})" in page
    assert 'name="record_type"' in page


def test_chair_finds_every_row_of_a_record_type(client, auth, lead):
    _row("case.viewed", 4101, lead)
    audit.record("user.updated", "user", 77, actor=lead)
    db.session.commit()
    auth.as_role(Role.MET_CHAIR)
    response = client.get("/audit/?record_type=case")
    assert _records_shown(response) == ["4101"]
    assert "user #77" not in response.get_data(as_text=True)


def test_each_search_is_audited_with_its_filters(client, auth, lead):
    chair_id = auth.as_role(Role.MET_CHAIR)
    client.get(f"/audit/?record_type=case&record_id=4101&actor={lead.id}&date_from=1/7/2026")
    searches = _searches()
    assert searches[-1]["filters"] == {
        "actor_id": lead.id,
        "record_type": "case",
        "record_id": "4101",
        "date_from": "2026-07-01",
    }
    row = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "audit.searched")).one()
    assert row.actor_user_id == chair_id


def test_admin_is_not_offered_the_record_filter(client, auth):
    auth.as_role(Role.ADMIN)
    page = client.get("/audit/").get_data(as_text=True)
    assert 'name="record_type"' not in page and 'name="record_id"' not in page
    assert 'name="actor"' in page and 'name="date_from"' in page


@pytest.mark.parametrize("query", ["record_type=case&record_id=4101", "record_id=4101", "record_type=case"])
def test_admin_record_filter_is_refused_and_audited(client, auth, lead, query):
    _row("case.viewed", 4101, lead)
    admin_id = auth.as_role(Role.ADMIN)
    response = client.get(f"/audit/?{query}")
    assert response.status_code == 403
    assert "4101" not in response.get_data(as_text=True).replace(query, "")
    denial = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "permission.denied").order_by(AuditEvent.seq.desc())
    ).first()
    assert denial.actor_user_id == admin_id and denial.outcome == "denied"
    assert json.loads(denial.detail)["permission"] == "audit.search_records"
    assert _searches() == []


def test_admin_searches_by_user_and_date(client, auth, lead, partner):
    _row("case.viewed", 4101, lead, at=datetime(2026, 6, 30, 12, 0, tzinfo=UTC))
    # 23:30 UTC on 1 July is 00:30 on 2 July in London (BST): a 2 July row.
    _row("case.viewed", 4202, lead, at=datetime(2026, 7, 1, 23, 30, tzinfo=UTC))
    _row("case.viewed", 4303, partner, at=datetime(2026, 7, 2, 9, 0, tzinfo=UTC))
    _row("case.viewed", 4404, lead, at=datetime(2026, 7, 3, 9, 0, tzinfo=UTC))
    auth.as_role(Role.ADMIN)

    by_user = client.get(f"/audit/?actor={lead.id}")
    assert _records_shown(by_user) == ["4404", "4202", "4101"]
    by_user_and_day = client.get(f"/audit/?actor={lead.id}&date_from=2/7/2026&date_to=2/7/2026")
    assert by_user_and_day.status_code == 200
    assert _records_shown(by_user_and_day) == ["4202"]
    assert "2 Jul 2026 00:30:00" in by_user_and_day.get_data(as_text=True)
    from_day = client.get("/audit/?date_from=2026-07-02")
    assert _records_shown(from_day) == ["4404", "4303", "4202"]
    until_day = client.get("/audit/?date_to=1/7/2026")
    assert _records_shown(until_day) == ["4101"]


def test_rows_show_outcome_and_ip_address(client, auth):
    auth.as_role(Role.MET_CHAIR)
    page = client.get("/audit/").get_data(as_text=True)
    assert "auth.signed_in" in page
    assert "127.0.0.1" in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("date_from=31/2/2026", "The ‘from’ date must be a real date"),
        ("date_to=yesterday", "The ‘to’ date must be a real date"),
        ("date_from=3/7/2026&date_to=1/7/2026", "The ‘to’ date must be the same as or after the ‘from’ date"),
        ("actor=someone", "Enter a user number"),
        ("record_id=4101", "Enter the type of record"),
        ("record_type=Case;DROP", "Record type must be lower-case letters"),
    ],
)
def test_bad_filters_are_field_errors_and_search_nothing(client, auth, app_ctx, query, message):
    auth.as_role(Role.MET_CHAIR)
    response = client.get(f"/audit/?{query}")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert "govuk-error-summary" in page
    assert _searches() == []


def test_results_are_paginated_keeping_the_filters(client, auth, lead, app):
    per_page = app.config["PAGE_SIZE"]
    for n in range(per_page + 2):
        _row("case.viewed", 5000 + n, lead)
    auth.as_role(Role.MET_CHAIR)
    first = client.get(f"/audit/?actor={lead.id}")
    shown = _records_shown(first)
    assert len(shown) == per_page and shown[0] == str(5000 + per_page + 1)
    assert f"actor={lead.id}" in first.get_data(as_text=True) and "page=2" in first.get_data(as_text=True)
    second = client.get(f"/audit/?actor={lead.id}&page=2")
    assert _records_shown(second) == ["5001", "5000"]


def test_out_of_range_numbers_are_a_field_error_or_the_first_page(client, auth, app_ctx):
    auth.as_role(Role.MET_CHAIR)
    huge = "9" * 20
    assert client.get(f"/audit/?page={huge}").status_code == 200
    response = client.get(f"/audit/?actor={huge}")
    assert response.status_code == 400
    assert "Enter a user number" in response.get_data(as_text=True)


@pytest.mark.parametrize("actor", ["²", "12345678901234567890"])
def test_an_actor_in_other_digits_is_named_as_wrong_not_a_server_error(client, auth, actor):
    auth.as_role(Role.MET_CHAIR)
    response = client.get("/audit/", query_string={"actor": actor})
    assert response.status_code == 400
    assert "actor" in response.get_data(as_text=True)
