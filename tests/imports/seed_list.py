"""A made-up exploitation list that reproduces the partnership's published figure:

    "195 children on the exploitation list July - September 2022: 135 CCE (aged 10-18;
    122 male, 13 female), 60 CSE (aged 10-18; 56 female, 4 male)"

`write_seed_list(path)` writes it as a CSV in the import's template columns (docs/imports.md).
Every child is open at some point in July - September 2022 (most still open, a few closed
in the quarter), no child is both CSE and CCE, and the ages as at 30 September 2022 run
from 10 to 18, both ends present in each type. Names and addresses are invented.

Importing it needs the default reference data (the police tiers and teams, the exit
reason "Other": `mettrack.reference.seed_defaults()`), as a new database has after
`flask db upgrade`. With `lead_email`, every case is led by that lead professional.
"""

import csv
from datetime import date, timedelta
from pathlib import Path

from mettrack.imports.rules import COLUMNS, OPTIONAL_COLUMNS

QUARTER_START = date(2022, 7, 1)
QUARTER_END = date(2022, 9, 30)
# (exploitation type, gender, how many)
GROUPS = (("CCE", "Male", 122), ("CCE", "Female", 13), ("CSE", "Female", 56), ("CSE", "Male", 4))
FIRST = [
    "Alder",
    "Ash",
    "Birch",
    "Briar",
    "Cedar",
    "Clover",
    "Cove",
    "Dale",
    "Elm",
    "Fern",
    "Finch",
    "Flint",
    "Glen",
    "Hazel",
    "Heath",
    "Holly",
    "Ivy",
    "Jay",
    "Juniper",
    "Kestrel",
    "Lark",
    "Linden",
    "Maple",
    "Marsh",
    "Moss",
    "Oak",
    "Pine",
    "Quill",
    "Reed",
    "Robin",
    "Rowan",
    "Rush",
    "Sage",
    "Sorrel",
    "Swift",
    "Teal",
    "Thorn",
    "Vale",
    "Willow",
    "Wren",
]
LAST = [
    "Examplefield",
    "Testbrook",
    "Mockley",
    "Sampleton",
    "Placeholm",
    "Dummerby",
    "Fakenham-Vale",
    "Madeupton",
]


def _birth_date(age: int, n: int) -> date:
    """A date of birth giving `age` on 30 September 2022 (spread over the year)."""
    latest = QUARTER_END.replace(year=QUARTER_END.year - age)
    return latest - timedelta(days=(n * 37) % 360)


def seed_rows(lead_email: str = "") -> list[list[str]]:
    rows = []
    n = 0
    for kind, gender, count in GROUPS:
        for i in range(count):
            # Ages 10..18 in turn; the first two children of every group are 10 and 18.
            age = (10, 18)[i] if i < 2 else 10 + (i % 9)
            born = _birth_date(age, n)
            added = QUARTER_START - timedelta(days=30 + (n * 11) % 500)
            if n % 10 == 0:
                state, closed = "closed", QUARTER_START + timedelta(days=n % 90)
            elif n % 3 == 0:
                state, closed = "met_review", None
            elif n % 3 == 1:
                state, closed = "police_tiered", None
            else:
                state, closed = "referred", None
            risk = ("low", "medium", "high")[n % 3]
            tiered = state == "police_tiered"
            rows.append(
                [
                    f"{FIRST[n % len(FIRST)]} {LAST[n // len(FIRST)]}",
                    born.strftime("%d/%m/%Y"),
                    gender,
                    "Not recorded",
                    f"{n + 1} Nowhere Lane, Demotown, ZZ99 1ZZ",
                    kind,
                    risk,
                    "high" if tiered else "",
                    lead_email,
                    added.strftime("%d/%m/%Y"),
                    state,
                    closed.strftime("%d/%m/%Y") if closed else "",
                    "Hants MET Team" if tiered else "",
                    "",
                ]
            )
            n += 1
    return rows


def write_seed_list(path: Path | str, lead_email: str = "") -> Path:
    path = Path(path)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow([heading for _key, heading in COLUMNS + OPTIONAL_COLUMNS])
        writer.writerows(seed_rows(lead_email))
    return path
