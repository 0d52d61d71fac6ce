"""The language check: victim-blaming phrases in notes and minutes, each with a better one.

What is written about a child should read well if the child and family sat beside the
writer (DESIGN.md, Rules from practice). The phrase list is reference data: the seed in
data/phrases.csv is drawn from the published guidance on appropriate language in child
exploitation (The Children's Society with partners), and admins extend it, so `check`
takes the list as an argument.

A phrase is written once, in one of its forms ("putting themselves at risk"); the check
also finds its other forms ("he puts himself at risk", "she put herself at risk") through
a small morphology:

- closed word classes (reflexive pronouns, have/has/had) and irregular verbs are listed
  as families, and a phrase word that is in a family matches every member;
- any other word matches its regular inflections: plural and third person (-s, -es,
  -ies), past (-ed) and present participle (-ing), with the usual e-dropping and doubled
  consonants. A word already inflected ("associating", "recruited", "adults") is taken
  back to its possible stems first. Guessed stems that are not English words do no harm:
  they never occur in a note;
- function words (a, in, with, ...) match only themselves.

Between two words of a phrase, the text may add what changes neither who is acting nor
what is said of them, so that an entry "keeping themselves busy" also finds "keeping
her own self busy" and "keeping herself very busy":

- a possessive with "own" (his, her, their or your own);
- one or two intensifiers from a short closed list (`INTENSIFIERS`: significant,
  serious, high, very ...). Articles and other adjectives are never skipped, so "she made
  a choice of subject" and "in a good relationship with her carer" stay unflagged.

And a phrase in the perfect continuous ("has been contacting adults") also finds the
plain perfect ("has contacted adults"): the same act, told in a different tense.

Matching is case-insensitive, whole words only (a phrase never matches inside a longer
word, nor inside a hyphenated compound: "non-consensual" is not "consensual"), and takes
any run of spaces or line breaks, or a hyphen, between the words of a phrase. Where
findings overlap, the longest is reported; between findings of the same span, the phrase
written exactly as the text reads wins (so "child prostitution" is reported as itself,
not as a form of "child prostitute").
"""

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

SEED_PHRASES_CSV = Path(__file__).parent / "data" / "phrases.csv"


class Phrase(NamedTuple):
    """One entry of the phrase list. A plain (phrase, suggestion, why) tuple works as well."""

    phrase: str
    suggestion: str
    why: str


@dataclass(frozen=True)
class Finding:
    """A phrase found in a text: `text` is the match as written, text[start:end]."""

    text: str
    start: int
    end: int
    phrase: str
    suggestion: str
    why: str


# A phrase word in one of these families matches every member of it. Forms beginning with
# an apostrophe are contractions written onto the word before ("she's been").
WORD_FAMILIES: tuple[frozenset[str], ...] = tuple(
    frozenset(family)
    for family in (
        ("himself", "herself", "themselves", "themself", "yourself"),
        ("his", "her", "their", "your"),
        ("has", "have", "had", "having", "'s", "'ve", "'d"),
        ("put", "puts", "putting"),
        ("keep", "keeps", "keeping", "kept"),
        ("choose", "chooses", "choosing", "chose", "chosen"),
        ("make", "makes", "making", "made"),
        ("go", "goes", "going", "went", "gone"),
        ("child", "children"),
        ("prostitute", "prostitutes", "prostituting", "prostituted", "prostitution"),
    )
)
_FAMILY_OF = {form: family for family in WORD_FAMILIES for form in family}

# Words that take no inflection.
FUNCTION_WORDS = frozenset(
    {"a", "an", "the", "in", "into", "on", "onto", "at", "with", "of", "to", "by", "for", "from"}
    | {"and", "or", "but", "as", "not", "no", "any", "some", "own"}
    | {"be", "been", "being", "is", "are", "was", "were"}
)

# Words that may stand between two words of a phrase without changing what it says:
# they only say how much ("at significant risk", "at very high risk"). Closed on purpose:
# an open class (any adjective) would let "in a good relationship with" match.
INTENSIFIERS = frozenset(
    {"significant", "significantly", "serious", "seriously", "considerable", "great", "greater"}
    | {"high", "higher", "increased", "increasing", "heightened", "real", "very", "extreme"}
    | {"extremely", "grave", "severe", "substantial", "immediate", "particular", "particularly"}
    | {"further"}
)
MAX_INTENSIFIERS = 2  # between two words of a phrase
POSSESSIVES = ("his", "her", "their", "your")  # before "own"

