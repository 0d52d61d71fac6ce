"""THE place that decides who may see or do what.

Two questions, always in this order:
1. May this user's roles do this kind of thing at all?  No -> 403 (the action is named,
   nothing about any record is revealed).
2. Is this record within the user's need-to-know?  No -> 404, so that its existence is
   not revealed. Records are fetched *through* the scopes below, never by bare id:
   case_scope for the whole record, case_summary_scope for the case list, the case
   summary and its specialist services (a coordinator's every open case).

Every view, page or API, declares its permission with @requires(...) or @public; a view
that declares neither is refused (deny by default), and tests/web/test_route_access.py
fails for a route missing from its table. Both refusals write an audit row committed on
its own.
"""

from enum import StrEnum
from functools import wraps

from flask import abort, current_app, request
from flask_login import current_user

from mettrack.core import audit, refusal_audit
from mettrack.core.choices import AgencySector, AuditOutcome, Role
from mettrack.core.errors import NotAllowed, NotFound


class Perm(StrEnum):
    SIGNED_IN = "signed_in"  # own home page, own account, own tokens
    CASE_LIST = "case.list"
    CASE_VIEW = "case.view"
    USER_ADMIN = "user.admin"
    AUDIT_SEARCH = "audit.search"
    AUDIT_SEARCH_RECORDS = "audit.search_records"  # by record, not only by user and date
    STATS_VIEW = "stats.view"
    CHILD_CREATE = "child.create"
    CHILD_EDIT = "child.edit"
    CASE_SCREEN = "case.screen"
    CASE_TRANSITION = "case.transition"  # which moves a role may make: cases/workflow.py
    MISSING_RECORD = "missing.record"
    PHILOMENA_EDIT = "philomena.edit"
    SERVICE_ASSIGN = "service.assign"  # record a specialist service on a case, and its end
    RISK_ASSESS = "risk.assess"  # record a risk assessment (docs/risk.md)
    REFERENCE_DATA_ADMIN = "reference.admin"
    # The case team and the lead professional: the chair, or the case's lead (cases/team.py).
    CASE_TEAM_MANAGE = "case.team"
    CASE_REASSIGN = "case.reassign"  # the chair's list of cases whose lead must be replaced
    # Exploitation types, flags, places of harm, NRM: the chair, or the case's lead.
    CASE_CLASSIFY = "case.classify"
    NOTE_WRITE = "note.write"  # add a case note (notes are read with case.view)
    LANGUAGE_CHECK = "language.check"  # check a text against the language list (API)
    REFERRAL_RECORD = "referral.record"  # the MASH reference and outcome of a referral made
    REMINDER_LOG = "reminder.log"  # every reminder sent or failed, and sending one again
    # MET meetings (docs/meetings.md): which meeting is decided by membership
    # (meetings/membership.py), as need-to-know decides which case.
    MEETING_VIEW = "meeting.view"  # a meeting one is a member of: issued agendas, approved minutes
    MEETING_MANAGE = "meeting.manage"  # schedule, build and issue agendas, attendance, minutes, apply
    MEETING_CONTRIBUTE = "meeting.contribute"  # a lead's update for a meeting; proposing a closure
    ACTION_UPDATE = "action.update"  # an action's owner marks it done or not done
    # Intelligence (docs/intelligence.md): which item, place or person is decided by
    # intelligence/access.py (reviewers are MET chairs and police users with a case role).
    INTEL_SHARE = "intel.share"  # submit Community Partnership Information, read one's own
    INTEL_VIEW = "intel.view"  # intelligence, places, persons and disruptions within reach
    INTEL_REVIEW = "intel.review"  # grade, link, sanitise; places, persons, disruptions, hotspots
    AGENCY_ADMIN = "agency.admin"  # agencies and their sector
    SERVICE_BOARD = "service.board"  # the coordinator's board of cases and services (docs/services-board.md)
    POLICE_TIER_SET = "police_tier.set"  # the MET chair sets or changes a case's police tier
    # A second person's approval of a role an administrator gave (accounts/rules.py).
    ROLE_GRANT_DECIDE = "role_grant.decide"
    # Retention and subject access (docs/retention.md).
    RETENTION_REVIEW = "retention.review"  # the review list and confirming a deletion
    LEGAL_HOLD = "retention.legal_hold"  # set or clear a case's legal hold
    SUBJECT_ACCESS = "retention.subject_access"  # export everything held about one child
    CASES_IMPORT = "cases.import"  # import the partnership's exploitation list (docs/imports.md)


CASE_WORKERS = {Role.MET_CHAIR, Role.LEAD_PROFESSIONAL, Role.COORDINATOR, Role.PARTNER}

