"""Which law a Child Abduction Warning Notice may cite for the child it protects (pure).

A CAWN has no statutory force of its own: it warns a person that they have no permission
to be with the child and cites the offence they would commit.
- Section 2 Child Abduction Act 1984: a child under 16, whatever their care status.
- Section 49 Children Act 1989: a child under 18 who is in care (a care order, section 31,
  or an interim care order, section 38), under an emergency protection order (section 44)
  or in police protection (section 46).
A 16- or 17-year-old accommodated under section 20 is not "in care" for section 49 and is
over the age for section 2: neither applies, and the notice cannot be issued.
"""

from mettrack.core.choices import CawnSection, LookedAfterStatus

UNDER_SECTION_2 = 16
UNDER_SECTION_49 = 18
SECTION_49_STATUSES = frozenset(
    {
        LookedAfterStatus.CARE_ORDER.value,
        LookedAfterStatus.INTERIM_CARE_ORDER.value,
        LookedAfterStatus.EMERGENCY_PROTECTION_ORDER.value,
        LookedAfterStatus.POLICE_PROTECTION.value,
    }
)

NO_AGE = (
    "The child's date of birth is not recorded: add it to the child's record so that the "
    "notice can be checked (a CAWN depends on the child's age)."
)
ADULT = (
    "Neither section applies: the child is 18 or over, so is not a child for either the Child "
    "Abduction Act 1984 or section 49 Children Act 1989."
)
SECTION_20 = (
    "Neither section applies: the child is 16 or 17 and accommodated under section 20 Children "
    "Act 1989. A child accommodated under section 20 does not qualify for section 49, and "
    "section 2 Child Abduction Act 1984 covers only children under 16."
)
NOT_IN_CARE = (
    "Neither section applies: the child is 16 or 17 and is not under a care order, an interim "
    "care order, an emergency protection order or in police protection, which section 49 "
    "Children Act 1989 needs; section 2 Child Abduction Act 1984 covers only children under 16."
)
SECTION_2_TEXT = "Section 2 Child Abduction Act 1984 applies: the child is under 16."
SECTION_49_TEXT = "Section 49 Children Act 1989 applies: the child is 16 or 17 and {status}."
_STATUS_WORDS = {
    LookedAfterStatus.CARE_ORDER.value: "under a care order (section 31)",
    LookedAfterStatus.INTERIM_CARE_ORDER.value: "under an interim care order (section 38)",
    LookedAfterStatus.EMERGENCY_PROTECTION_ORDER.value: "under an emergency protection order (section 44)",
    LookedAfterStatus.POLICE_PROTECTION.value: "in police protection (section 46)",
}


def cawn_section(
    age_years: int | None, looked_after: bool, looked_after_status: str | None
) -> tuple[CawnSection | None, str]:
    """(the section the notice cites, or None when neither applies; a sentence saying which
    applies or why neither does). `looked_after_status` is a LookedAfterStatus value."""
    if age_years is None:
        return None, NO_AGE
    if age_years < UNDER_SECTION_2:
        return CawnSection.CHILD_ABDUCTION_ACT_S2, SECTION_2_TEXT
    if age_years >= UNDER_SECTION_49:
        return None, ADULT
    status = looked_after_status if looked_after else None
    if status in SECTION_49_STATUSES:
        return CawnSection.CHILDREN_ACT_S49, SECTION_49_TEXT.format(status=_STATUS_WORDS[status])
    if status == LookedAfterStatus.SECTION_20.value:
        return None, SECTION_20
    return None, NOT_IN_CARE