_VOWELS = frozenset("aeiou")
# A doubled final consonant that belongs to the stem ("miss", "fall"), not to -ing/-ed.
_STEM_DOUBLES = frozenset("lsfz")

_APOSTROPHE = "['\u2019]"
_BETWEEN_WORDS = r"(?:\s+|\s*-\s*)"
# Whole words: not preceded or followed by a letter or digit, nor joined to one by a
# hyphen (a compound is its own word).
_WORD_START = r"(?<!\w)(?<!\w-)"
_WORD_END = r"(?!\w)(?!-\w)"
_AFTER_A_WORD = r"(?<=\w)"


def _alternatives(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))


_INTENSIFIER = f"(?:{_alternatives(INTENSIFIERS)})"
# What the text may add before a phrase word: "her own", or up to two intensifiers.
_INSERTED = (
    f"(?:(?:{_alternatives(POSSESSIVES)}){_BETWEEN_WORDS}own"
    f"|{_INTENSIFIER}(?:{_BETWEEN_WORDS}{_INTENSIFIER}){{0,{MAX_INTENSIFIERS - 1}}}){_BETWEEN_WORDS}"
)
_PERFECT_AUXILIARY = "has"  # its family: has, have, had, 's ...


def _is_consonant(letter: str) -> bool:
    return letter.isalpha() and letter not in _VOWELS


def _ends_consonant_vowel_consonant(word: str) -> bool:
    return (
        len(word) >= 3
        and _is_consonant(word[-1])
        and word[-1] not in "wxy"
        and word[-2] in _VOWELS
        and _is_consonant(word[-3])
    )


def _stems(word: str) -> set[str]:
    """The possible stems of an inflected word; empty when the word looks uninflected."""
    stems: set[str] = set()
    for suffix in ("ing", "ed"):
        base = word[: -len(suffix)]
        if word.endswith(suffix) and len(base) >= 3:
            stems |= {base, base + "e"}
            if base[-1] == base[-2] and _is_consonant(base[-1]) and base[-1] not in _STEM_DOUBLES:
                stems.add(base[:-1])
            if suffix == "ed" and base.endswith("i"):
                stems.add(base[:-1] + "y")
            return stems
    if word.endswith("ies") and len(word) > 4:
        stems.add(word[:-3] + "y")
    elif word.endswith(("ches", "shes", "sses", "xes", "zes")):
        stems.add(word[:-2])
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        stems.add(word[:-1])
    return stems


def _inflections(stem: str) -> set[str]:
    forms = {stem}
    if stem.endswith("y") and len(stem) > 2 and _is_consonant(stem[-2]):
        forms |= {stem[:-1] + "ies", stem[:-1] + "ied", stem + "ing"}
    elif stem.endswith("e"):
        forms |= {stem + "s", stem + "d", stem[:-1] + "ing"}
    else:
        forms |= {
            stem + ("es" if stem.endswith(("s", "x", "z", "ch", "sh")) else "s"),
            stem + "ed",
            stem + "ing",
        }
    if _ends_consonant_vowel_consonant(stem):
        forms |= {stem + stem[-1] + "ed", stem + stem[-1] + "ing"}
    return forms


def word_forms(word: str) -> frozenset[str]:
    """Every form a phrase word matches, in lower case."""
    word = word.lower().replace("\u2019", "'")
    if word in _FAMILY_OF:
        return _FAMILY_OF[word]
    if word in FUNCTION_WORDS or not word.isalpha():
        return frozenset({word})
    forms = {word}
    for stem in _stems(word) or {word}:
        forms |= _inflections(stem)
    return frozenset(forms)


def _form_pattern(form: str) -> str:
    return re.escape(form).replace("'", _APOSTROPHE)


def _word_pattern(word: str, first: bool) -> str:
    forms = sorted(word_forms(word), key=lambda f: (-len(f), f))
    whole = [_form_pattern(f) for f in forms if not f.startswith("'")]
    attached = [_form_pattern(f) for f in forms if f.startswith("'")]
    lead = _WORD_START if first else f"{_BETWEEN_WORDS}(?:{_INSERTED})?"
    options = [f"{lead}(?:{'|'.join(whole)})"]
    if attached:
        # A contraction is written onto the word before it, with no space.
        options.append((_AFTER_A_WORD if first else "") + f"(?:{'|'.join(attached)})")
    return f"(?:{'|'.join(options)})"


def phrase_words(phrase: str) -> list[str]:
    return [w for w in re.split(r"[\s-]+", phrase.strip()) if w]


