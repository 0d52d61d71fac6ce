"""Made-up demonstration data for the case team and each case's exploitation types,
flags, places of harm and NRM details (called by demo/load.py per demo case).

Both CSE and CCE are there, one child is exploited in both ways, several cases are
county lines, one child has an NRM referral with a positive reasonable grounds
decision, and one case is led by a deactivated lead professional, so that the MET
chair's "Cases to reassign" has something on it. Every name is invented.
"""

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from mettrack.accounts import get_or_create_agency, hash_password, set_active
from mettrack.accounts.models import User
from mettrack.cases import change_lead
from mettrack.cases import save as case_classification_save
from mettrack.core import clock
from mettrack.core.choices import NrmDecision, Role
from mettrack.core.extensions import db
from mettrack.core.unit_of_work import unit_of_work

FORMER_LEAD_EMAIL = "former.lead@demo.mettrack.test"
FORMER_LEAD_NAME = "Drew Formerlead"
FORMER_LEAD_AGENCY = "Early Help and Prevention"
FORMER_LEAD_CASE = 9  # the demo child whose lead has left (index in demo.DEMO_CHILDREN)
NRM_CASE = 5  # the demo child with an NRM referral

# By the demo child's index: (exploitation types, flags, places of harm). The second
# child is only screened and has none yet: the kind of harm is not known.
TAGS = {
    0: (["cse"], ["online"], ["online"]),
    1: ([], [], []),
    2: (["cse"], ["missing_linked"], ["private_address", "hotel"]),
    3: (["cce"], ["county_lines"], ["public_place"]),
    4: (["cse"], ["online"], ["online", "private_address"]),
    5: (
        ["cce"],
        ["county_lines", "gang_ocg", "missing_linked", "trafficking"],
        ["public_place", "private_address"],
    ),
    6: (["cse", "cce"], ["county_lines", "trafficking"], ["hotel", "private_address"]),
    7: (["cce"], ["gang_ocg"], ["public_place"]),
    8: (["cse"], ["online", "missing_linked"], ["online", "hotel"]),
    9: (["cce"], ["county_lines"], ["public_place", "private_address"]),
    10: (["cse"], [], ["private_address"]),
    11: (["cce"], ["county_lines", "missing_linked"], ["public_place"]),
}


def _classification(n: int, with_nrm: bool = False) -> dict:
    types, flags, places = TAGS.get(n, ([], [], []))
    data = {"exploitation_types": types, "flags": flags, "harm_locations": places}
    if with_nrm:
        today = clock.today()
        data |= {
            "nrm_referred_on": today - timedelta(days=40),
            "nrm_reasonable_grounds": NrmDecision.POSITIVE.value,
            "nrm_reasonable_grounds_on": today - timedelta(days=33),
            "nrm_conclusive_grounds": NrmDecision.PENDING.value,
        }
    return data


def classify(demo, *, with_nrm: bool = False) -> None:
    """The lead professional records demo case number `n`'s exploitation types, flags and
    places of harm (cases/classification.save), and for one of them later an NRM
    referral (positive reasonable grounds, conclusive awaited). A case with none yet is
    left as the screening opened it."""
    data = _classification(demo.n, with_nrm)
    if not any(data.values()):
        return
    case = demo.case
    case_classification_save(demo.cast.leading(case), case.id, data, case.version)


def _former_lead() -> User:
    user = db.session.scalar(select(User).where(User.email == FORMER_LEAD_EMAIL))
    if user is None:
        with unit_of_work():
            user = _new_former_lead()
    return user


def _new_former_lead() -> User:
    user = User(
        email=FORMER_LEAD_EMAIL,
        name=FORMER_LEAD_NAME,
        agency=get_or_create_agency(FORMER_LEAD_AGENCY),
        password_hash=hash_password(secrets.token_urlsafe(24)),  # no sign-in: deactivated below
    )
    user.set_roles([Role.LEAD_PROFESSIONAL])
    db.session.add(user)
    return user


def steps(demo, start: datetime, users: dict) -> list:
    """Who: demo/load.py while planning the demo. For one demo case, a lead
    professional who took the case over and has since left (deactivated by the
    administrator), with the demo lead professional still on the team as a member; for
    another, its NRM referral."""
    planned = []
    if demo.n == FORMER_LEAD_CASE:

        def hand_over() -> None:
            case = demo.case
            former = _former_lead()
            change_lead(users[Role.MET_CHAIR], case.id, {"user_id": former.id}, case.version)

        def leave() -> None:
            set_active(_former_lead(), False, actor=users[Role.ADMIN])

        planned += [
            (start - timedelta(days=5), demo.n, 60, hand_over),
            (start - timedelta(days=3), demo.n, 61, leave),
        ]
    if demo.n == NRM_CASE:
        planned.append((start, demo.n, 62, lambda: classify(demo, with_nrm=True)))
    return planned
