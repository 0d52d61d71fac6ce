"""Likely duplicate children: is the child being recorded already on the system?

Pure functions over plain values. A partnership's records are typed by many people in
many agencies, so the same child arrives spelt differently ("Mohammed"/"Muhammad"),
with first and last names swapped, under a name the child is also known by, or with an
accent dropped. Two records are a likely match when:

- they carry the same NHS number, or the same consistent child identifier; or
- their dates of birth agree (or agree with day and month swapped, a common typing
  slip) and a name of one is similar to a name of the other: the first and last names,
  the same names swapped, or a known alias; or
- one has no date of birth and their names are the same once normalised.

"Similar" is general, not a list of variants: the normalised names are equal, or they
share a phonetic key (Soundex) and differ by at most two edits, or they differ by one
edit (a typing slip) and are not too short for that to mean anything.

A match is a prompt for a person to decide, never a merge: false positives (twins share
a date of birth and a surname) cost one click; a missed duplicate splits what agencies
know about a child across two records.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

# Reasons, in the order they are reported.
SAME_NHS_NUMBER = "Same NHS number"
SAME_CONSISTENT_ID = "Same consistent child identifier"
SIMILAR_NAME = "Same date of birth and a similar name"
SWAPPED_NAMES = "Same date of birth, with first and last names swapped"
ALIAS = "Same date of birth and a name the child is also known by"
DAY_MONTH_SWAPPED = "Date of birth with day and month swapped, and a similar name"
SAME_NAME_NO_DOB = "Same name; a date of birth is not recorded on one of the records"


@dataclass(frozen=True)
class ChildFacts:
    """What matching looks at. `id` is None for the child being recorded."""

    first_name: str
    last_name: str
    date_of_birth: date | None = None
    aliases: tuple[str, ...] = ()
    nhs_number: str | None = None
    consistent_child_identifier: str | None = None
    id: int | None = None


@dataclass(frozen=True)
class Match:
    child_id: int
    reasons: tuple[str, ...] = field(default_factory=tuple)


# --- identifiers -------------------------------------------------------------------------


def normalise_nhs_number(value: str | None) -> str:
    """Digits only: NHS numbers are written "943 476 5919" or "943-476-5919"."""
    return re.sub(r"[\s-]", "", value or "")


def nhs_number_is_valid(value: str) -> bool:
    """Ten digits whose last is the Modulus 11 check digit of the first nine (NHS Digital:
    weights 10 down to 2; 11 - remainder, where 11 means 0 and 10 means no valid number)."""
    if not re.fullmatch(r"\d{10}", value):
        return False
    total = sum(int(d) * w for d, w in zip(value[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(value[9])


# --- names -------------------------------------------------------------------------------

_SEPARATORS = re.compile(r"[\s\-‐‑–—'’`.]+")


def normalise(name: str | None) -> str:
    """Lower case, accents dropped, hyphens, apostrophes, dots and spaces removed:
    "O'Brien-Núñez" -> "obriennunez"."""
    return "".join(name_tokens(name))


def name_tokens(name: str | None) -> list[str]:
    """The parts of a name, each normalised: "Mary-Ann O'Neil" -> ["mary", "ann", "o", "neil"]."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    plain = plain.replace("ß", "ss").replace("ø", "o").replace("æ", "ae").replace("ł", "l")
    return [re.sub(r"[^a-z0-9]", "", t) for t in _SEPARATORS.split(plain) if re.sub(r"[^a-z0-9]", "", t)]


_SOUNDEX_CODES = {
    **dict.fromkeys("bfpv", "1"),
    **dict.fromkeys("cgjkqsxz", "2"),
    **dict.fromkeys("dt", "3"),
    "l": "4",
    **dict.fromkeys("mn", "5"),
    "r": "6",
}


def soundex(name: str) -> str:
    """American Soundex of a normalised name: Mohammed, Muhammad and Mohamed are all M530."""
    letters = [c for c in name if c.isalpha()]
    if not letters:
        return ""
    key, previous = letters[0].upper(), _SOUNDEX_CODES.get(letters[0], "")
    for c in letters[1:]:
        code = _SOUNDEX_CODES.get(c, "")
        if code and code != previous:
            key += code
        if c not in "hw":  # h and w do not separate letters of the same code
            previous = code
    return (key + "000")[:4]


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions and
    swaps of two neighbouring letters ("Smtih") each count one."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(rows[i - 1][j] + 1, row[j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[i - 2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def _words_similar(a: str, b: str) -> bool:
    if not a or not b:
        return False
    if a == b:
        return True
    distance = edit_distance(a, b)
    if soundex(a) == soundex(b) and distance <= 2:
        return True
    return distance <= 1 and min(len(a), len(b)) >= 4


