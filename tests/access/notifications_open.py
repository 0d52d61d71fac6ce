"""Opening a notification from the list marks it read: a POST (issue 15, finding 10), so
that the GET at /notifications/<id> (the e-mail's link) changes nothing. `{notification}`
is a reminder row for the signed-in test user (tests/access/reminders.py says why another
user's is checked in tests/web/test_notifications.py)."""

from tests.access import ALL_ROLES, Route

ROUTES = [
    Route(
        "POST",
        "notifications.open_and_mark_read",
        "/notifications/{notification}/open",
        allowed=ALL_ROLES,
        ok=302,
    ),
]
