"""Two-factor sign-in with Redis stopped (issue 15, Done when): the limit store is down, yet
enrolment, the second step, replay refusal, a recovery code and the lockout all still
work, and nothing answers 500."""

import pyotp

from mettrack.core.clock import now
from mettrack.core.extensions import db, limiter
from tests import factories
from tests.conftest import csrf_from
from tests.web.test_sign_in_limits import DEAD_REDIS, PAUSED, WRONG, make_app  # noqa: F401 (fixture)
from tests.web.test_two_factor import CODES_RE, SECRET_RE, _clock, _tick  # noqa: F401 (fixture)

EMAIL = "lead2fa@example.org"


def _code(secret: str) -> str:
    return pyotp.TOTP(secret).generate_otp(int(now().timestamp()) // 30)


def _login(client, password=factories.PASSWORD):
    token = csrf_from(client.get("/login"))
    return client.post("/login", data={"email": EMAIL, "password": password, "csrf_token": token})


def _second(client, code):
    token = csrf_from(client.get("/login/two-factor"))
    return client.post("/login/two-factor", data={"code": code, "csrf_token": token})


def _logout(client):
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/"))})


def test_two_factor_and_the_lockout_work_with_redis_stopped(make_app, app_ctx):  # noqa: F811
    built = make_app(RATELIMIT_STORAGE_URI=DEAD_REDIS)
    with built.app_context():
        factories.user(email=EMAIL)
        assert not limiter.storage.check()  # really down
    client = built.test_client()

    assert _login(client).status_code == 302
    page = client.get("/account/two-factor/enrol")
    secret = SECRET_RE.search(page.get_data(as_text=True)).group(1).replace(" ", "")
    done = client.post(
        "/account/two-factor/enrol", data={"code": _code(secret), "csrf_token": csrf_from(page)}
    )
    assert done.status_code == 200
    recovery = CODES_RE.findall(done.get_data(as_text=True))
    _logout(client)
    _tick()

    assert _login(client).headers["Location"] == "/login/two-factor"
    code = _code(secret)
    assert _second(client, code).status_code == 302
    assert client.get("/account/").status_code == 200
    _logout(client)

    assert _login(client).headers["Location"] == "/login/two-factor"
    replay = _second(client, code)  # the same time-step again
    assert replay.status_code == 400
    assert client.get("/account/").status_code != 200
    assert _second(client, recovery[0]).status_code == 302
    _logout(client)

    # Repeated wrong passwords still lock the account with the limit store down.
    statuses = [_login(client, WRONG).status_code for _ in range(12)]
    assert 500 not in statuses and statuses[-1] == 429
    assert PAUSED in _login(client).get_data(as_text=True)
    with built.app_context():
        db.session.remove()
