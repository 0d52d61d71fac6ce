"""Every read of a child's case data by a police user says why (DPA 2018 s62; issue 15):
not only the case and child pages but the notes, the Philomena details and print,
screenings, risk assessments and every case sub-resource of the API. One shared hook
(cases/access_reasons.ask_before_reading) does it for every GET route naming a case or a
child, except those in EXEMPT; this walks the app's routes, so a route added later is
checked too. Non-police users are never asked; the reason is in the reads' audit rows."""

import json
import re

import pytest
from sqlalchemy import select

from mettrack.cases.access_reasons import EXEMPT, HEADER
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import AgencySector, Role
from mettrack.core.extensions import db
from tests import factories
from tests.api.conftest import bearer
from tests.conftest import csrf_from

PAGES = [
    "/cases/{case}/notes",
    "/cases/{case}/philomena",
    "/cases/{case}/philomena/print",
    "/cases/{case}/screenings",
    "/cases/{case}/risk-assessments",
]
API = [
    "/api/v1/cases/{case}",
    "/api/v1/cases/{case}/notes",
    "/api/v1/cases/{case}/team",
    "/api/v1/cases/{case}/missing-episodes",
    "/api/v1/cases/{case}/risk-assessments",
    "/api/v1/cases/{case}/screenings",
    "/api/v1/cases/{case}/philomena",
    "/api/v1/cases/{case}/transitions",
    "/api/v1/cases/{case}/classification",
    "/api/v1/cases/{case}/referral",
    "/api/v1/cases/{case}/police-tier",
    "/api/v1/cases/{case}/service-requests",
    "/api/v1/cases/{case}/service-assignments",
    "/api/v1/cases/{case}/peer-links",
    "/api/v1/cases/{case}/subject-links",
    "/api/v1/children/{child}",
]


@pytest.fixture
def world(app):
    """A police partner and a council partner on one case's team; a police MET chair."""
    with app.app_context():
        police = factories.user(roles=[Role.PARTNER], agency="Demotown Police")
        police.agency.sector = AgencySector.POLICE.value
        council = factories.user(roles=[Role.PARTNER], agency="Demotown Council")
        chair = factories.user(roles=[Role.MET_CHAIR], agency="Demotown Police")
        lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
        case = factories.case(lead=lead, members=[police, council])
        db.session.commit()
        from mettrack.accounts import tokens

        tokens_of = {u.email: tokens.create_token(u, name="test")[1] for u in (police, council, chair)}
        return {
            "police": police.email,
            "council": council.email,
            "chair": chair.email,
            "case": case.id,
            "child": case.child_id,
            "tokens": tokens_of,
        }


def _path(template: str, world) -> str:
    return template.format(case=world["case"], child=world["child"])


def _asked(response, case_id) -> bool:
    return response.status_code == 302 and f"/cases/{case_id}/access-reason" in response.headers["Location"]


def _rows_since(app, seq: int) -> list[dict]:
    with app.app_context():
        rows = db.session.scalars(select(AuditEvent).where(AuditEvent.seq > seq).order_by(AuditEvent.seq))
        return [{"action": r.action, **json.loads(r.detail or "{}")} for r in rows]


def _last_seq(app) -> int:
    with app.app_context():
        return db.session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1)) or 0


@pytest.mark.parametrize("template", PAGES)
def test_a_police_user_is_asked_before_each_case_page_and_brought_back(app, client, auth, world, template):
    auth.login(world["police"])
    path = _path(template, world)
    response = client.get(path)
    assert _asked(response, world["case"]), (path, response.status_code)
    question = response.headers["Location"]
    token = csrf_from(client.get(question))
    answered = client.post(
        question, data={"reason": "typed", "typed_reason": "Strategy meeting", "csrf_token": token}
    )
    assert answered.status_code == 302 and answered.headers["Location"].endswith(path)
    before = _last_seq(app)
    shown = client.get(path)
    assert shown.status_code == 200
    reasons = [r.get("access_reason") or r.get("reason") for r in _rows_since(app, before)]
    assert reasons and all(r == {"text": "Strategy meeting"} for r in reasons)


