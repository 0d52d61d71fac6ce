"""What the performance fixes of issue 18 keep true: the risk rank follows the risk level,
the app's PostgreSQL connections run without JIT, the header counts unread notifications
once a request, and the audit log neither lists every user nor counts every row."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from mettrack.audit_log import search as audit_search
from mettrack.cases.models import Case
from mettrack.core import audit
from mettrack.core.choices import RISK_RANK, UNRATED_RANK, Role
from mettrack.core.extensions import db
from mettrack.core.unit_of_work import unit_of_work
from tests import factories
from tests.conftest import post_form
from tests.performance.conftest import add_cases


def test_the_risk_rank_follows_the_risk_level_whoever_writes_it(app_ctx):
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
    (case_id,) = add_cases(1, lead.id)
    for level, rank in [*RISK_RANK.items(), (None, UNRATED_RANK)]:
        db.session.execute(sa.update(Case).where(Case.id == case_id).values(risk_level=level))
        db.session.commit()
        assert db.session.scalar(sa.select(Case.risk_rank).where(Case.id == case_id)) == rank


def test_the_risk_sort_lists_highest_first_then_by_review_date(app, client, auth):
    auth.as_role(Role.MET_CHAIR)
    with app.app_context():
        lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
        ids = add_cases(8, lead.id)  # risk high, medium, low, none, high ... (conftest.RISKS)
        expected = [
            c.id
            for c in sorted(
                db.session.scalars(sa.select(Case).where(Case.id.in_(ids))),
                key=lambda c: (RISK_RANK.get(c.risk_level, UNRATED_RANK), c.next_review_on, c.id),
            )
        ]
    page = client.get("/cases/?sort=risk").get_data(as_text=True)
    shown = [int(n) for n in re.findall(r'href="/cases/(\d+)"', page)]
    assert list(dict.fromkeys(shown)) == expected


def test_the_apps_postgresql_connections_run_without_jit(app_ctx, postgres):
    assert db.session.scalar(sa.text("SHOW jit")) == "off"


def test_the_header_counts_unread_notifications_once_a_request(app, client, auth, statements):
    auth.as_role(Role.MET_CHAIR)
    client.get("/cases/")
    with statements() as sent:
        assert client.get("/cases/").status_code == 200
    assert sum("FROM reminders" in s for s in sent) == 1


def _audit_rows(actor, count):
    with unit_of_work():
        for n in range(count):
            audit.record("case.viewed", "case", 7000 + n, actor=actor)


def test_the_audit_log_counts_no_further_than_its_limit(app, client, auth, monkeypatch):
    monkeypatch.setattr(audit_search, "COUNT_LIMIT", 3)
    auth.as_role(Role.MET_CHAIR)
    with app.app_context():
        _audit_rows(factories.user(roles=[Role.LEAD_PROFESSIONAL]), 5)
    page = client.get("/audit/").get_data(as_text=True)
    assert "More than 3 entries, newest first" in page


def test_the_audit_log_offers_no_list_of_every_user(app, client, auth):
    auth.as_role(Role.MET_CHAIR)
    page = client.get("/audit/").get_data(as_text=True)
    assert '<select class="govuk-select" id="actor"' not in page
    assert 'name="actor"' in page and 'name="user"' in page


def test_finding_one_user_leads_to_their_entries_keeping_the_other_filters(app, client, auth):
    auth.as_role(Role.MET_CHAIR)
    with app.app_context():
        lead = factories.user(roles=[Role.LEAD_PROFESSIONAL], name="Rowan Quillfeather")
        lead_id = lead.id
        _audit_rows(lead, 2)
    form = {"user": "quillfeath", "date_from": "1/1/2026"}
    response = post_form(client, "/audit/users", form, page="/audit/")
    assert response.status_code == 302
    where = urlsplit(response.headers["Location"])
    assert where.path == "/audit/"
    assert parse_qs(where.query) == {"actor": [str(lead_id)], "date_from": ["1/1/2026"]}
    assert "quill" not in response.headers["Location"].casefold()  # no name in the address


def test_finding_several_users_lists_them_and_none_is_a_field_error(app, client, auth):
    auth.as_role(Role.ADMIN)
    with app.app_context():
        first = factories.user(roles=[Role.PARTNER], name="Sam Thistledown")
        second = factories.user(roles=[Role.PARTNER], name="Alex Thistledown")
        ids = (first.id, second.id)
    several = post_form(client, "/audit/users", {"user": "THISTLEDOWN"}, page="/audit/")
    assert several.status_code == 200
    text = several.get_data(as_text=True)
    assert text.index("Alex Thistledown") < text.index("Sam Thistledown")  # by name
    assert all(f"/audit/?actor={i}" in text for i in ids)
    none = post_form(client, "/audit/users", {"user": "nobody-by-this-name"}, page="/audit/")
    assert none.status_code == 400
    assert "No user&#39;s name or e-mail address contains that" in none.get_data(as_text=True)
    blank = post_form(client, "/audit/users", {"user": "  "}, page="/audit/")
    assert blank.status_code == 400 and "Enter part of the user" in blank.get_data(as_text=True)


@pytest.mark.parametrize("held", [["case"], ["case", "zz_new_type"], []])
def test_the_record_type_list_holds_the_known_types_and_any_other_in_the_log(app_ctx, held):
    chair = factories.user(roles=[Role.MET_CHAIR])
    with unit_of_work():
        for record_type in held:
            audit.record("thing.done", record_type, 1, actor=chair)
    codes = [code for code, _words in audit_search.record_type_choices()]
    assert set(codes) == set(audit_search.KNOWN_RECORD_TYPES) | set(held)
