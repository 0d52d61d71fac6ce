"""Likely duplicate children (mettrack/children/matching.py). Names are invented."""

from datetime import date

import pytest

from mettrack.children.matching import (
    ALIAS,
    DAY_MONTH_SWAPPED,
    SAME_CONSISTENT_ID,
    SAME_NAME_NO_DOB,
    SAME_NHS_NUMBER,
    SIMILAR_NAME,
    SWAPPED_NAMES,
    ChildFacts,
    Match,
    likely_matches,
    match_reasons,
    names_similar,
    nhs_number_is_valid,
    normalise,
    normalise_nhs_number,
)

DOB = date(2011, 4, 7)
OTHER_DOB = date(2011, 9, 20)
VALID_NHS = "9434765919"


def kid(first, last, dob=DOB, aliases=(), nhs=None, cci=None, id=None):
    return ChildFacts(first, last, dob, tuple(aliases), nhs, cci, id)


# (case, candidate, existing, expected reasons)
MATCHES = [
    ("exactly the same", kid("Tamsin", "Okoro"), kid("Tamsin", "Okoro"), (SIMILAR_NAME,)),
    ("case and spaces", kid(" tamsin ", "OKORO"), kid("Tamsin", "Okoro"), (SIMILAR_NAME,)),
    ("accents dropped", kid("Zoë", "Brontë-Núñez"), kid("Zoe", "Bronte Nunez"), (SIMILAR_NAME,)),
    ("apostrophe and hyphen", kid("Aoife", "O'Rourke"), kid("Aoife", "ORourke"), (SIMILAR_NAME,)),
    ("Mohammed / Muhammad", kid("Mohammed", "Farouqi"), kid("Muhammad", "Farouqi"), (SIMILAR_NAME,)),
    ("Mohamed / Mohammad", kid("Mohamed", "Farouqi"), kid("Mohammad", "Farouqi"), (SIMILAR_NAME,)),
    ("Katie / Katy", kid("Katie", "Pellow"), kid("Katy", "Pellow"), (SIMILAR_NAME,)),
    ("Aiden / Aidan", kid("Aiden", "Marchetti"), kid("Aidan", "Marchetti"), (SIMILAR_NAME,)),
    ("a typing slip in the surname", kid("Dara", "Whitlock"), kid("Dara", "Whtilock"), (SIMILAR_NAME,)),
    ("one part of a double surname", kid("Nia", "Smythe-Okafor"), kid("Nia", "Okafor"), (SIMILAR_NAME,)),
    ("first and last swapped", kid("Okafor", "Chidi"), kid("Chidi", "Okafor"), (SWAPPED_NAMES,)),
    ("a known alias of theirs", kid("Jay", "Quarrie"), kid("Jamal", "Quarrie", aliases=["Jay"]), (ALIAS,)),
    ("a two-word alias", kid("Jay", "Kestrel"), kid("Jamal", "Quarrie", aliases=["Jay Kestrel"]), (ALIAS,)),
    ("an alias of the candidate", kid("Jamal", "Quarrie", aliases=["JJ Pike"]), kid("JJ", "Pike"), (ALIAS,)),
    (
        "same NHS number, other name",
        kid("Rory", "Vance", nhs=VALID_NHS),
        kid("Ann", "Lee", OTHER_DOB, nhs="943 476 5919"),
        (SAME_NHS_NUMBER,),
    ),
    (
        "same consistent id",
        kid("Rory", "Vance", cci="ab12"),
        kid("Ann", "Lee", OTHER_DOB, cci="AB12"),
        (SAME_CONSISTENT_ID,),
    ),
    (
        "day and month swapped",
        kid("Tamsin", "Okoro", date(2011, 4, 7)),
        kid("Tamsin", "Okoro", date(2011, 7, 4)),
        (DAY_MONTH_SWAPPED,),
    ),
    (
        "no date of birth, same name",
        kid("Tamsin", "Okoro", None),
        kid("tamsin", "okoro"),
        (SAME_NAME_NO_DOB,),
    ),
    ("no date of birth, swapped", kid("Okoro", "Tamsin"), kid("Tamsin", "Okoro", None), (SAME_NAME_NO_DOB,)),
    (
        "NHS number and name",
        kid("Tamsin", "Okoro", nhs=VALID_NHS),
        kid("Tamsin", "Okoro", nhs=VALID_NHS),
        (SAME_NHS_NUMBER, SIMILAR_NAME),
    ),
]