@pytest.mark.parametrize("template", API)
def test_the_api_answers_428_without_a_reason_and_audits_it_with_one(app, client, world, template):
    path = _path(template, world)
    secret = world["tokens"][world["police"]]
    refused = client.get(path, headers=bearer(secret))
    assert refused.status_code == 428, (path, refused.status_code)
    assert HEADER in refused.get_json()["errors"]
    before = _last_seq(app)
    answered = client.get(path, headers={**bearer(secret), HEADER: "Checking before the strategy meeting"})
    assert answered.status_code == 200, (path, answered.status_code)
    rows = [r for r in _rows_since(app, before) if not r["action"].startswith("auth.")]
    assert rows, path
    for row in rows:
        assert (row.get("access_reason") or row.get("reason")) == {
            "text": "Checking before the strategy meeting"
        }


def test_a_reason_that_is_not_valid_is_422_naming_the_header(client, world):
    secret = world["tokens"][world["police"]]
    answer = client.get(
        _path("/api/v1/cases/{case}/notes", world), headers={**bearer(secret), HEADER: "x" * 201}
    )
    assert answer.status_code == 422 and HEADER in answer.get_json()["errors"]


def test_users_of_other_agencies_are_not_asked(client, auth, world):
    auth.login(world["council"])
    for template in PAGES:
        assert client.get(_path(template, world)).status_code == 200, template
    secret = world["tokens"][world["council"]]
    for template in API:
        assert client.get(_path(template, world), headers=bearer(secret)).status_code == 200, template


def test_outside_need_to_know_it_is_404_not_the_question(app, client, auth, world):
    with app.app_context():
        other = factories.case()
        other_id = other.id
    auth.login(world["police"])
    assert client.get(f"/cases/{other_id}/notes").status_code == 404
    secret = world["tokens"][world["police"]]
    assert client.get(f"/api/v1/cases/{other_id}/notes", headers=bearer(secret)).status_code == 404


def test_a_role_without_the_permission_is_403_not_the_question(app, client, auth):
    with app.app_context():
        analyst = factories.user(roles=[Role.ANALYST], agency="Demotown Police")
        analyst.agency.sector = AgencySector.POLICE.value
        case = factories.case()
        db.session.commit()
        email, case_id = analyst.email, case.id
    auth.login(email)
    assert client.get(f"/cases/{case_id}/notes").status_code == 403


def test_the_question_sends_back_only_to_this_site(client, auth, world):
    auth.login(world["police"])
    question = f"/cases/{world['case']}/access-reason?next=//evil.example/cases/1"
    token = csrf_from(client.get(question))
    answered = client.post(question, data={"reason": "typed", "typed_reason": "Review", "csrf_token": token})
    assert answered.headers["Location"].endswith(f"/cases/{world['case']}")


_FILL = {"fmt": "json", "action": "close", "view": "full"}


def test_every_get_route_naming_a_case_or_child_asks_unless_exempt(app, client, auth, world):
    """The walk: a police MET chair (who may read every case) with no reason given. Each
    GET route with case_id or child_id in its URL is asked (pages) or 428 (API), refused
    by role (403), or listed in EXEMPT."""
    auth.login(world["chair"])
    secret = world["tokens"][world["chair"]]
    asked, refused = [], []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or not ({"case_id", "child_id"} & rule.arguments):
            continue
        values = {name: _FILL.get(name, 1) for name in rule.arguments}
        values.update(case_id=world["case"], child_id=world["child"])
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m, v=values: str(v[m.group(1)]), rule.rule)
        is_api = path.startswith("/api/")
        response = client.get(path, headers=bearer(secret) if is_api else {})
        if rule.endpoint in EXEMPT:
            assert response.status_code != 428 and not _asked(response, world["case"]), path
            continue
        if response.status_code == 403:
            refused.append(rule.endpoint)
            continue
        ok = response.status_code == 428 if is_api else _asked(response, world["case"])
        assert ok, (rule.endpoint, path, response.status_code)
        asked.append(rule.endpoint)
    assert {"notes.index", "missing.philomena_print", "screenings.for_case", "api_notes.CaseNotes"} <= set(
        asked
    )
    assert {"api_children.ChildItem", "children.detail", "cases.detail"} <= set(asked)
