"""The records the access matrix runs against (see tests/access/__init__.py)."""

from dataclasses import dataclass

from mettrack.domain.choices import CaseState, Role
from tests import factories

ROUTES = []  # this module holds no routes; it is not an area table


@dataclass
class World:
    emails: dict
    user_ids: dict
    tokens: dict  # role -> bearer secret
    token_ids: dict  # role -> id of that token
    ids: dict

    def placeholders(self, role) -> dict:
        return {**self.ids, "token": self.token_ids[role]}


def issue_token(user) -> tuple[int, str]:
    from mettrack.services import tokens

    token, secret = tokens.create_token(user, name="matrix", actor=user)
    return token.id, secret


def build_world() -> World:
    users = {role: factories.user(roles=[role], agency=f"Agency for {role.value}") for role in Role}
    target = factories.user(roles=[Role.PARTNER], agency="Target agency")
    visible = factories.case(
        lead=users[Role.LEAD_PROFESSIONAL],
        members=[u for r, u in users.items() if r != Role.LEAD_PROFESSIONAL],
        state=CaseState.MET_REVIEW,
    )
    hidden = factories.case(lead=None, state=CaseState.CLOSED)
    from tests.access.missing import build_records as build_missing_records

    missing_ids = build_missing_records(visible, hidden, users[Role.LEAD_PROFESSIONAL])
    from tests.access.risk import build_records as build_risk_records

    risk_ids = build_risk_records(visible, hidden, users[Role.LEAD_PROFESSIONAL])
    from tests.access.services import build_records as build_service_records

    service_ids = build_service_records(visible, hidden, users[Role.LEAD_PROFESSIONAL])
    from tests.access.team import build_records as build_team_records

    team_ids = build_team_records(visible, hidden, users[Role.LEAD_PROFESSIONAL])
    from tests.access.reference_admin import build_records as build_reference_records

    reference_ids = build_reference_records()
    tokens, token_ids = {}, {}
    for role, user in users.items():
        token_ids[role], tokens[role] = issue_token(user)
    return World(
        emails={r: u.email for r, u in users.items()},
        user_ids={r: u.id for r, u in users.items()},
        tokens=tokens,
        token_ids=token_ids,
        ids={
            "case": visible.id,
            "hidden_case": hidden.id,
            "child": visible.child_id,
            "hidden_child": hidden.child_id,
            "user": target.id,
            **missing_ids,
            **reference_ids,
            **risk_ids,
            **service_ids,
            **team_ids,
        },
    )