def names_similar(a: str | None, b: str | None) -> bool:
    """A name of one record against a name of the other: the whole names, or any part of
    one against any part of the other ("Smith-Jones" and "Jones")."""
    tokens_a, tokens_b = name_tokens(a), name_tokens(b)
    if not tokens_a or not tokens_b:
        return False
    if _words_similar("".join(tokens_a), "".join(tokens_b)):
        return True
    return any(_words_similar(x, y) for x in tokens_a for y in tokens_b if len(x) > 1 and len(y) > 1)


def _alias_names(child: ChildFacts) -> list[tuple[str, str]]:
    """Each alias as (first, last). A one-word alias is a first name with the child's
    last name ("Jay" for Jamal Example is Jay Example)."""
    names = []
    for alias in child.aliases:
        words = alias.split()
        if not words:
            continue
        if len(words) == 1:
            names.append((words[0], child.last_name))
        else:
            names.append((" ".join(words[:-1]), words[-1]))
    return names


def _same_name(a: tuple[str, str], b: tuple[str, str]) -> bool:
    return normalise(a[0]) == normalise(b[0]) and normalise(a[1]) == normalise(b[1]) != ""


def _similar(a: tuple[str, str], b: tuple[str, str]) -> bool:
    return names_similar(a[0], b[0]) and names_similar(a[1], b[1])


def _swapped_dob(value: date) -> date | None:
    if value.day > 12 or value.day == value.month:
        return None
    try:
        return value.replace(month=value.day, day=value.month)
    except ValueError:
        return None


def dates_to_search(value: date | None) -> list[date]:
    """The dates of birth a likely match may carry: the same, and day and month swapped."""
    if value is None:
        return []
    swapped = _swapped_dob(value)
    return [value] + ([swapped] if swapped else [])


# --- matching ----------------------------------------------------------------------------


def _name_reasons(candidate: ChildFacts, other: ChildFacts) -> list[str]:
    mine = (candidate.first_name, candidate.last_name)
    theirs = (other.first_name, other.last_name)
    reasons = []
    if _similar(mine, theirs):
        reasons.append(SIMILAR_NAME)
    elif _similar(mine, (theirs[1], theirs[0])):
        reasons.append(SWAPPED_NAMES)
    if not reasons:
        my_aliases, their_aliases = _alias_names(candidate), _alias_names(other)
        pairs = [(mine, a) for a in their_aliases] + [(a, theirs) for a in my_aliases]
        pairs += [(a, b) for a in my_aliases for b in their_aliases]
        if any(_similar(x, y) or _similar(x, (y[1], y[0])) for x, y in pairs):
            reasons.append(ALIAS)
    return reasons


def match_reasons(candidate: ChildFacts, other: ChildFacts) -> tuple[str, ...]:
    """Why `other` may be the same child as `candidate`; empty when it is not likely."""
    reasons = []
    nhs = normalise_nhs_number(candidate.nhs_number)
    if nhs and nhs == normalise_nhs_number(other.nhs_number):
        reasons.append(SAME_NHS_NUMBER)
    cci = (candidate.consistent_child_identifier or "").strip().upper()
    if cci and cci == (other.consistent_child_identifier or "").strip().upper():
        reasons.append(SAME_CONSISTENT_ID)
    mine, theirs = candidate.date_of_birth, other.date_of_birth
    if mine is not None and theirs is not None:
        if mine == theirs:
            reasons += _name_reasons(candidate, other)
        elif theirs in dates_to_search(mine) and _name_reasons(candidate, other):
            reasons.append(DAY_MONTH_SWAPPED)
    else:
        names_of = lambda c: [(c.first_name, c.last_name), *_alias_names(c)]  # noqa: E731
        if any(
            _same_name(a, b) or _same_name(a, (b[1], b[0]))
            for a in names_of(candidate)
            for b in names_of(other)
        ):
            reasons.append(SAME_NAME_NO_DOB)
    return tuple(reasons)


def likely_matches(candidate: ChildFacts, existing) -> list[Match]:
    """The existing children (each a ChildFacts with an id) that may be `candidate`,
    in the order given; the candidate itself (same id) is never its own match."""
    matches = []
    for other in existing:
        if candidate.id is not None and other.id == candidate.id:
            continue
        reasons = match_reasons(candidate, other)
        if reasons:
            matches.append(Match(other.id, reasons))
    return matches
