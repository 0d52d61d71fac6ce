"""Brute force (issue 15, finding 2): sign-in limits per address and per account, the
lock after repeated failures, the client's address behind a proxy, and the limits while
Redis is down. docs/security.md, "Sign-in limits and lockout".

The suite's app runs with Flask-Limiter off (TestingConfig); each test here builds its
own app with the limits on, and puts the shared limiter back off afterwards.
"""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from mettrack import create_app
from mettrack.accounts.sign_in_failure import SignInFailure
from mettrack.core.audit_event import AuditEvent
from mettrack.core.choices import Role
from mettrack.core.clock import LONDON, now, set_now
from mettrack.core.extensions import db, limiter
from tests import factories
from tests.conftest import DATABASE_URL, csrf_from

CHAIR = "chair@example.org"
PROXY = "10.0.0.2"  # the TLS proxy every request arrives from
# Nothing listens on port 1: a limiter store that is down.
DEAD_REDIS = "redis://127.0.0.1:1/0"
PAUSED = "There have been too many attempts to sign in. Try again after"
WRONG = "not the password at all"


@pytest.fixture
def make_app(app):
    """Build an app on the suite's database with the sign-in limits on. Depends on the
    suite's `app` so that the tables are emptied after the test."""
    made = []

    def make(**settings):
        limiter._storage_dead = False  # a store left "down" by an earlier test
        built = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": DATABASE_URL,
                "CELERY_BROKER_URL": "memory://",
                "SERVER_NAME": None,
                "RATELIMIT_ENABLED": True,
                "RATELIMIT_STORAGE_URI": "memory://",
                **settings,
            }
        )
        made.append(built)
        return built

    yield make
    # One Limiter serves every app in the process: the suite's app must find it off again.
    limiter.enabled = False
    limiter._storage_dead = False
    app.extensions["celery"].set_default()  # tasks run in the suite's app again
    for built in made:
        with built.app_context():
            db.engine.dispose()


@pytest.fixture
def chair(app_ctx):
    return factories.user(roles=[Role.MET_CHAIR], email=CHAIR)


def sign_in(client, email, password=WRONG, *, client_address=None):
    """A sign-in through the proxy: with `client_address`, the proxy names the client
    in X-Forwarded-For, as nginx's $proxy_add_x_forwarded_for does."""
    headers = {"X-Forwarded-For": client_address} if client_address else {}
    environ = {"REMOTE_ADDR": PROXY}
    token = csrf_from(client.get("/login", headers=headers, environ_base=environ))
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        headers=headers,
        environ_base=environ,
    )


def status(client, email, client_address, password=WRONG) -> int:
    return sign_in(client, email, password, client_address=client_address).status_code


def _words(response) -> str:
    """The error message on the page, times taken out (they differ by the minute)."""
    match = re.search(r"There have been too many attempts[^<]*", response.get_data(as_text=True))
    return re.sub(r"\d", "#", match.group(0)) if match else ""


def test_a_flood_at_a_made_up_address_does_not_lock_out_the_real_user(make_app, chair):
    # Issue 15: behind the proxy, ten bad sign-ins for a made-up e-mail locked out the chair.
    # The limit per account set aside, so that the limit per address is what is tried.
    client = make_app(PROXY_COUNT=1, LOGIN_ACCOUNT_RATE_LIMIT="1000 per minute").test_client()
    answers = [status(client, "made.up@example.org", "203.0.113.9") for _ in range(12)]
    assert answers == [400] * 9 + [429] * 3  # the flood itself is stopped (and that address locked)

    response = sign_in(client, CHAIR, factories.PASSWORD, client_address="198.51.100.7")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_with_no_proxy_named_forwarded_for_is_not_believed(make_app, chair):
    # PROXY_COUNT=0: a client cannot dodge the limit per address by naming a new one each time.
    client = make_app(PROXY_COUNT=0, LOGIN_ACCOUNT_RATE_LIMIT="1000 per minute").test_client()
    answers = [status(client, f"someone{n}@example.org", f"203.0.113.{n}") for n in range(11)]
    assert answers[:10] == [400] * 10
    assert answers[10] == 429