NOT_MATCHES = [
    ("same name, another date of birth", kid("Tamsin", "Okoro"), kid("Tamsin", "Okoro", OTHER_DOB)),
    ("same date of birth, other first name", kid("Jack", "Pellow"), kid("James", "Pellow")),
    ("same date of birth, other surname", kid("Katie", "Pellow"), kid("Katie", "Marchetti")),
    ("Liam / Leah", kid("Liam", "Pellow"), kid("Leah", "Pellow")),
    ("Jordan / Jayden", kid("Jordan", "Pellow"), kid("Jayden", "Pellow")),
    ("no date of birth, only similar name", kid("Katie", "Pellow", None), kid("Katy", "Pellow")),
    ("no dates of birth, different names", kid("Ann", "Lee", None), kid("Ann", "Leigh-Barr", None)),
    ("different NHS numbers", kid("Rory", "Vance", nhs=VALID_NHS), kid("Ann", "Lee", nhs="4010232137")),
    (
        "blank identifiers never match",
        kid("Rory", "Vance", nhs="", cci=" "),
        kid("Ann", "Lee", nhs="", cci=""),
    ),
    (
        "alias of another surname, another dob",
        kid("Jay", "Quarrie"),
        kid("Jamal", "Quarrie", OTHER_DOB, ["Jay"]),
    ),
    (
        "day 13 cannot be a month",
        kid("Tamsin", "Okoro", date(2011, 4, 13)),
        kid("Tamsin", "Okoro", date(2011, 13 - 9, 4)),
    ),
]


@pytest.mark.parametrize(("case", "candidate", "other", "expected"), MATCHES, ids=[m[0] for m in MATCHES])
def test_likely_match_is_found_with_its_reason(case, candidate, other, expected):
    assert match_reasons(candidate, other) == expected


@pytest.mark.parametrize(("case", "candidate", "other"), NOT_MATCHES, ids=[m[0] for m in NOT_MATCHES])
def test_unlikely_match_is_not_reported(case, candidate, other):
    assert match_reasons(candidate, other) == ()


def test_likely_matches_keeps_order_and_skips_the_child_itself():
    me = kid("Tamsin", "Okoro", id=1)
    existing = [kid("Tamsin", "Okoro", id=1), kid("Ann", "Lee", id=2), kid("Tamsyn", "Okoro", id=3)]
    assert likely_matches(me, existing) == [Match(3, (SIMILAR_NAME,))]


@pytest.mark.parametrize(
    ("a", "b", "similar"),
    [
        ("Mohammed", "Muhammad", True),
        ("Sophie", "Sophia", True),
        ("Zoë", "Zoe", True),
        ("Jack", "James", False),
        ("Amir", "Omar", False),
        ("", "Omar", False),
        ("A", "B", False),
    ],
)
def test_names_similar(a, b, similar):
    assert names_similar(a, b) is similar


def test_normalise_drops_case_accents_and_separators():
    assert normalise("O'Brien-Núñez  Jr.") == "obriennunezjr"


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("9434765919", True),
        ("4010232137", True),
        ("9434765918", False),  # wrong check digit
        ("943476591", False),  # nine digits
        ("94347659190", False),  # eleven digits
        ("94347659a9", False),
        ("1000000010", False),  # check digit would be 10: no valid number
        ("", False),
    ],
)
def test_nhs_number_modulus_11(value, valid):
    assert nhs_number_is_valid(value) is valid


def test_nhs_number_is_normalised_from_spaces_and_hyphens():
    assert normalise_nhs_number(" 943 476-5919 ") == "9434765919"
