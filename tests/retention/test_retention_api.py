"""The retention API: the review list, legal holds and the subject access export, with
the field named on bad input and third parties left out."""

from datetime import UTC, date, datetime

from mettrack.accounts import tokens
from mettrack.core.choices import CaseState, Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.retention import review
from mettrack.retention.models import LegalHold
from tests import factories


def _headers(user) -> dict:
    _token, secret = tokens.create_token(user, name="test")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_holds_the_list_and_the_export_through_the_api(app_ctx, client):
    set_now(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    try:
        admin = factories.user(roles=[Role.ADMIN])
        chair = factories.user(roles=[Role.MET_CHAIR])
        lead = factories.user(roles=[Role.LEAD_PROFESSIONAL])
        kid = factories.child(date_of_birth=date(2011, 4, 5))
        case = factories.case(lead=lead, state=CaseState.CLOSED, child_obj=kid)
        admin_h, chair_h = _headers(admin), _headers(chair)
        path = f"/api/v1/retention/legal-holds/{case.id}"

        empty = client.put(path, json={"reason": ""}, headers=chair_h)
        assert empty.status_code == 422 and "reason" in empty.get_json()["errors"]
        held = client.put(path, json={"reason": "An inquiry"}, headers=chair_h)
        assert held.status_code == 200 and held.get_json()["on_hold"] is True
        assert db.session.get(LegalHold, case.id) is not None
        assert (
            client.put(
                "/api/v1/retention/legal-holds/999999", json={"reason": "x"}, headers=admin_h
            ).status_code
            == 404
        )

        set_now(datetime(2060, 1, 1, tzinfo=UTC))
        review.scan()
        db.session.commit()
        due = client.get("/api/v1/retention/due", headers=admin_h).get_json()["items"]
        assert [(d["record_id"], d["held"]) for d in due] == [(case.id, True)]
        cleared = client.delete(path, headers=admin_h)
        assert cleared.status_code == 200 and cleared.get_json()["on_hold"] is False

        export = client.get(f"/api/v1/retention/subject-access/{kid.id}", headers=chair_h)
        assert export.status_code == 200
        body = export.get_json()
        assert body["child"]["id"] == kid.id and lead.name not in export.text
        assert client.get(f"/api/v1/retention/subject-access/{kid.id}", headers=admin_h).status_code == 403
        assert client.get("/api/v1/retention/subject-access/999999", headers=chair_h).status_code == 404
    finally:
        set_now(None)
