"""Every API error is an RFC 9457 problem: never HTML, never a stack trace."""

import pytest
from werkzeug.exceptions import Conflict

from mettrack.core.choices import CaseState, Role
from mettrack.core.errors import ValidationError
from tests import factories
from tests.api.conftest import audit_rows

PROBLEM_KEYS = {"type", "title", "status", "detail", "errors"}


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert set(body) == PROBLEM_KEYS
    assert body["status"] == status
    assert body["type"] == "about:blank"
    assert body["title"] and body["detail"]
    assert isinstance(body["errors"], dict)
    text = response.get_data(as_text=True)
    assert "Traceback" not in text and "<html" not in text.lower()
    return body


def test_401_is_a_problem(client):
    body = assert_problem(client.get("/api/v1/cases"), 401)
    assert body["title"] == "Unauthorized"


def test_403_is_a_problem_and_audited(app, client, make_api_user):
    analyst = make_api_user(Role.ANALYST)
    body = assert_problem(client.get("/api/v1/cases", headers=analyst.headers), 403)
    assert body["errors"] == {}
    denials = audit_rows(app, "permission.denied")
    assert denials[-1]["actor_user_id"] == analyst.id
    assert denials[-1]["outcome"] == "denied"


def test_404_for_an_unknown_address_is_a_problem(client, make_api_user):
    chair = make_api_user(Role.MET_CHAIR)
    assert_problem(client.get("/api/v1/nothing-here", headers=chair.headers), 404)
    assert_problem(client.get("/api/v1/nothing-here"), 404)


def test_404_for_a_case_that_does_not_exist_names_the_field(client, make_api_user):
    chair = make_api_user(Role.MET_CHAIR)
    body = assert_problem(client.get("/api/v1/cases/999999", headers=chair.headers), 404)
    assert set(body["errors"]) == {"case_id"}
    assert "999999" in body["detail"]


@pytest.mark.parametrize(
    "path", ["/api/v1/cases/99999999999999999999", "/api/v1/cases/abc", "/api/v1/cases/-1"]
)
def test_a_case_id_that_cannot_exist_is_404_not_500(client, make_api_user, path):
    chair = make_api_user(Role.MET_CHAIR)
    assert_problem(client.get(path, headers=chair.headers), 404)


def test_405_is_a_problem_naming_the_allowed_methods(client, make_api_user):
    chair = make_api_user(Role.MET_CHAIR)
    response = client.post("/api/v1/cases", headers=chair.headers, json={})
    assert_problem(response, 405)
    assert "GET" in response.headers["Allow"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"page": "abc"}, "page"),
        ({"page": "0"}, "page"),
        ({"page": "1.5"}, "page"),
        ({"page": "99999999999999"}, "page"),
        ({"per_page": "1000"}, "per_page"),
        ({"state": "lost"}, "state"),
        ({"stat": "closed"}, "stat"),  # a misspelt filter is refused, not silently ignored
    ],
)
def test_bad_query_is_422_naming_the_field(client, make_api_user, query, field):
    chair = make_api_user(Role.MET_CHAIR)
    body = assert_problem(client.get("/api/v1/cases", headers=chair.headers, query_string=query), 422)
    assert set(body["errors"]) == {field}
    assert field in body["detail"]


def test_unknown_state_lists_the_states(client, make_api_user):
    chair = make_api_user(Role.MET_CHAIR)
    body = assert_problem(client.get("/api/v1/cases?state=lost", headers=chair.headers), 422)
    assert CaseState.MET_REVIEW.value in body["errors"]["state"]


def test_service_validation_error_is_422_with_its_fields(client, make_api_user, monkeypatch):
    from mettrack.cases import queries as cases

    def refuse(user, case_id, **kwargs):
        raise ValidationError({"reason": "Enter a reason"})

    monkeypatch.setattr(cases, "get_summary_for", refuse)  # what GET /cases/{id} calls
    chair = make_api_user(Role.MET_CHAIR)
    body = assert_problem(client.get("/api/v1/cases/1", headers=chair.headers), 422)
    assert body["errors"] == {"reason": "Enter a reason"}


def test_409_is_a_problem(client, make_api_user, monkeypatch):
    from mettrack.cases import queries as cases

    def conflict(user, case_id, **kwargs):
        raise Conflict()

    monkeypatch.setattr(cases, "get_summary_for", conflict)  # what GET /cases/{id} calls
    chair = make_api_user(Role.MET_CHAIR)
    assert_problem(client.get("/api/v1/cases/1", headers=chair.headers), 409)


def test_stale_write_is_409(app, client, make_api_user, monkeypatch):
    """Optimistic locking (Case.version): a save based on a stale read is a conflict."""
    from sqlalchemy.orm.exc import StaleDataError

    from mettrack.cases import queries as cases

    def stale(user, case_id, **kwargs):
        raise StaleDataError("UPDATE statement on table 'cases' expected to update 1 row(s); 0 were matched.")

    monkeypatch.setattr(cases, "get_summary_for", stale)  # what GET /cases/{id} calls
    chair = make_api_user(Role.MET_CHAIR)
    body = assert_problem(client.get("/api/v1/cases/1", headers=chair.headers), 409)
    assert "UPDATE" not in body["detail"]


def test_500_is_a_problem_without_internals(client, make_api_user, monkeypatch):
    from mettrack.cases import queries as cases

    def broken(user, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(cases, "list_for", broken)
    chair = make_api_user(Role.MET_CHAIR)
    response = client.get("/api/v1/cases", headers=chair.headers)
    assert_problem(response, 500)
    assert "secret internal detail" not in response.get_data(as_text=True)


def test_pages_keep_their_html_errors(auth, client):
    auth.as_role(Role.MET_CHAIR)
    response = client.get("/cases/999999")
    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_hidden_and_missing_cases_get_the_same_answer(app, client, make_api_user):
    partner = make_api_user(Role.PARTNER)
    with app.app_context():
        hidden_id = factories.case().id
    hidden = client.get(f"/api/v1/cases/{hidden_id}", headers=partner.headers)
    missing = client.get(f"/api/v1/cases/{hidden_id + 1000}", headers=partner.headers)
    hidden_body, missing_body = assert_problem(hidden, 404), assert_problem(missing, 404)
    assert hidden_body["detail"].replace(str(hidden_id), "N") == missing_body["detail"].replace(
        str(hidden_id + 1000), "N"
    )
