"""Enumerations, each defined once and used by models, forms, API schemas and filters."""

from enum import StrEnum


class Role(StrEnum):
    MET_CHAIR = "met_chair"
    LEAD_PROFESSIONAL = "lead_professional"
    COORDINATOR = "coordinator"
    PARTNER = "partner"
    ANALYST = "analyst"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.MET_CHAIR: "MET chair",
    Role.LEAD_PROFESSIONAL: "Lead professional",
    Role.COORDINATOR: "Coordinator",
    Role.PARTNER: "Partner agency practitioner",
    Role.ANALYST: "Analyst",
    Role.ADMIN: "Administrator",
}


class CaseState(StrEnum):
    SCREENED = "screened"
    REFERRED = "referred"
    MET_REVIEW = "met_review"
    POLICE_TIERED = "police_tiered"
    SERVICE_ASSIGNED = "service_assigned"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return CASE_STATE_LABELS[self]


CASE_STATE_LABELS = {
    CaseState.SCREENED: "Screened",
    CaseState.REFERRED: "Referred to Children's Services",
    CaseState.MET_REVIEW: "For MET review",
    CaseState.POLICE_TIERED: "Police tier set",
    CaseState.SERVICE_ASSIGNED: "Specialist service assigned",
    CaseState.CLOSED: "Closed",
}

OPEN_STATES = frozenset(CaseState) - {CaseState.CLOSED}


class RiskLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def label(self) -> str:
        # The partnership's procedure names medium "moderate" and high "significant".
        return {"low": "Low", "medium": "Medium (moderate)", "high": "High (significant)"}[self]


class TeamRole(StrEnum):
    LEAD = "lead"
    MEMBER = "member"


class AuditOutcome(StrEnum):
    OK = "ok"
    DENIED = "denied"
    FAILED = "failed"
