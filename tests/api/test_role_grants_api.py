"""/api/v1/role-grants: a MET chair lists the role grants waiting and decides them, never
one they asked for (docs/security.md, "Separation of duties")."""

from mettrack.accounts.models import User
from mettrack.accounts.role_grants import request_grants
from mettrack.core.choices import Role
from mettrack.core.extensions import db
from tests import factories


def test_the_api_lists_and_refuses_a_grant(app, client, make_api_user):
    with app.app_context():
        admin = factories.user(roles=[Role.ADMIN])
        partner = factories.user(roles=[Role.PARTNER])
        (grant,) = request_grants(partner, [Role.MET_CHAIR], admin)
        grant_id, partner_id = grant.id, partner.id
    chair = make_api_user(Role.MET_CHAIR)
    listed = client.get("/api/v1/role-grants", headers=chair.headers).get_json()["items"]
    assert [(g["id"], g["user_id"], g["role"], g["can_decide"]) for g in listed] == [
        (grant_id, partner_id, "met_chair", True)
    ]
    response = client.post(f"/api/v1/role-grants/{grant_id}/refuse", headers=chair.headers)
    assert response.status_code == 200 and response.get_json()["state"] == "refused"
    again = client.post(f"/api/v1/role-grants/{grant_id}/approve", headers=chair.headers)
    assert again.status_code == 404
    with app.app_context():
        assert db.session.get(User, partner_id).roles == {Role.PARTNER}


def test_the_api_refuses_a_chair_deciding_their_own_request(app, client, make_api_user):
    chair = make_api_user(Role.MET_CHAIR)
    with app.app_context():
        partner = factories.user(roles=[Role.PARTNER])
        (grant,) = request_grants(partner, [Role.MET_CHAIR], db.session.get(User, chair.id))
        grant_id = grant.id
    listed = client.get("/api/v1/role-grants", headers=chair.headers).get_json()["items"]
    assert listed[0]["can_decide"] is False
    response = client.post(f"/api/v1/role-grants/{grant_id}/approve", headers=chair.headers)
    assert response.status_code == 403
    assert "another MET chair" in response.get_json()["detail"]
