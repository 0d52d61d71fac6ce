"""The CAWN check by table (issue 13, "Done when"): which section a Child Abduction Warning
Notice cites for a child's age and looked-after status, or why neither does."""

import pytest

from mettrack.core.choices import CawnSection, LookedAfterStatus
from mettrack.intelligence.cawn import cawn_section

S2 = CawnSection.CHILD_ABDUCTION_ACT_S2
S49 = CawnSection.CHILDREN_ACT_S49
L = LookedAfterStatus


@pytest.mark.parametrize(
    ("age", "looked_after", "status", "expected"),
    [
        # age 15, any status: section 2
        *[(15, True, s.value, S2) for s in L],
        (15, False, None, S2),
        (0, False, None, S2),
        (16, True, L.CARE_ORDER.value, S49),
        (16, True, L.INTERIM_CARE_ORDER.value, S49),
        (16, True, L.EMERGENCY_PROTECTION_ORDER.value, S49),
        (16, True, L.SECTION_20.value, None),
        (16, False, None, None),
        (17, True, L.POLICE_PROTECTION.value, S49),
        (17, True, L.PLACEMENT_ORDER.value, None),
        (18, True, L.CARE_ORDER.value, None),
        (18, False, None, None),
        (None, True, L.CARE_ORDER.value, None),
    ],
)
def test_cawn_table(age, looked_after, status, expected):
    section, reason = cawn_section(age, looked_after, status)
    assert section == expected
    assert reason


def test_the_reasons_say_why():
    assert "section 20 does not qualify" in cawn_section(16, True, L.SECTION_20.value)[1]
    assert "18 or over" in cawn_section(18, False, None)[1]
    assert "date of birth" in cawn_section(None, False, None)[1]
    assert "under 16" in cawn_section(15, True, L.SECTION_20.value)[1]
    assert "police protection" in cawn_section(17, True, L.POLICE_PROTECTION.value)[1]


def test_a_status_without_looked_after_is_not_trusted():
    """A stale status on a child no longer looked after does not make section 49 apply."""
    assert cawn_section(16, False, L.CARE_ORDER.value)[0] is None
