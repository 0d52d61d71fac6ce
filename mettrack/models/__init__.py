"""Models, one aggregate per module. Importing this package registers every table."""

from mettrack.accounts.agency import Agency
from mettrack.accounts.api_token import ApiToken
from mettrack.accounts.models import User, UserRole
from mettrack.cases.models import Case, CaseEvent, CaseTag, CaseTeamMember
from mettrack.children.models import Child
from mettrack.core.audit_event import AuditEvent
from mettrack.core.user_session import UserSession
from mettrack.language.models import LanguagePhrase
from mettrack.missing.models import MissingEpisode, PhilomenaProfile
from mettrack.notes.models import CaseNote
from mettrack.reference.models import ReferenceItem
from mettrack.reminders.models import Reminder
from mettrack.risk.models import RiskAssessment, RiskIndicator, RiskRating
from mettrack.screening.models import Screening
from mettrack.specialist_services.models import ServiceAssignment

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