ROLE_PERMISSIONS: dict[Perm, frozenset[Role]] = {
    Perm.SIGNED_IN: frozenset(Role),
    Perm.CASE_LIST: frozenset(CASE_WORKERS),
    Perm.CASE_VIEW: frozenset(CASE_WORKERS),
    Perm.USER_ADMIN: frozenset({Role.ADMIN}),
    Perm.AUDIT_SEARCH: frozenset({Role.MET_CHAIR, Role.ADMIN}),
    Perm.AUDIT_SEARCH_RECORDS: frozenset({Role.MET_CHAIR}),
    Perm.STATS_VIEW: frozenset({Role.MET_CHAIR, Role.ANALYST}),
    # Any professional role may screen a child, which may start a child's record and case.
    Perm.CHILD_CREATE: frozenset(CASE_WORKERS),
    # Granted to every case worker; need-to-know (case_scope) decides on which children
    # and cases: a coordinator edits, notes and records missing episodes only on a case
    # whose team they are on, never on a case summary.
    Perm.CHILD_EDIT: frozenset(CASE_WORKERS),
    Perm.CASE_SCREEN: frozenset(CASE_WORKERS),
    Perm.CASE_TRANSITION: frozenset(CASE_WORKERS),
    Perm.MISSING_RECORD: frozenset(CASE_WORKERS),
    Perm.PHILOMENA_EDIT: frozenset(CASE_WORKERS),
    # DESIGN.md: the coordinator assigns specialist services and tracks their acceptance.
    Perm.SERVICE_ASSIGN: frozenset({Role.COORDINATOR}),
    # DESIGN.md: the lead professional completes the risk assessment; the chair decides risk levels.
    Perm.RISK_ASSESS: frozenset({Role.MET_CHAIR, Role.LEAD_PROFESSIONAL}),
    Perm.REFERENCE_DATA_ADMIN: frozenset({Role.ADMIN}),
    # DESIGN.md: the chair owns the exploitation list; the lead professional maintains the
    # case. Which case: cases/team.py and cases/classification.py.
    Perm.CASE_TEAM_MANAGE: frozenset({Role.MET_CHAIR, Role.LEAD_PROFESSIONAL}),
    Perm.CASE_REASSIGN: frozenset({Role.MET_CHAIR}),
    Perm.CASE_CLASSIFY: frozenset({Role.MET_CHAIR, Role.LEAD_PROFESSIONAL}),
    # Case notes: any case worker, on the cases within their need-to-know (docs/notes.md).
    Perm.NOTE_WRITE: frozenset(CASE_WORKERS),
    Perm.LANGUAGE_CHECK: frozenset(CASE_WORKERS),
    # Those who may refer (cases/workflow.py) record what came of it: cases/referral.py.
    Perm.REFERRAL_RECORD: frozenset({Role.MET_CHAIR, Role.LEAD_PROFESSIONAL}),
    # The chair is told of overdue work and holds the MET list: reminders that could not
    # be sent are theirs to follow up (docs/notifications.md).
    Perm.REMINDER_LOG: frozenset({Role.MET_CHAIR}),
    # DESIGN.md, MET meeting: members see what the meeting shares; only chairs run meetings.
    Perm.MEETING_VIEW: frozenset(CASE_WORKERS),
    Perm.MEETING_MANAGE: frozenset({Role.MET_CHAIR}),
    Perm.MEETING_CONTRIBUTE: frozenset({Role.MET_CHAIR, Role.LEAD_PROFESSIONAL}),
    Perm.ACTION_UPDATE: frozenset(CASE_WORKERS),
    # DESIGN.md: any professional shares information; reviewers are MET chairs and police
    # users with a case role, so the role grants the chance and the agency's sector decides
    # (intelligence/access.py: a case worker of another sector gets 403 there too).
    Perm.INTEL_SHARE: frozenset(CASE_WORKERS),
    Perm.INTEL_VIEW: frozenset(CASE_WORKERS),
    Perm.INTEL_REVIEW: frozenset(CASE_WORKERS),
    Perm.AGENCY_ADMIN: frozenset({Role.ADMIN}),
    # DESIGN.md: the coordinator tracks services' acceptance; the chair oversees the MET list.
    Perm.SERVICE_BOARD: frozenset({Role.COORDINATOR, Role.MET_CHAIR}),
    # DESIGN.md: the MET chair decides the police tier (directly, or by a meeting's decision).
    Perm.POLICE_TIER_SET: frozenset({Role.MET_CHAIR}),
    # docs/security.md, "Separation of duties": the MET chair role waits for a chair's approval.
    Perm.ROLE_GRANT_DECIDE: frozenset({Role.MET_CHAIR}),
    # docs/retention.md: an administrator confirms deletions (seeing ids and dates only, never
    # a child's name); a hold may be set by either; a subject access export reads every
    # record about a child, so only the MET chair, who already sees every case, makes one.
    Perm.RETENTION_REVIEW: frozenset({Role.ADMIN}),
    Perm.LEGAL_HOLD: frozenset({Role.ADMIN, Role.MET_CHAIR}),
    Perm.SUBJECT_ACCESS: frozenset({Role.MET_CHAIR}),
    # Issue 17: the chair owns the exploitation list; an administrator sets METtrack up
    # from the partnership's spreadsheet.
    Perm.CASES_IMPORT: frozenset({Role.ADMIN, Role.MET_CHAIR}),
}


