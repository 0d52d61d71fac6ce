from mettrack.core.choices import Role


def test_login_page_renders_without_sign_in(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert "Sign in" in response.get_data(as_text=True)


def test_chair_signs_in_and_sees_cases(auth, client):
    auth.as_role(Role.MET_CHAIR)
    response = client.get("/cases/")
    assert response.status_code == 200
    assert "Cases" in response.get_data(as_text=True)
