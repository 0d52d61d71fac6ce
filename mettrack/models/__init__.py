"""Models, one aggregate per module. Importing this package registers every table."""

from mettrack.accounts.agency import Agency
from mettrack.accounts.api_token import ApiToken
from mettrack.accounts.models import User, UserRole
from mettrack.accounts.role_grant import RoleGrant
from mettrack.accounts.sign_in_failure import SignInFailure
from mettrack.accounts.two_factor_credential import RecoveryCode, TwoFactorCredential
from mettrack.cases.models import Case, CaseEvent, CaseTag, CaseTeamMember
from mettrack.children.models import Child
from mettrack.core.audit_event import AuditEvent
from mettrack.core.user_session import UserSession
from mettrack.imports.models import ImportJob
from mettrack.intelligence.models import (
    CaseSubjectLink,
    DisruptionAction,
    DisruptionChild,
    DisruptionKind,
    HandlingGrant,
    IntelligenceItem,
    IntelligenceLink,
    Location,
    PeerLink,
    PersonAlias,
    PersonAssociation,
    PersonOfConcern,
    PersonPhone,
    PersonVehicle,
)
from mettrack.language.models import LanguagePhrase
from mettrack.meetings.models import (
    ActionEvent,
    AgendaItem,
    AgendaPdf,
    AgendaVersion,
    Attendance,
    ClosureProposal,
    ItemMinute,
    LeadUpdate,
    Meeting,
    MeetingAction,
    MeetingAgency,
    MeetingMember,
    MeetingSeries,
    MinutesVersion,
    SeriesAgency,
    SeriesMember,
)
from mettrack.missing.models import MissingEpisode, PhilomenaProfile
from mettrack.notes.models import CaseNote
from mettrack.reference.models import ReferenceItem
from mettrack.reminders.models import Reminder
from mettrack.retention.models import LegalHold, RetentionReview
from mettrack.risk.models import RiskAssessment, RiskIndicator, RiskRating
from mettrack.screening.models import Screening
from mettrack.specialist_services.models import PoliceTierRecord, ServiceRequest, SpecialistService

__all__ = [
    "ActionEvent",
    "Agency",
    "AgendaItem",
    "AgendaPdf",
    "AgendaVersion",
    "ApiToken",
    "Attendance",
    "AuditEvent",
    "Case",
    "CaseEvent",
    "CaseNote",
    "CaseSubjectLink",
    "CaseTag",
    "CaseTeamMember",
    "Child",
    "ClosureProposal",
    "DisruptionAction",
    "DisruptionChild",
    "DisruptionKind",
    "HandlingGrant",
    "ImportJob",
    "IntelligenceItem",
    "IntelligenceLink",
    "ItemMinute",
    "LanguagePhrase",
    "LeadUpdate",
    "LegalHold",
    "Location",
    "Meeting",
    "MeetingAction",
    "MeetingAgency",
    "MeetingMember",
    "MeetingSeries",
    "MinutesVersion",
    "MissingEpisode",
    "PeerLink",
    "PersonAlias",
    "PersonAssociation",
    "PersonOfConcern",
    "PersonPhone",
    "PersonVehicle",
    "PhilomenaProfile",
    "ReferenceItem",
    "Reminder",
    "RetentionReview",
    "RoleGrant",
    "RecoveryCode",
    "TwoFactorCredential",
    "RiskAssessment",
    "RiskIndicator",
    "RiskRating",
    "Screening",
    "SignInFailure",
    "SeriesAgency",
    "SeriesMember",
    "PoliceTierRecord",
    "ServiceRequest",
    "SpecialistService",
    "User",
    "UserRole",
    "UserSession",
]