def test_guesses_from_many_addresses_at_one_account_are_slowed(make_app, chair):
    # Issue 15: twenty-four guesses from different addresses were never slowed.
    client = make_app(PROXY_COUNT=1).test_client()
    answers = [sign_in(client, CHAIR, client_address=f"203.0.113.{n}") for n in range(1, 7)]
    assert [r.status_code for r in answers] == [400] * 5 + [429]
    assert PAUSED in answers[-1].get_data(as_text=True)
    assert int(answers[-1].headers["Retry-After"]) > 0
    # The typed spelling does not matter: the same account, the same limit.
    assert status(client, "  Chair@Example.ORG ", "203.0.113.99") == 429


def test_repeated_failures_lock_the_account_for_a_period_even_with_the_right_password(make_app, chair):
    client = make_app(PROXY_COUNT=1, LOGIN_ACCOUNT_RATE_LIMIT="1000 per minute").test_client()
    start = now()
    set_now(start)
    answers = [status(client, CHAIR, f"203.0.113.{n}") for n in range(1, 11)]
    assert answers == [400] * 9 + [429]  # the tenth failure (LOGIN_LOCKOUT_FAILURES) locks

    response = sign_in(client, CHAIR, factories.PASSWORD, client_address="198.51.100.7")
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert PAUSED in page
    until = (start + timedelta(minutes=15)).astimezone(LONDON).strftime("%H:%M")
    assert f"Try again after {until}" in page

    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()
    assert "auth.sign_in_locked" in actions
    assert actions[-1] == "auth.sign_in_paused"
    locked = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.sign_in_locked"))
    assert (locked.record_type, locked.record_id) == ("user", str(chair.id))
    # The lock is kept under a keyed hash, never the address typed.
    assert CHAIR not in db.session.scalar(select(SignInFailure.account_key))

    set_now(start + timedelta(minutes=16))
    assert sign_in(client, CHAIR, factories.PASSWORD, client_address="198.51.100.7").status_code == 302


def test_an_address_with_no_account_gets_the_same_words_and_status(make_app, chair):
    client = make_app(PROXY_COUNT=1, LOGIN_ACCOUNT_RATE_LIMIT="1000 per minute").test_client()
    real = [sign_in(client, CHAIR, client_address=f"203.0.113.{n}") for n in range(1, 12)]
    made_up = [sign_in(client, "nobody@example.org", client_address=f"198.51.100.{n}") for n in range(1, 12)]
    assert [r.status_code for r in real] == [r.status_code for r in made_up] == [400] * 9 + [429] * 2
    assert _words(real[-1]) == _words(made_up[-1]) != ""
    # And the per-account limit answers the same too.
    factories.user(email="lead@example.org")
    client = make_app(PROXY_COUNT=1).test_client()
    real = [sign_in(client, "lead@example.org", client_address=f"192.0.2.{n}") for n in range(1, 7)]
    made_up = [
        sign_in(client, "nobody.else@example.org", client_address=f"192.0.2.{n}") for n in range(11, 17)
    ]
    assert [r.status_code for r in real] == [r.status_code for r in made_up] == [400] * 5 + [429]
    assert _words(real[-1]) == _words(made_up[-1]) != ""


def test_a_right_password_forgets_earlier_failures(make_app, chair):
    client = make_app(PROXY_COUNT=1, LOGIN_ACCOUNT_RATE_LIMIT="1000 per minute").test_client()
    for n in range(9):
        assert status(client, CHAIR, f"203.0.113.{n}") == 400
    assert sign_in(client, CHAIR, factories.PASSWORD, client_address="198.51.100.7").status_code == 302
    assert db.session.scalar(select(SignInFailure)) is None


def test_limits_hold_in_each_process_while_redis_is_down(make_app, chair):
    # Issue 15: RATELIMIT_SWALLOW_ERRORS=True turned the limit off while Redis was down.
    built = make_app(PROXY_COUNT=1, RATELIMIT_STORAGE_URI=DEAD_REDIS)
    client = built.test_client()
    with built.app_context():
        assert not limiter.storage.check()  # really down
    per_account = [status(client, CHAIR, f"203.0.113.{n}") for n in range(1, 7)]
    assert per_account == [400] * 5 + [429]
    per_address = [status(client, f"someone{n}@example.org", "198.51.100.7") for n in range(11)]
    assert per_address == [400] * 10 + [429]
    # Someone else, from another address, still signs in: no 500, no lock-out of everyone.
    factories.user(email="lead@example.org")
    assert status(client, "lead@example.org", "192.0.2.5", factories.PASSWORD) == 302


