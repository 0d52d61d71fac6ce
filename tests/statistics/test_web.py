"""The report through its page (/statistics/), downloads and the API
(/api/v1/stats/exploitation-list)."""

import json

import pytest
from sqlalchemy import select

from mettrack.accounts import tokens
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import Role
from mettrack.core.extensions import db
from tests import factories
from tests.statistics.world import listed, london
from tests.web.test_case_page import no_database_while_rendering  # noqa: F401 (a fixture)

Q3 = "quarter=2022-Q3"


@pytest.fixture
def world(app):
    with app.app_context():
        listed(types=("cse", "cce"), gender="Male", born=london(2008, 1, 1).date())
        for _ in range(6):
            listed(types=("cse",), gender="Female")
        listed(types=("cce",), gender="Male", opened=london(2022, 8, 1), closed=london(2022, 9, 1))


def _token(app, role) -> dict:
    with app.app_context():
        _row, secret = tokens.create_token(factories.user(roles=[role]), name="test")
    return {"Authorization": f"Bearer {secret}"}


def _audit(app, action="statistics.report_viewed") -> list[dict]:
    with app.app_context():
        rows = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
        )
        return [json.loads(r.detail) for r in rows]


# --- the page


def test_the_page_shows_the_summary_the_meaning_and_every_table(client, auth, world):
    auth.as_role(Role.ANALYST)
    response = client.get(f"/statistics/?{Q3}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert (
        "8 children on the exploitation list July - September 2022: 7 CSE (aged 14-15; 6 female, 1 male), "
        "2 CCE (aged 14-15; 2 male)"
    ) in html
    for key in ("types", "gender", "age", "ethnicity", "risk", "tier", "state", "flags", "harm", "trend"):
        assert f'id="table-{key}"' in html
    assert "once in each type and once in the total" in html
    assert "Ages are at the end of the period" in html and "open at any point in it" in html
    assert "Statchild" not in html  # never a name
    assert "Statistics" in html  # in the navigation
    assert _audit(client.application)[-1] == {"period": "2022-Q3", "output": "page", "publication": False}


def test_charts_are_drawn_beside_their_tables_with_suppressed_figures_absent(client, auth, world):
    auth.as_role(Role.ANALYST)
    html = client.get(f"/statistics/?{Q3}").get_data(as_text=True)
    for key in ("gender", "age", "risk", "trend"):
        assert f'id="chart-{key}"' in html
    assert "<svg" in html and "By gender, July - September 2022" in html
    trend = html.split('id="chart-trend"', 1)[1].split("</svg>", 1)[0]
    assert "Jul - Sep 2022" in trend and "July - September 2022" not in trend  # short axis labels
    published = client.get(f"/statistics/?{Q3}&publication=yes").get_data(as_text=True)
    assert "fewer than 5" in published.split('id="chart-gender"', 1)[1].split("</svg>", 1)[0]


def test_the_template_only_renders(client, auth, world, no_database_while_rendering):  # noqa: F811
    auth.as_role(Role.MET_CHAIR)
    assert client.get(f"/statistics/?{Q3}").status_code == 200
    assert "statistics/report.html" in no_database_while_rendering


