"""Why a police user opens a child's case record (Data Protection Act 2018, section 62: a
law enforcement processor logs the justification of each consultation).

A user of a police agency (the agency's sector, as permissions.is_intelligence_reviewer
reads it) says why before the case page, the child's page or the API's read of a case or
child: the meeting the case is on the agenda of, an action of theirs on the case, or a
typed reason. Pages ask once per case per signed-in session (an interstitial page; the
answer is kept in the server-side session, which sign-out deletes); the API, which has no
session, takes it with every read in the `X-Access-Reason` header and refuses without it
(428, a problem naming the header). The reason goes in the view's own audit row, as ids,
or as the typed words: nothing else about anyone. Users of other agencies are not asked.

`required` is the one place that decides. `ask_before_reading` (a before_request hook,
installed by the app factory) applies it to every GET of a route that names a case or a
child (`case_id` or `child_id` in its URL), pages and API alike, unless the route is listed
in EXEMPT with why: so a route added later is covered by default. It asks only when the
view's own role check and the need-to-know would let the user through (a user without the
role still gets 403, a case outside their need-to-know still 404, so the question reveals
nothing). The reason is kept in `flask.g` for the request, and core/audit.py adds it to
every audit row the request writes (`access_reason`). The case and child pages
(cases/page.py, queries.get_summary_for, children/records.get_for) also put it in their own
row as `reason`, as before.
"""

import re
import unicodedata
from urllib.parse import unquote

from flask import current_app, g, has_request_context, redirect, request, session, url_for
from flask_login import current_user
from sqlalchemy import select

from mettrack.cases.models import Case
from mettrack.cases.scopes import case_summary_scope
from mettrack.core.choices import ActionStatus, AgencySector, MeetingStatus
from mettrack.core.errors import AppError, ValidationError
from mettrack.core.extensions import db
from mettrack.core.permissions import Perm, can, declared_permission
from mettrack.meetings.models import AgendaItem, Meeting, MeetingAction

SESSION_KEY = "case_access_reasons"  # {"<case id>": the reason's audit detail}
HEADER = "X-Access-Reason"
FIELD = "reason"  # the form's choice; "typed_reason" its text
TYPED_FIELD = "typed_reason"
TYPED = "typed"
TEXT_MAX = 200  # characters, in any script
MEETINGS_SHOWN = 10
_CHOICE = re.compile(r"(meeting|action):([0-9]{1,9})")

ASK = (
    "Say why you are opening this child's case: the meeting or action it is for, or a reason "
    f"in your own words (up to {TEXT_MAX} characters)."
)


class AccessReasonRequired(AppError):
    """A police user's read of a case with no reason given yet: pages send the user to the
    question (cases.access_reason), the API answers 428 naming the header."""

    status = 428

    def __init__(self, case_id: int):
        super().__init__(f"an access reason is needed for case {case_id}")
        self.case_id = case_id
        self.detail = f"Send the reason for this read in the {HEADER} header. {ASK}"
        self.errors = {
            HEADER: f"Give 'meeting:<meeting id>', 'action:<action id>' or a reason of up to {TEXT_MAX} "
            "characters (percent-encode characters outside ASCII)."
        }


def asks(user) -> bool:
    """Whether the user is asked: a user of a police agency, whatever their role."""
    agency = getattr(user, "agency", None)
    return getattr(agency, "sector", None) == AgencySector.POLICE


def choices_for(user, case: Case) -> list[tuple[str, str]]:
    """(value, label) for the question's choices: the meetings with the case on their agenda
    (newest first) and the user's open actions on it. Labels name no child."""
    meetings = db.session.scalars(
        select(Meeting)
        .join(AgendaItem, AgendaItem.meeting_id == Meeting.id)
        .where(
            AgendaItem.case_id == case.id,
            AgendaItem.removed_at.is_(None),
            Meeting.status != MeetingStatus.CANCELLED.value,
        )
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
        .limit(MEETINGS_SHOWN)
    ).all()
    actions = db.session.scalars(
        select(MeetingAction)
        .where(
            MeetingAction.case_id == case.id,
            MeetingAction.owner_id == user.id,
            MeetingAction.status == ActionStatus.OPEN.value,
        )
        .order_by(MeetingAction.due_on, MeetingAction.id)
    ).all()
    return [
        *((f"meeting:{m.id}", f"The meeting {m.title}, {m.starts_at:%d %m %Y}") for m in meetings),
        *((f"action:{a.id}", f"My action from a meeting, due {a.due_on:%d %m %Y}") for a in actions),
    ]