def is_intelligence_reviewer(user) -> bool:
    """DESIGN.md, Intelligence: reviewers are MET chairs and users of a police agency who
    hold a case role (the agency's sector is kept by admins), the latter only once a MET
    chair has approved their access (docs/security.md, "Separation of duties": the flag is
    set only by that approval, and cleared when the account stops being a police user
    with a case role)."""
    if Role.MET_CHAIR in user.roles:
        return True
    agency = getattr(user, "agency", None)
    return (
        bool(user.roles & CASE_WORKERS)
        and getattr(agency, "sector", None) == AgencySector.POLICE
        and bool(getattr(user, "intelligence_review_approved", False))
    )


# Permissions that the agency a user belongs to narrows further than their roles.
AGENCY_RULES = {Perm.INTEL_REVIEW: is_intelligence_reviewer}


def can(user, perm: Perm) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if perm is Perm.SIGNED_IN:
        # Held with no role at all: an account whose only role waits for a MET chair's
        # approval (accounts/rules.py) still changes its password and signs out.
        return True
    if not user.roles & ROLE_PERMISSIONS[perm]:
        return False
    rule = AGENCY_RULES.get(perm)
    return rule is None or rule(user)


def deny_record(record_type: str, record_id, action: str) -> NotFound:
    """Audit a refused record access and return the NotFound to raise."""
    audit.record_now(f"{action}.denied", record_type, record_id, outcome=AuditOutcome.DENIED)
    return NotFound(record_type, record_id)


def deny_role(record_type: str, record_id, action: str) -> NotAllowed:
    """Audit an action the user's roles do not allow, on the record they named, and return
    the NotAllowed to raise (403: the role is refused before the record is looked at)."""
    audit.record_now(
        f"{action}.denied", record_type, record_id, detail={"reason": "role"}, outcome=AuditOutcome.DENIED
    )
    return NotAllowed(action)


def require(user, perm: Perm, action: str) -> None:
    """Raise NotAllowed (audited as permission.denied) when the user's roles do not allow
    `perm`. Views check first with @requires; this keeps a use case safe when called alone
    (the command line, another use case)."""
    if not can(user, perm):
        audit.record_now(
            "permission.denied",
            detail={"permission": str(perm), "action": action},
            outcome=AuditOutcome.DENIED,
            actor=user,
        )
        raise NotAllowed(action)


def check(perm: Perm) -> None:
    """Abort with 401 (not signed in) or 403 (role does not allow), auditing the 403."""
    if not current_user.is_authenticated:
        refusal_audit.anonymous_refused()  # rate-limited per address (core/refusal_audit.py)
        if request.blueprint and request.blueprint.startswith("api"):
            abort(401)
        abort(current_app.login_manager.unauthorized())
    if not can(current_user, perm):
        audit.record_now(
            "permission.denied",
            detail={"permission": str(perm), "endpoint": request.endpoint, "method": request.method},
            outcome=AuditOutcome.DENIED,
        )
        abort(403)


def requires(perm: Perm):
    """Declare and enforce the permission a view needs."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            check(perm)
            return view(*args, **kwargs)

        wrapped.required_permission = perm
        return wrapped

    return decorator


def public(view):
    """Declare a view that needs no sign-in (the sign-in page, the health check)."""
    view.required_permission = None
    view.is_public = True
    return view


def declared_permission(view, method: str):
    """The declaration on a view function or on a MethodView's handler, or a marker
    saying there is none."""
    target = view
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        target = getattr(view_class, method.lower(), None)
        if target is None and method == "HEAD":
            target = getattr(view_class, "get", None)
    if target is None:
        return _UNDECLARED
    if getattr(target, "is_public", False):
        return None
    return getattr(target, "required_permission", _UNDECLARED)


_UNDECLARED = object()


def enforce_declared_access() -> None:
    """before_request: refuse any view that did not declare its access (deny by default)."""
    if request.endpoint is None or request.endpoint == "static":
        return
    view = current_app.view_functions.get(request.endpoint)
    if view is None:
        return
    if request.method == "OPTIONS":
        return
    declared = declared_permission(view, request.method)
    if declared is _UNDECLARED:
        current_app.logger.error("endpoint %s declares no permission", request.endpoint)
        abort(403)