@pytest.mark.parametrize(
    "query, field, words",
    [
        ("quarter=2022-Q7", "quarter", "Quarter must be written like 2022-Q3"),
        (
            "from-day=31&from-month=2&from-year=2022&to-day=1&to-month=3&to-year=2022",
            "from",
            "Start of the period must be a real date",
        ),
        ("from-day=1&from-month=3&from-year=2022", "to", "Enter the end of the period"),
        (
            "from-day=2&from-month=3&from-year=2022&to-day=1&to-month=3&to-year=2022",
            "to",
            "End of the period must be the same as or after the start",
        ),
    ],
)
def test_a_bad_period_is_named_beside_its_field(client, auth, world, query, field, words):
    auth.as_role(Role.ANALYST)
    response = client.get(f"/statistics/?{query}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and words in html
    assert f'href="#{field}' in html
    assert _audit(client.application) == []


def test_a_date_range_replaces_the_quarter(client, auth, world):
    auth.as_role(Role.ANALYST)
    query = "quarter=2022-Q3&from-day=1&from-month=8&from-year=2022&to-day=31&to-month=8&to-year=2022"
    html = client.get(f"/statistics/?{query}").get_data(as_text=True)
    assert "1 August 2022 - 31 August 2022" in html
    dates = "from-day=1&amp;from-month=8&amp;from-year=2022&amp;to-day=31&amp;to-month=8&amp;to-year=2022"
    assert f'href="/statistics/operations?{dates}"' in html  # the operational figures, same dates


@pytest.mark.parametrize("role", [Role.ANALYST, Role.MET_CHAIR])
def test_the_report_and_the_operational_figures_link_to_each_other(client, auth, world, role):
    auth.as_role(role)
    report = client.get(f"/statistics/?{Q3}").get_data(as_text=True)
    assert 'href="/statistics/operations?quarter=2022-Q3"' in report
    operations = client.get(f"/statistics/operations?{Q3}").get_data(as_text=True)
    assert 'href="/statistics/?quarter=2022-Q3"' in operations
    assert 'href="/statistics/operations.csv?quarter=2022-Q3"' in operations
    for html in (report, operations):
        assert 'href="/statistics/"' in html  # the navigation's "Statistics"
        assert 'id="period-form"' in html and 'name="from-day"' in html  # one chooser


# --- downloads


def test_the_csv_has_a_bom_and_every_figure_and_is_audited(client, auth, world):
    auth.as_role(Role.ANALYST)
    response = client.get(f"/statistics/exploitation-list.csv?{Q3}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="exploitation-list-2022-Q3.csv"' in response.headers["Content-Disposition"]
    body = response.data.decode("utf-8")
    assert body.startswith("\ufeffTable,Group,CSE,CCE,All children\r\n")
    assert "By gender,Male,1,2,2\r\n" in body
    assert "Statchild" not in body
    assert _audit(client.application)[-1] == {"period": "2022-Q3", "output": "csv", "publication": False}


def test_the_csv_for_publication_suppresses_small_groups(client, auth, world):
    auth.as_role(Role.ANALYST)
    response = client.get(f"/statistics/exploitation-list.csv?{Q3}&publication=yes")
    assert (
        'filename="exploitation-list-2022-Q3-for-publication.csv"' in response.headers["Content-Disposition"]
    )
    body = response.data.decode("utf-8")
    # CSE: 6 female and 1 male; the 1 is hidden, and the 6 with it (the total would give it away).
    assert "By gender,Female,suppressed,0,suppressed\r\n" in body
    assert "By gender,Male,fewer than 5,fewer than 5,fewer than 5\r\n" in body
    assert "Marked for publication" in body
    assert _audit(client.application)[-1]["publication"] is True


def test_the_pdf(client, auth, world):
    auth.as_role(Role.MET_CHAIR)
    response = client.get(f"/statistics/exploitation-list.pdf?{Q3}&publication=yes")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert _audit(client.application)[-1] == {"period": "2022-Q3", "output": "pdf", "publication": True}


@pytest.mark.parametrize("role", [Role.LEAD_PROFESSIONAL, Role.COORDINATOR, Role.PARTNER, Role.ADMIN])
def test_other_roles_get_403(client, auth, world, role):
    auth.as_role(role)
    assert client.get("/statistics/").status_code == 403
    assert client.get("/statistics/exploitation-list.csv").status_code == 403
    assert "Statistics</a>" not in client.get("/").get_data(as_text=True)


# --- the API


def test_the_api_gives_the_report(app, client, world):
    response = client.get(f"/api/v1/stats/exploitation-list?{Q3}", headers=_token(app, Role.ANALYST))
    assert response.status_code == 200
    data = response.get_json()
    assert data["period"] == {
        "key": "2022-Q3",
        "label": "July - September 2022",
        "start": "2022-07-01",
        "end": "2022-09-30",
        "quarter": "2022-Q3",
    }
    assert data["summary"].startswith("8 children on the exploitation list July - September 2022")
    assert [c["key"] for c in data["columns"]] == ["cse", "cce", "all"]
    types = next(t for t in data["tables"] if t["key"] == "types")
    assert types["total"]["cells"] == [{"count": 8, "text": "8", "suppressed": None}]
    assert data["ages"]["all"] == {"youngest": 14, "oldest": 15}
    assert [t["key"] for t in data["trend"]][-1] == "2022-Q3" and len(data["trend"]) == 5
    assert "Statchild" not in response.get_data(as_text=True)
    assert _audit(app)[-1] == {"period": "2022-Q3", "output": "api", "publication": False}


def test_the_api_for_publication_and_by_dates(app, client, world):
    headers = _token(app, Role.MET_CHAIR)
    data = client.get(
        "/api/v1/stats/exploitation-list?from=2022-08-01&to=2022-08-31&publication=yes", headers=headers
    ).get_json()
    assert data["period"]["quarter"] is None and data["publication"] is True
    gender = next(t for t in data["tables"] if t["key"] == "gender")
    male = next(r for r in gender["rows"] if r["key"] == "male")
    assert male["cells"][0] == {"count": None, "text": "fewer than 5", "suppressed": "fewer_than_threshold"}


@pytest.mark.parametrize(
    "query, field",
    [("quarter=2022-Q9", "quarter"), ("from=2022-02-30&to=2022-03-01", "from"), ("from=2022-03-01", "to")]
    + [("publication=maybe", "publication"), ("colour=red", "colour")],
)
def test_a_bad_api_period_is_a_422_problem_naming_the_field(app, client, world, query, field):
    response = client.get(f"/api/v1/stats/exploitation-list?{query}", headers=_token(app, Role.ANALYST))
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert field in json.dumps(response.get_json()["errors"])


def test_the_api_is_documented_and_refuses_other_roles(app, client, world):
    spec = client.get("/api/v1/openapi.json", headers=_token(app, Role.ANALYST)).get_json()
    operation = spec["paths"]["/api/v1/stats/exploitation-list"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"quarter", "from", "to", "publication"}
    response = client.get("/api/v1/stats/exploitation-list", headers=_token(app, Role.LEAD_PROFESSIONAL))
    assert response.status_code == 403


# --- the analyst's home


def test_the_analysts_home_shows_the_last_quarters_summary_and_links_to_the_report(client, auth, app):
    from mettrack.core.clock import set_now

    set_now(london(2022, 10, 20))  # the last complete quarter: July - September 2022
    with app.app_context():
        listed(types=("cce",), gender="Male")
    auth.as_role(Role.ANALYST)
    html = client.get("/").get_data(as_text=True)
    assert "The exploitation list: July - September 2022" in html
    assert "1 child on the exploitation list July - September 2022: 1 CCE (aged 15; 1 male)" in html
    assert 'href="/statistics/?quarter=2022-Q3"' in html
    assert 'href="/statistics/operations?quarter=2022-Q3"' in html
    assert "Statchild" not in html
    assert _audit(app)[-1] == {"period": "2022-Q3", "output": "home", "publication": False}


def test_the_chairs_home_links_to_both_statistics_pages_without_reading_figures(client, auth, app):
    from mettrack.core.clock import set_now

    set_now(london(2022, 10, 20))
    auth.as_role(Role.MET_CHAIR)
    html = client.get("/").get_data(as_text=True)
    assert "Statistics: July - September 2022" in html
    assert 'href="/statistics/?quarter=2022-Q3"' in html
    assert 'href="/statistics/operations?quarter=2022-Q3"' in html
    assert _audit(app) == []  # links only: no report is made for the chair's home


def test_a_bad_period_on_a_download_gives_the_page_with_the_message(client, auth, world):
    auth.as_role(Role.ANALYST)
    response = client.get("/statistics/exploitation-list.csv?quarter=soon")
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert "Quarter must be written like 2022-Q3" in response.get_data(as_text=True)
    assert _audit(client.application) == []