def phrase_key(phrase: str) -> str:
    """A phrase as the list compares it for uniqueness: the check ignores letter case,
    spacing and hyphens, so two entries differing only in those would be one entry."""
    return " ".join(phrase_words(phrase.casefold()))


@lru_cache(maxsize=2048)
def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """The compiled pattern matching every form of a phrase as whole words."""
    words = phrase_words(phrase)
    if not words:
        raise ValueError("a phrase needs at least one word")
    body = "".join(
        _word_pattern(word, first=index == 0) + ("?" if _may_drop(words, index) else "")
        for index, word in enumerate(words)
    )
    return re.compile(body + _WORD_END, re.IGNORECASE)


def _may_drop(words: list[str], index: int) -> bool:
    """ "been" of a perfect continuous ("has been contacting"), which the plain perfect
    ("has contacted") leaves out; the -ing word's forms already include the -ed."""
    return (
        words[index].lower() == "been"
        and 0 < index < len(words) - 1
        and words[index - 1].lower().replace("\u2019", "'") in word_forms(_PERFECT_AUXILIARY)
        and words[index + 1].lower().endswith("ing")
    )


def _as_written(text: str) -> str:
    return " ".join(phrase_words(text.lower().replace("\u2019", "'")))


def check(text: str, phrases) -> list[Finding]:
    """The phrases of `phrases` (an iterable of (phrase, suggestion, why)) found in `text`,
    in the order they occur; overlapping findings give way to the longest."""
    candidates = []
    for order, (phrase, suggestion, why) in enumerate(phrases):
        if not phrase_words(phrase):
            continue
        for match in phrase_pattern(phrase.strip()).finditer(text):
            finding = Finding(match.group(), match.start(), match.end(), phrase.strip(), suggestion, why)
            exact = _as_written(finding.text) == _as_written(phrase)
            candidates.append((-(finding.end - finding.start), not exact, order, finding.start, finding))
    chosen: list[Finding] = []
    for *_, finding in sorted(candidates, key=lambda c: c[:4]):
        if all(finding.end <= kept.start or finding.start >= kept.end for kept in chosen):
            chosen.append(finding)
    return sorted(chosen, key=lambda f: f.start)


def load_seed_phrases(path: Path = SEED_PHRASES_CSV) -> list[Phrase]:
    """The seed phrase list, for loading as reference data. Columns: phrase, suggestion,
    why (shown to the writer beside the suggestion: written for practitioners) and
    matcher_note (for whoever keeps the list: how the matcher reads the phrase, where it
    comes from; never loaded, never shown)."""
    with open(path, newline="", encoding="utf-8") as file:
        return [
            Phrase(row["phrase"].strip(), row["suggestion"].strip(), row["why"].strip())
            for row in csv.DictReader(file)
            if (row.get("phrase") or "").strip()
        ]


# Every place the language check reads before a save: (what is saved, its free-text
# fields as the form names them). The one list the language list page shows admins
# (language/admin_pages.py); a use case that starts checking a new field adds it here.
CHECKED_FIELDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Case notes", ("Note",)),
    ("CSERQ4 screenings", ("Notes",)),
    ("Referrals to Children's Services", ("Professional judgement", "Outcome of the referral")),
    (
        "Case moves",
        (
            "Close as no further action: note",
            "Send to MET review: reason",
            "Send back to review: reason",
            "Close: note",
            "Reopen: the new concerns",
        ),
    ),
    ("Risk assessments", ("Your rationale", "Each indicator's reason")),
    ("Missing episodes and returns", ("Where the child was found",)),
    ("Return Home Interviews", ("What was learnt",)),
    (
        "Specialist services",
        (
            "Why the service is asked for",
            "What the service needs to know",
            "Why the service declines",
            "Why the request is withdrawn",
            "The note when a service's work ends",
        ),
    ),
    ("MET meeting minutes", ("Discussion", "Closing note", "Each new action", "Reason for a correction")),
    ("Updates for a MET meeting", ("Update for the meeting", "Why the case can close")),
    ("Meeting actions", ("Note when an action is done, not done or updated",)),
    ("Police tiers", ("Note when the tier is set or changed",)),
    (
        "Intelligence",
        (
            "Shared information and how the source knows it",
            "Handling conditions and sanitised text when grading",
            "Description of a person of concern",
            "Description of a place",
            "Note of a link between a case and a person or place",
            "Note of a link between two children",
            "Details of a disruption action",
        ),
    ),
)
