"""Models, one aggregate per module. Importing this package registers every table."""

from mettrack.models.agency import Agency
from mettrack.models.api_token import ApiToken
from mettrack.models.audit_event import AuditEvent
from mettrack.models.case import Case, CaseEvent, CaseTag, CaseTeamMember
from mettrack.models.child import Child
from mettrack.models.missing import MissingEpisode, PhilomenaProfile
from mettrack.models.note import CaseNote, LanguagePhrase
from mettrack.models.reference import ReferenceItem
from mettrack.models.reminder import Reminder
from mettrack.models.risk import RiskAssessment, RiskIndicator, RiskRating
from mettrack.models.screening import Screening
from mettrack.models.service_assignment import ServiceAssignment
from mettrack.models.user import User, UserRole
from mettrack.models.user_session import UserSession

__all__ = [
    "Agency",
    "ApiToken",
    "AuditEvent",
    "Case",
    "CaseEvent",
    "CaseNote",
    "CaseTag",
    "CaseTeamMember",
    "Child",
    "LanguagePhrase",
    "MissingEpisode",
    "PhilomenaProfile",
    "ReferenceItem",
    "Reminder",
    "RiskAssessment",
    "RiskIndicator",
    "RiskRating",
    "Screening",
    "ServiceAssignment",
    "User",
    "UserRole",
    "UserSession",
]