def typed_text(raw: str, field: str) -> str:
    """A typed reason, any language: normalised (NFC, spaces collapsed), not empty, at most
    TEXT_MAX characters, no control characters. Refused naming `field`."""
    text = " ".join(unicodedata.normalize("NFC", raw).split())
    if not text:
        raise ValidationError({field: ASK})
    if len(text) > TEXT_MAX:
        raise ValidationError({field: f"Keep the reason to {TEXT_MAX} characters or fewer."})
    if any(unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn") for ch in text):
        raise ValidationError({field: "The reason has characters that cannot be saved."})
    return text


def parse(user, cases: list[Case], choice: str, typed: str, field: str) -> dict:
    """The reason's audit detail from a choice ("meeting:<id>", "action:<id>" or "typed"
    with the typed words). A meeting or action must be one offered for one of `cases`."""
    match = _CHOICE.fullmatch(choice.strip())
    if match:
        offered = {value for case in cases for value, _label in choices_for(user, case)}
        if match.group(0) not in offered:
            raise ValidationError({field: "Choose a meeting or action of this case."})
        return {f"{match.group(1)}_id": int(match.group(2))}
    if choice == TYPED:
        return {"text": typed_text(typed, TYPED_FIELD if field == FIELD else field)}
    raise ValidationError({field: ASK})


def _from_header(user, cases: list[Case]) -> dict:
    raw = request.headers.get(HEADER)
    if raw is None or not raw.strip():
        raise AccessReasonRequired(cases[0].id)
    try:
        # Header values are Latin-1 on the wire: other scripts come percent-encoded (UTF-8).
        value = unquote(raw, errors="strict")
    except UnicodeDecodeError:
        raise ValidationError({HEADER: "Percent-encode the reason as UTF-8."}) from None
    if _CHOICE.fullmatch(value.strip()):
        return parse(user, cases, value, "", HEADER)
    return parse(user, cases, TYPED, value, HEADER)


def remember(case_id: int, detail: dict) -> None:
    """Keep a page user's reason for this case until they sign out."""
    kept = dict(session.get(SESSION_KEY) or {})
    kept[str(case_id)] = detail
    session[SESSION_KEY] = kept


def required(user, cases: list[Case]) -> dict | None:
    """The reason for this read of `cases` (a case, or a child's cases), for its audit row:
    None when the user is not asked; otherwise from the API's header or, for pages, from a
    reason given this session for one of the cases. Raises AccessReasonRequired (naming the
    first case) when there is none, ValidationError when the header's reason is not valid."""
    if not cases or not asks(user):
        return None
    if not has_request_context():
        raise AccessReasonRequired(cases[0].id)  # no session, no header: no reason given
    if request.path.startswith("/api/"):
        return _from_header(user, cases)
    kept = session.get(SESSION_KEY) or {}
    for case in cases:
        if str(case.id) in kept:
            return kept[str(case.id)]
    raise AccessReasonRequired(cases[0].id)


# --- the shared hook: every read of a case's or child's record by a police user

# Routes naming a case or child that are not asked, and why (docs/security.md lists them).
EXEMPT = {
    "cases.access_reason": "the question itself: it shows the case's number and the choices only",
    "retention.hold": "a legal hold: the case's number, the hold and its reason, nothing of the child",
    "retention.delete": "an administrator's retention confirm page: numbers and dates only",
    "api_retention.LegalHolds": "the legal hold through the API: as the page",
}
URL_ARGS = ("case_id", "child_id")
# Where the question may send the user back to: a path on this site, under these.
_NEXT = re.compile(r"/(cases|children|intelligence/network/case)/[0-9]{1,9}(/[A-Za-z0-9_./-]*)?(\?[^\\]*)?")


def cases_in_view(user, args: dict) -> list[Case]:
    """The cases the request's URL names that the user's need-to-know reaches (the case, or
    the child's cases), newest first. Empty: the view answers 404 itself."""
    scope = case_summary_scope(user)
    if args.get("case_id") is not None:
        where = Case.id == args["case_id"]
    else:
        where = Case.child_id == args["child_id"]
    return list(db.session.scalars(select(Case).where(where, scope).order_by(Case.id.desc())))


def safe_next(value: str | None) -> str | None:
    """A path to come back to after the question, if it is one of ours (never another site)."""
    if value and _NEXT.fullmatch(value) and "//" not in value and ".." not in value:
        return value
    return None


def ask_before_reading():
    """before_request: a police user's GET of a route naming a case or child, not EXEMPT,
    that their role and need-to-know allow, needs a reason: pages are sent to the question
    (and brought back), the API answers 428 (or 422 for a reason that is not valid)."""
    g.pop("access_reason", None)  # g may outlive a request (an app context kept open)
    if request.method not in ("GET", "HEAD") or request.endpoint in EXEMPT:
        return None
    args = request.view_args or {}
    if not any(args.get(name) is not None for name in URL_ARGS):
        return None
    user = current_user
    if not getattr(user, "is_authenticated", False) or not asks(user):
        return None
    view = current_app.view_functions.get(request.endpoint)
    declared = declared_permission(view, request.method) if view is not None else None
    if not isinstance(declared, Perm) or not can(user, declared):
        return None  # the view refuses (403) as for anyone
    cases = cases_in_view(user, args)
    if not cases:
        return None  # outside need-to-know: the view answers 404, the question is not shown
    try:
        g.access_reason = required(user, cases)
    except AccessReasonRequired as needed:
        if request.path.startswith("/api/"):
            raise
        if request.endpoint == "cases.detail":
            back = {}  # the question's own default
        elif request.endpoint == "children.detail":
            back = {"to": "child"}
        else:
            back = {"next": request.full_path.rstrip("?")}
        return redirect(url_for("cases.access_reason", case_id=needed.case_id, **back))
    return None
