"""A small world for the disruption tests: a reviewer (a police officer with a case role),
a MET chair, a lead professional, children of chosen ages and care status with cases, a
person of concern and a location."""

from datetime import UTC, date, datetime

from mettrack.core.choices import LookedAfterStatus, Role
from mettrack.core.clock import set_now
from mettrack.core.extensions import db
from mettrack.intelligence.disruption_catalogue import seed_defaults
from tests import factories
from tests.intelligence import factories as intel

NOW = datetime(2026, 6, 15, 12, tzinfo=UTC)  # today: 15 June 2026


def born_years_ago(years: int) -> date:
    return date(2026 - years, 1, 10)


def make_world() -> dict:
    set_now(NOW)
    seed_defaults()
    db.session.commit()
    officer = intel.police_user(Role.PARTNER, email="officer@example.org", name="Pat Officer")
    chair = factories.user(roles=[Role.MET_CHAIR], email="chair@example.org", name="Morgan Chair")
    lead = factories.user(roles=[Role.LEAD_PROFESSIONAL], email="lead@example.org", name="Lee Lead")
    stranger = factories.user(roles=[Role.PARTNER], email="stranger@example.org", agency="Far agency")

    def child_case(first, age, status=None, members=()):
        kid = factories.child(
            first_name=first,
            last_name="Example",
            date_of_birth=born_years_ago(age) if age is not None else None,
            looked_after=status is not None,
            looked_after_status=status.value if status else None,
        )
        return factories.case(lead=lead, members=[officer, *members], child_obj=kid)

    cases = {
        "young": child_case("Ayla", 15),
        "care16": child_case("Bea", 16, LookedAfterStatus.CARE_ORDER),
        "s20": child_case("Cal", 16, LookedAfterStatus.SECTION_20),
        "adult": child_case("Dani", 18),
    }
    person = intel.person(officer, name="Dale Sample")
    place = intel.location(officer, name="Harbour View Hotel")
    return {
        "officer": officer,
        "chair": chair,
        "lead": lead,
        "stranger": stranger,
        "cases": cases,
        "person": person,
        "place": place,
    }
