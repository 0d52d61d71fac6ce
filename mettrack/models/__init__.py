"""Models, one aggregate per module. Importing this package registers every table."""

from mettrack.models.agency import Agency
from mettrack.models.api_token import ApiToken
from mettrack.models.audit_event import AuditEvent
from mettrack.models.case import Case, CaseEvent, CaseTeamMember
from mettrack.models.child import Child
from mettrack.models.user import User, UserRole
from mettrack.models.user_session import UserSession

__all__ = [
    "Agency",
    "ApiToken",
    "AuditEvent",
    "Case",
    "CaseEvent",
    "CaseTeamMember",
    "Child",
    "User",
    "UserRole",
    "UserSession",
]