def test_audit_names_the_client_only_behind_a_trusted_proxy(make_app, chair):
    for count, expected in ((0, PROXY), (1, "203.0.113.5")):
        client = make_app(PROXY_COUNT=count).test_client()
        # A client's own X-Forwarded-For entry ("6.6.6.6") is never believed: the proxy
        # appends the address it saw, and only the proxies' entries are counted.
        sign_in(client, CHAIR, client_address="6.6.6.6, 203.0.113.5")
        row = db.session.scalar(
            select(AuditEvent)
            .where(AuditEvent.action == "auth.sign_in_failed")
            .order_by(AuditEvent.seq.desc())
        )
        assert row.ip_address == expected


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("PROXY_COUNT", -1),
        ("PROXY_COUNT", "two"),
        ("LOGIN_LOCKOUT_FAILURES", 0),
        ("LOGIN_LOCKOUT_MINUTES", "soon"),
        ("LOGIN_ACCOUNT_RATE_LIMIT", "lots"),
    ],
)
def test_a_bad_setting_stops_start_up_naming_it(setting, value):
    with pytest.raises(RuntimeError, match=setting):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", setting: value})


def test_the_purge_deletes_only_rows_that_no_longer_count_or_lock(app_ctx):
    from mettrack import accounts
    from mettrack.accounts import lockout

    start = now()
    set_now(start)
    for _ in range(10):
        lockout.record_failure("locked@example.org")
    lockout.record_failure("once@example.org")
    assert accounts.purge_stale_sign_in_failures() == 0
    set_now(start + timedelta(minutes=15, seconds=1))  # the lock and the window are over
    lockout.record_failure("again@example.org")
    assert accounts.purge_stale_sign_in_failures() == 2
    assert db.session.scalar(select(SignInFailure.account_key)) == lockout.account_key("again@example.org")


def test_an_oversized_sign_in_form_is_413_and_leaves_the_limits_working(make_app, chair):
    client = make_app(PROXY_COUNT=1).test_client()
    environ = {"REMOTE_ADDR": PROXY}
    token = csrf_from(client.get("/login", environ_base=environ))
    body = {"email": CHAIR, "password": "x" * (2 * 1024 * 1024), "csrf_token": token}
    assert client.post("/login", data=body, environ_base=environ).status_code == 413
    assert not limiter._storage_dead  # not taken for the limit store being down
    answers = [status(client, CHAIR, f"203.0.113.{n}") for n in range(1, 7)]
    assert answers == [400] * 5 + [429]


def test_the_limits_are_kept_in_redis_when_it_is_up(make_app, chair, redis_url):
    import redis

    client = make_app(PROXY_COUNT=1, RATELIMIT_STORAGE_URI=redis_url).test_client()
    answers = [status(client, CHAIR, f"203.0.113.{n}") for n in range(1, 7)]
    assert answers == [400] * 5 + [429]
    assert not limiter._storage_dead
    keys = redis.Redis.from_url(redis_url).keys("LIMITS*")
    assert keys  # counted in Redis, where every web node sees them
    assert not any(b"chair" in key for key in keys)  # under a keyed hash, never the address


def test_failures_at_the_same_moment_for_a_new_address_are_both_counted(app, postgres):
    # Two web nodes' first failures for one address at once must not clash on the
    # unique key (a 500): ON CONFLICT DO NOTHING, then a locked row.
    import threading

    from mettrack.accounts import lockout

    barrier, errors = threading.Barrier(4), []

    def fail():
        with app.app_context():
            try:
                barrier.wait()
                lockout.record_failure("race@example.org")
            except Exception as e:  # noqa: BLE001
                errors.append(e)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=fail) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.app_context():
        assert db.session.scalar(select(SignInFailure.failures)) == 4
